/** Messages between the Embedder (calling thread) and its worker. */
export interface EmbedWorkerInit {
  /** Folder holding the model folder `name` (its tokenizer files). */
  root: string;
  name: string;
  /** The ONNX weights file to run (the located build: int8 or fp32). */
  modelPath: string;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  /** ONNX Runtime intra-op threads; 0 = one per physical core. */
  threads: number;
  /** Rows per model call. */
  batch: number;
  /** Tokens the model reads (its position table): longer passages are truncated, never an error. */
  maxTokens: number;
}

/**
 * Texts to embed; the worker sorts them by token count into batches. `urgent`: a query someone is
 * waiting for, run before the next batch of queued passages.
 */
export type EmbedRequest = { id: number; texts: string[]; urgent: boolean };

export type EmbedResponse =
  | { id: number; ok: true; dims: number; vectors: Float32Array; /** Time inside the model. */ ms: number }
  | { id: number; ok: false; message: string };

export type EmbedReady = { ready: true } | { ready: false; message: string };
