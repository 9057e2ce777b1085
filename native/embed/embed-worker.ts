/**
 * Runs the embedding model off the calling thread, so that a long import never blocks search
 * (and the CLI's progress keeps ticking). Loads the tokenizer (Transformers.js) and an ONNX
 * Runtime session once, then answers requests in order, queries first.
 *
 * The worker calls the tokenizer and the session itself rather than Transformers.js's pipeline:
 * - each request is tokenized once, unpadded, sorted by token count and cut into batches padded
 *   only to their own longest row (`batches.ts`); the pipeline pads whatever batch it is given;
 * - the session is opened with measured options (`onnx-session.ts`) and asked for the one output
 *   pooled; pooling is a row-major loop (`pooling.ts`; the pipeline converted each mask entry
 *   from BigInt once per dimension, ~40 % of a small model's time).
 * onnxruntime-node runs a session synchronously on the calling thread: tokenizing cannot overlap
 * inference here, so a request is tokenized in one pass just before its first batch runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { padBatch, planBatches } from './batches.js';
import type { EmbedReady, EmbedRequest, EmbedResponse, EmbedWorkerInit } from './embed-protocol.js';
import { hiddenOutput, loadOrt, sessionOptions } from './onnx-session.js';
import { poolAndNormalize } from './pooling.js';

const init = workerData as EmbedWorkerInit;
const port = parentPort!;

type Encoded = Record<string, number[][]>;
type Tokenize = (texts: string[]) => Encoded;
type Run = (feeds: ReturnType<typeof padBatch>) => Promise<{ data: Float32Array; dims: number[] }>;

async function load(): Promise<{ tokenize: Tokenize; run: Run; padId: number }> {
  const ort = loadOrt();
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  // Never reach the network: only the local model folder is read.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = init.root;
  const [tokenizer, session] = await Promise.all([
    AutoTokenizer.from_pretrained(init.name, { local_files_only: true }),
    ort.InferenceSession.create(init.modelPath, sessionOptions(init.threads)),
  ]);
  const call = tokenizer as unknown as (texts: string[], o: object) => Encoded;
  const output = hiddenOutput(session.outputNames);
  const inputs = new Set(session.inputNames);
  return {
    // An explicit max_length: gte-small's tokenizer config declares no real limit
    // (model_max_length 1e30), and a passage past 512 tokens would overrun the position table.
    tokenize: (texts) => call(texts, { truncation: true, max_length: init.maxTokens, return_tensor: false }),
    run: async (feeds) => {
      // Only what the graph takes (a model without token_type_ids gets none); the attention
      // mask is kept for pooling either way.
      const tensors = Object.fromEntries(Object.entries(feeds).filter(([k]) => inputs.has(k)).map(([k, t]) => [k, new ort.Tensor('int64', t.data, t.dims)]));
      const out = await session.run(tensors, [output]);
      const hidden = out[output]!;
      return { data: hidden.data as Float32Array, dims: hidden.dims as number[] };
    },
    padId: tokenizer.pad_token_id ?? 0,
  };
}

/** A request in the queue: tokenized and planned when its first batch is about to run. */
interface Work {
  req: EmbedRequest;
  plan: { encoded: Encoded; batches: number[][] } | null;
  next: number;
  vectors: Float32Array | null;
  dims: number;
  ms: number;
}

load().then(
  ({ tokenize, run, padId }) => {
    port.postMessage({ ready: true } satisfies EmbedReady);
    // One model call at a time: concurrent runs of one session would only fight over the same
    // cores. A request runs batch by batch, and a query that arrives meanwhile goes before the
    // next batch: a search during a long embedding job waits for one batch at most.
    const urgent: Work[] = [];
    const normal: Work[] = [];
    let busy = false;

    /** Runs the next batch of `w`; true when `w` is complete. */
    const step = async (w: Work): Promise<boolean> => {
      if (!w.req.texts.length) return true;
      if (!w.plan) {
        const encoded = tokenize(w.req.texts);
        w.plan = { encoded, batches: planBatches(encoded.input_ids!.map((r) => r.length), init.batch) };
      }
      const rows = w.plan.batches[w.next++]!;
      const feeds = padBatch(w.plan.encoded, rows, padId);
      const started = performance.now();
      const hidden = await run(feeds);
      w.ms += performance.now() - started;
      const pooled = poolAndNormalize(hidden.data, hidden.dims, feeds.attention_mask!.data, init.pooling, init.normalize);
      const dims = hidden.dims[hidden.dims.length - 1]!;
      w.dims = dims;
      w.vectors ??= new Float32Array(w.req.texts.length * dims);
      rows.forEach((r, k) => w.vectors!.set(pooled.subarray(k * dims, (k + 1) * dims), r * dims));
      return w.next === w.plan.batches.length;
    };

    const drain = async () => {
      if (busy) return;
      busy = true;
      for (let w = urgent[0] ?? normal[0]; w; w = urgent[0] ?? normal[0]) {
        let finished: boolean;
        let res: EmbedResponse;
        try {
          finished = await step(w);
          res = { id: w.req.id, ok: true, dims: w.dims, vectors: w.vectors ?? new Float32Array(0), ms: w.ms };
        } catch (err) {
          finished = true;
          res = { id: w.req.id, ok: false, message: (err as Error).message ?? String(err) };
        }
        if (!finished) continue;
        const queue = urgent[0] === w ? urgent : normal;
        queue.shift();
        if (res.ok) port.postMessage(res, [res.vectors.buffer as ArrayBuffer]);
        else port.postMessage(res);
      }
      busy = false;
    };
    port.on('message', (req: EmbedRequest) => {
      (req.urgent ? urgent : normal).push({ req, plan: null, next: 0, vectors: null, dims: 0, ms: 0 });
      void drain();
    });
  },
  (err: unknown) => port.postMessage({ ready: false, message: (err as Error).message ?? String(err) } satisfies EmbedReady),
);
