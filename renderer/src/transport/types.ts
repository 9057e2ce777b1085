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
  /**
   * The folder the engine can read for a folder the user picked (`webkitdirectory`): on the
   * desktop the folder itself, in a browser its upload. Progress is in bytes.
   */
  folderFor(files: File[], onProgress?: (done: number, total: number) => void): Promise<string>;
  /**
   * Gives up paths from `pathsFor` that will not be imported (Cancel before the import started):
   * a browser's uploads are deleted now; the desktop's are the user's own files, left alone.
   */
  discard(paths: string[]): Promise<void>;
}

/** What the desktop preload exposes as `window.hindsight`. */
export type DesktopBridge = HindsightApi & { pathForFile(file: File): string };

declare global {
  interface Window {
    hindsight?: DesktopBridge;
  }
}

/** An error from the engine, with the contract's code and, when there is one, its finer reason and hint. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly reason?: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The relative path of a picked file ("gte-small/onnx/model.onnx"), its name when it has none. */
export function relativePathOf(f: File): string {
  return (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
}
