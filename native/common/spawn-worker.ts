import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { packageRoot } from './package-root.js';

/** The engine's worker threads, each named by its module's path under `native/`. */
export const WORKER_MODULES = ['incidents/extract-worker', 'store/sqlite/latent-training-worker', 'embed/embed-worker'] as const;
export type WorkerModule = (typeof WORKER_MODULES)[number];

/** True when this code runs from the TypeScript sources (tests, tsx) rather than the build. */
const fromSources = import.meta.url.endsWith('.ts');

/**
 * Starts one of the engine's worker threads. Its module is found from the package root, not from
 * the caller's own URL: the CLI is bundled (`dist/cli/`), so a caller's `import.meta.url` names a
 * bundle chunk, while the workers run from the compiled tree (`dist/native/`). Under the test
 * runner and tsx the sources are TypeScript: the worker then gets tsx's loader.
 */
export function spawnWorker(module: WorkerModule, workerData: unknown): Worker {
  // Loaded here, not with this module: most commands start no worker, and node:worker_threads
  // is a few ms of a cold CLI start.
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
  const root = packageRoot(import.meta.url);
  if (fromSources) {
    const tsUrl = pathToFileURL(join(root, 'native', `${module}.ts`));
    // The ESM entry of tsx's API (require.resolve would give its CommonJS twin).
    const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(tsUrl.href)}); })`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(pathToFileURL(join(root, 'dist', 'native', `${module}.js`)), { workerData });
}
