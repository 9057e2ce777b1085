/**
 * Runs the embedding model off the calling thread, so that a long import never blocks search
 * (and the CLI's progress keeps ticking). Loads the model once, then answers batches in order.
 *
 * Transformers.js loads the tokenizer and the ONNX session; the worker calls the two itself
 * rather than through the pipeline: the next batch is tokenized while onnxruntime (its own
 * threads) runs the current one, and pooling is a row-major loop over the output (the pipeline's
 * converts each mask entry from BigInt once per dimension, ~40 % of a small model's time).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EmbedReady, EmbedRequest, EmbedResponse, EmbedWorkerInit } from './embed-protocol.js';
import { poolAndNormalize } from './pooling.js';

const init = workerData as EmbedWorkerInit;
const port = parentPort!;

interface TensorLike {
  data: Float32Array | BigInt64Array;
  dims: number[];
}
type Encoded = Record<string, TensorLike> & { attention_mask: TensorLike };
interface Loaded {
  tokenize: (texts: string[]) => Encoded;
  run: (inputs: Encoded) => Promise<TensorLike>;
}

async function load(): Promise<Loaded> {
  const { env, pipeline } = await import('@huggingface/transformers');
  // Never reach the network: only the local model folder is read.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = init.root;
  const extractor = (await pipeline('feature-extraction', init.name, {
    dtype: init.dtype,
    device: 'cpu',
    local_files_only: true,
    session_options: { intraOpNumThreads: init.threads, interOpNumThreads: 1 },
  })) as unknown as {
    tokenizer: ((texts: string[], o: object) => Encoded) & { model_max_length: number; _tokenizerConfig: { model_max_length?: number } };
    model: (inputs: Encoded) => Promise<Record<string, TensorLike | undefined>>;
  };
  const { tokenizer, model } = extractor;
  // Some tokenizer configs (gte-small's) declare no real limit (model_max_length 1e30): without
  // this a passage past 512 tokens would overrun the position table and fail the whole batch.
  // (`model_max_length` is a getter over the tokenizer's config.)
  tokenizer._tokenizerConfig.model_max_length = Math.min(tokenizer.model_max_length || Infinity, init.maxTokens);
  return {
    tokenize: (texts) => tokenizer(texts, { padding: true, truncation: true }),
    run: async (inputs) => {
      const out = await model(inputs);
      const hidden = out.last_hidden_state ?? out.logits ?? out.token_embeddings;
      if (!hidden) throw new Error('the model has no last_hidden_state output');
      return hidden;
    },
  };
}

load().then(
  ({ tokenize, run }) => {
    port.postMessage({ ready: true } satisfies EmbedReady);
    // One model call at a time: concurrent runs of one session would only fight over the same
    // cores. Requests wait here, queries (urgent) before passage batches, so a search during a
    // long embedding job waits for one batch at most.
    const urgent: EmbedRequest[] = [];
    const normal: EmbedRequest[] = [];
    const take = () => urgent.shift() ?? normal.shift();
    let busy = false;
    const prepare = (req: EmbedRequest) => {
      try {
        return { req, inputs: tokenize(req.texts), error: null };
      } catch (err) {
        return { req, inputs: null, error: err as Error };
      }
    };
    const next = async () => {
      if (busy) return;
      busy = true;
      let first = take();
      let current = first ? prepare(first) : null;
      while (current) {
        const started = performance.now();
        const { req } = current;
        const running = current.inputs ? run(current.inputs) : Promise.reject(current.error);
        // While onnxruntime works on its own threads, tokenize what comes next.
        first = take();
        const following = first ? prepare(first) : null;
        try {
          const hidden = await running;
          const vectors = poolAndNormalize(hidden.data as Float32Array, hidden.dims, current.inputs!.attention_mask.data as BigInt64Array, init.pooling, init.normalize);
          const res: EmbedResponse = { id: req.id, ok: true, dims: hidden.dims[hidden.dims.length - 1]!, vectors, ms: performance.now() - started };
          port.postMessage(res, [vectors.buffer as ArrayBuffer]);
        } catch (err) {
          port.postMessage({ id: req.id, ok: false, message: (err as Error).message ?? String(err) } satisfies EmbedResponse);
        }
        current = following;
        // A query that came in meanwhile goes before the batch prepared behind it.
        if (current && !current.req.urgent && urgent.length) {
          normal.unshift(current.req);
          current = prepare(urgent.shift()!);
        }
        if (!current) {
          const more = take();
          current = more ? prepare(more) : null;
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
