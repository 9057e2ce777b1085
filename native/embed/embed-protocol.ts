/** Messages between the Embedder (calling thread) and its worker. */
export interface EmbedWorkerInit {
  root: string;
  name: string;
  dtype: 'q8' | 'fp32';
  pooling: 'mean' | 'cls';
  normalize: boolean;
  threads: number;
  /** Tokens the model reads (its position table): longer passages are truncated, never an error. */
  maxTokens: number;
}

/** `urgent`: a query someone is waiting for, answered before queued passage batches. */
export type EmbedRequest = { id: number; texts: string[]; urgent: boolean };

export type EmbedResponse =
  | { id: number; ok: true; dims: number; vectors: Float32Array; /** Time inside the model. */ ms: number }
  | { id: number; ok: false; message: string };

export type EmbedReady = { ready: true } | { ready: false; message: string };
