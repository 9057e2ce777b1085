import { httpTransport } from './http-transport';
import { ApiError, relativePathOf, type Transport } from './types';

/** The desktop preload defines `window.hindsight`; anywhere else the page talks HTTP to its origin. */
export function pickTransport(): Transport {
  const desktop = window.hindsight;
  if (desktop) {
    return {
      api: desktop,
      kind: 'desktop',
      pathsFor: async (files) => files.map((f) => desktop.pathForFile(f)).filter(Boolean),
      discard: async () => {},
      folderFor: async (files) => {
        // "/home/me/Downloads/gte-small/onnx/model.onnx" picked as "gte-small/onnx/model.onnx": the folder is "…/gte-small".
        const f = files[0];
        if (!f) throw new ApiError('invalid-input', 'The folder is empty.');
        const full = desktop.pathForFile(f);
        const rel = relativePathOf(f);
        const inner = rel.split('/').slice(1).join('/');
        const sep = full.includes('\\') && !full.includes('/') ? '\\' : '/';
        const tail = inner.split('/').join(sep);
        return tail && full.endsWith(tail) ? full.slice(0, full.length - tail.length - 1) : full;
      },
    };
  }
  return httpTransport();
}

export type { Transport };
export { ApiError };
