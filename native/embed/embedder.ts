import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../common/worker.js';
import { availableParallelism } from 'node:os';
import { HindsightError } from '../common/errors.js';
import type { EmbedReady, EmbedRequest, EmbedResponse, EmbedWorkerInit } from './embed-protocol.js';
import type { LocatedModel } from './model-locator.js';

/**
 * Passages per model call. Passages are sorted by length first (within a page of the embedding
 * job), and small batches pad least: on the int8 gte-small-shaped encoder, batches of 4 took
 * 52 CPU-ms a passage against 85 for 16 and 132 for 32 (`npm run bench -- --only embed`).
 */
export const EMBED_BATCH = 4;

/**
 * onnxruntime threads: all cores but one. The one left runs the rest of the job (tokenizing the
 * next batch, SQLite writes, index inserts) and the app itself, so they do not preempt the
 * model; on two cores one thread also cost ~45 % less CPU per passage than two.
 */
export const EMBED_THREADS = Math.max(1, availableParallelism() - 1);

/**
 * A WordPiece token is at least one character and rarely more than a dozen: text past this many
 * characters per token the model reads would be truncated anyway, so it is not even tokenized.
 */
const CHARS_PER_TOKEN_CAP = 16;

/** Query vectors remembered (a few hundred KB). */
const QUERY_CACHE = 256;

export interface EmbedderOptions {
  /** ONNX Runtime intra-op threads (default EMBED_THREADS). */
  threads?: number;
  /** Passages per model call (default EMBED_BATCH). */
  batch?: number;
}

/**
 * Turns passages and queries into unit vectors with the located model, in a worker thread.
 * Requests are queued and answered in order; `close()` ends the worker.
 */
export class Embedder {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void; count: number }>();
  private dimsSeen = 0;
  /** Why the worker is gone, once it is: calls then fail at once instead of waiting forever. */
  private dead: Error | null = null;
  /** Milliseconds spent inside the model, as timed by the worker (for the benchmark's overhead figure). */
  inferenceMs = 0;

  private constructor(
    private readonly worker: Worker,
    readonly model: LocatedModel,
    private readonly batch: number,
  ) {
    worker.on('message', (msg: EmbedResponse) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (!msg.ok) return p.reject(new HindsightError('embed-failed', `The embedding model failed: ${msg.message}`));
      this.dimsSeen = msg.dims;
      this.inferenceMs += msg.ms;
      const out: Float32Array[] = [];
      for (let i = 0; i < p.count; i++) out.push(msg.vectors.subarray(i * msg.dims, (i + 1) * msg.dims));
      p.resolve(out);
    });
    const failAll = (err: Error) => {
      this.dead ??= err;
      for (const p of this.pending.values()) p.reject(new HindsightError('embed-failed', `The embedding worker stopped: ${err.message}`));
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`exit code ${code}`)));
  }

  /** Starts the worker and waits for the model to load. */
  static async start(model: LocatedModel, options: EmbedderOptions | number = {}): Promise<Embedder> {
    const o = typeof options === 'number' ? { threads: options } : options;
    const init: EmbedWorkerInit = {
      root: model.root,
      name: model.spec.name,
      dtype: model.weights.dtype,
      pooling: model.spec.pooling,
      normalize: model.spec.normalize,
      threads: o.threads ?? EMBED_THREADS,
      maxTokens: model.spec.maxTokens,
    };
    const worker = spawnWorker(new URL('./embed-worker.js', import.meta.url), init);
    const ready = await new Promise<EmbedReady>((resolve) => {
      worker.once('message', (m: EmbedReady) => resolve(m));
      worker.once('error', (err) => resolve({ ready: false, message: err.message }));
    });
    if (!ready.ready) {
      await worker.terminate();
      throw new HindsightError('model-load', `The embedding model in ${model.dir} could not be loaded: ${ready.message}`);
    }
    return new Embedder(worker, model, o.batch ?? EMBED_BATCH);
  }

  /** False once the worker has exited or crashed: the engine starts a new one. */
  get alive(): boolean {
    return this.dead === null;
  }

  /** Vector width, known after the first batch (a test model may differ from the spec). */
  get dims(): number {
    return this.dimsSeen || this.model.spec.dims;
  }

  async embedPassages(texts: string[]): Promise<Float32Array[]> {
    const prefix = this.model.spec.passagePrefix;
    const clipped = texts.map((t) => this.clip(prefix + t));
    // Batch passages of similar length together: a batch is padded to its longest member.
    const order = clipped.map((_, i) => i).sort((a, b) => clipped[a]!.length - clipped[b]!.length);
    const out = new Array<Float32Array>(texts.length);
    // Two batches in flight: the worker starts the next one the moment one ends (it never waits
    // for this thread), yet a query sent meanwhile waits behind one batch at most.
    const batches: number[][] = [];
    for (let i = 0; i < order.length; i += this.batch) batches.push(order.slice(i, i + this.batch));
    let nextBatch = 0;
    const lane = async () => {
      while (nextBatch < batches.length) {
        const idx = batches[nextBatch++]!;
        const vectors = await this.run(idx.map((j) => clipped[j]!), false);
        idx.forEach((j, k) => (out[j] = vectors[k]!));
      }
    };
    await Promise.all([lane(), lane()]);
    return out;
  }

  /**
   * A query's vector. Recent queries are remembered (people refine, page and repeat searches),
   * and a query goes before queued passage batches.
   */
  async embedQuery(text: string): Promise<Float32Array> {
    const key = this.clip(this.model.spec.queryPrefix + text);
    const cached = this.queryCache.get(key);
    if (cached) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.queryCache.delete(key);
      this.queryCache.set(key, cached);
      return cached;
    }
    const pending = this.run([key], true).then(([v]) => v!);
    this.queryCache.set(key, pending);
    pending.catch(() => this.queryCache.delete(key));
    while (this.queryCache.size > QUERY_CACHE) this.queryCache.delete(this.queryCache.keys().next().value!);
    return pending;
  }

  /** Queries (or their vectors on the way) by text, least recently used first. */
  private readonly queryCache = new Map<string, Promise<Float32Array>>();

  private clip(text: string): string {
    const max = this.model.spec.maxTokens * CHARS_PER_TOKEN_CAP;
    return text.length > max ? text.slice(0, max) : text;
  }

  private run(texts: string[], urgent: boolean): Promise<Float32Array[]> {
    if (!texts.length) return Promise.resolve([]);
    if (this.dead) return Promise.reject(new HindsightError('embed-failed', `The embedding worker stopped: ${this.dead.message}`));
    const id = this.nextId++;
    return new Promise<Float32Array[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, count: texts.length });
      this.worker.postMessage({ id, texts, urgent } satisfies EmbedRequest);
    });
  }

  async close(): Promise<void> {
    this.dead ??= new Error('closed');
    await this.worker.terminate();
  }
}
