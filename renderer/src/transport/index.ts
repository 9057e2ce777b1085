import { httpTransport } from './http-transport';
import type { Transport } from './types';

/** The desktop preload defines `window.hindsight`; anywhere else the page talks HTTP to its origin. */
export function pickTransport(): Transport {
  const desktop = window.hindsight;
  if (desktop) {
    return {
      api: desktop,
      kind: 'desktop',
      pathsFor: async (files) => files.map((f) => desktop.pathForFile(f)).filter(Boolean),
    };
  }
  return httpTransport();
}

export type { Transport };
