import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a module beside the caller (`jsUrl`, the compiled name). Under the
 * test runner and tsx the sources are TypeScript: the worker then gets tsx's loader; built code
 * runs the compiled .js directly. (The embedder starts its worker the same way.)
 */
export function spawnWorker(jsUrl: URL, workerData: unknown): Worker {
  if (jsUrl.protocol === 'file:' && import.meta.url.endsWith('.ts')) {
    const tsUrl = new URL(jsUrl.href.replace(/\.js$/, '.ts'));
    // The ESM entry of tsx's API (require.resolve would give its CommonJS twin).
    const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(tsUrl.href)}); })`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(jsUrl, { workerData });
}
