import type { HindsightApi } from '../../../native/contract';

/**
 * What the UI talks to: the contract's API, plus how dropped files become paths to import.
 * The desktop gets real paths from the preload; a browser uploads the files to the bridge.
 */
export interface Transport {
  api: HindsightApi;
  kind: 'desktop' | 'browser';
  /** Paths the engine can import for files the user dropped or picked. */
  pathsFor(files: File[], onProgress?: (done: number, total: number) => void): Promise<string[]>;
}

/** What the desktop preload exposes as `window.hindsight`. */
export type DesktopBridge = HindsightApi & { pathForFile(file: File): string };

declare global {
  interface Window {
    hindsight?: DesktopBridge;
  }
}
