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
  // Some tokenizer configs (gte-small's) declare no real limit (model_max_length 1e30): without
  // this a passage past 512 tokens would overrun the position table and fail the whole batch.
  // (`model_max_length` is a getter over the tokenizer's config.)
  const tokenizer = (extractor as unknown as { tokenizer: { model_max_length: number; _tokenizerConfig: { model_max_length?: number } } }).tokenizer;
  tokenizer._tokenizerConfig.model_max_length = Math.min(tokenizer.model_max_length || Infinity, init.maxTokens);
  return extractor as unknown as Extractor;
}

load().then(
  (extractor) => {
    port.postMessage({ ready: true } satisfies EmbedReady);
    // One model call at a time: concurrent runs of one session would only fight over the same
    // cores. Requests wait here, queries (urgent) before passage batches, so a search during a
    // long embedding job waits for one batch at most.
    const urgent: EmbedRequest[] = [];
    const normal: EmbedRequest[] = [];
    let busy = false;
    const next = async () => {
      if (busy) return;
      busy = true;
      for (let req = urgent.shift() ?? normal.shift(); req; req = urgent.shift() ?? normal.shift()) {
        const started = performance.now();
        try {
          const out = await extractor(req.texts, { pooling: init.pooling, normalize: init.normalize });
          const vectors = new Float32Array(out.data);
          const res: EmbedResponse = { id: req.id, ok: true, dims: out.dims[out.dims.length - 1]!, vectors, ms: performance.now() - started };
          port.postMessage(res, [vectors.buffer]);
        } catch (err) {
          port.postMessage({ id: req.id, ok: false, message: (err as Error).message ?? String(err) } satisfies EmbedResponse);
        }
      }
      busy = false;
    };
    port.on('message', (req: EmbedRequest) => {
      (req.urgent ? urgent : normal).push(req);
      void next();
    });
  },
  (err: unknown) => port.postMessage({ ready: false, message: (err as Error).message ?? String(err) } satisfies EmbedReady),
);
