import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../common/worker.js';
import { availableParallelism } from 'node:os';
import { HindsightError } from '../common/errors.js';
import type { EmbedReady, EmbedResponse, EmbedWorkerInit } from './embed-protocol.js';
import type { LocatedModel } from './model-locator.js';

/** Batches kept small: padding makes one long passage slow down its whole batch. */
export const EMBED_BATCH = 16;

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

  /**
   * Starts the worker and waits for the model to load. Inference gets every core: the calling
   * thread only parses and writes between batches.
   */
  static async start(model: LocatedModel, threads = availableParallelism()): Promise<Embedder> {
    const init: EmbedWorkerInit = {
      root: model.root,
      name: model.spec.name,
      dtype: model.weights.dtype,
      pooling: model.spec.pooling,
      normalize: model.spec.normalize,
      threads,
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
    // Batch passages of similar length together: a batch is padded to its longest member.
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const out = new Array<Float32Array>(texts.length);
    for (let i = 0; i < order.length; i += EMBED_BATCH) {
      const idx = order.slice(i, i + EMBED_BATCH);
      const vectors = await this.run(idx.map((j) => prefix + texts[j]!));
      idx.forEach((j, k) => (out[j] = vectors[k]!));
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [v] = await this.run([this.model.spec.queryPrefix + text]);
    return v!;
  }

  private run(texts: string[]): Promise<Float32Array[]> {
    if (!texts.length) return Promise.resolve([]);
    if (this.dead) return Promise.reject(new HindsightError('embed-failed', `The embedding worker stopped: ${this.dead.message}`));
    const id = this.nextId++;
    return new Promise<Float32Array[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, count: texts.length });
      this.worker.postMessage({ id, texts });
    });
  }

  async close(): Promise<void> {
    this.dead ??= new Error('closed');
    await this.worker.terminate();
  }
}
