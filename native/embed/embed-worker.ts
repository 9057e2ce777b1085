/**
 * Runs the embedding model off the calling thread, so that a long import never blocks search
 * (and the CLI's progress keeps ticking). Loads the model once, then answers batches in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EmbedReady, EmbedRequest, EmbedResponse, EmbedWorkerInit } from './embed-protocol.js';

const init = workerData as EmbedWorkerInit;
const port = parentPort!;

type Extractor = (texts: string[], options: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[] }>;

async function load(): Promise<Extractor> {
  const { env, pipeline } = await import('@huggingface/transformers');
  // Never reach the network: only the local model folder is read.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = init.root;
  const extractor = await pipeline('feature-extraction', init.name, {
    dtype: init.dtype,
    device: 'cpu',
    local_files_only: true,
    session_options: { intraOpNumThreads: init.threads, interOpNumThreads: 1 },
  });
  return extractor as unknown as Extractor;
}

load().then(
  (extractor) => {
    port.postMessage({ ready: true } satisfies EmbedReady);
    port.on('message', (req: EmbedRequest) => {
      const started = performance.now();
      extractor(req.texts, { pooling: init.pooling, normalize: init.normalize }).then(
        (out) => {
          const vectors = new Float32Array(out.data);
          const res: EmbedResponse = { id: req.id, ok: true, dims: out.dims[out.dims.length - 1]!, vectors, ms: performance.now() - started };
          port.postMessage(res, [vectors.buffer]);
        },
        (err: unknown) => port.postMessage({ id: req.id, ok: false, message: (err as Error).message ?? String(err) } satisfies EmbedResponse),
      );
    });
  },
  (err: unknown) => port.postMessage({ ready: false, message: (err as Error).message ?? String(err) } satisfies EmbedReady),
);
