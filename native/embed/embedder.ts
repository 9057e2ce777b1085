import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../common/spawn-worker.js';
import { join } from 'node:path';
import { HindsightError } from '../common/errors.js';
import type { EmbedReady, EmbedRequest, EmbedResponse, EmbedWorkerInit } from './embed-protocol.js';
import type { LocatedModel } from './model-locator.js';

/**
 * Rows per model call: one. A passage alone is never padded and keeps the smallest working set in
 * cache: on the int8 gte-small-shaped encoder (raw onnxruntime, real passages) 30–33 CPU-ms a
 * passage alone, 34–36 in pairs, 44 in batches of 4 and 89 in 16 even sorted by token count; the
 * float build 63–69 alone against 80 in fours (`npm run bench -- --only embed`, the sweep).
 */
export const EMBED_BATCH = 1;

/**
 * ONNX Runtime intra-op threads: 0 lets it take one per physical core. Its idle threads sleep
 * rather than spin (onnx-session.ts), so they cost no CPU the rest of the job and the app need.
 */
export const EMBED_THREADS = 0;

/**
 * Passages per request to the worker: the worker sorts each request by token count, and a query
 * waits for one batch, not one request, so requests can be as large as a page of the job.
 */
const REQUEST_TEXTS = 64;

/**
 * A WordPiece token is at least one character and rarely more than a dozen: text past this many
 * characters per token the model reads would be truncated anyway, so it is not even tokenized.
 */
const CHARS_PER_TOKEN_CAP = 16;

/** Query vectors remembered (a few hundred KB). */
const QUERY_CACHE = 256;

export interface EmbedderOptions {
  /** ONNX Runtime intra-op threads (default EMBED_THREADS; 0 = one per physical core). */
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
      modelPath: join(model.dir, model.weights.file),
      pooling: model.spec.pooling,
      normalize: model.spec.normalize,
      threads: o.threads ?? EMBED_THREADS,
      batch: o.batch ?? EMBED_BATCH,
      maxTokens: model.spec.maxTokens,
    };
    const worker = spawnWorker('embed/embed-worker', init);
    const ready = await new Promise<EmbedReady>((resolve) => {
      worker.once('message', (m: EmbedReady) => resolve(m));
      worker.once('error', (err) => resolve({ ready: false, message: err.message }));
    });
    if (!ready.ready) {
      await worker.terminate();
      throw new HindsightError('model-load', `The embedding model in ${model.dir} could not be loaded: ${ready.message}`);
    }
    return new Embedder(worker, model);
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
    // All requests at once: the worker queues them and never waits for this thread between
    // batches; it sorts each by token count.
    const parts: Array<Promise<Float32Array[]>> = [];
    for (let i = 0; i < clipped.length; i += REQUEST_TEXTS) parts.push(this.run(clipped.slice(i, i + REQUEST_TEXTS), false));
    return (await Promise.all(parts)).flat();
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
