/** Messages between the Embedder (calling thread) and its worker. */
export interface EmbedWorkerInit {
  root: string;
  name: string;
  dtype: 'q8' | 'fp32';
  pooling: 'mean' | 'cls';
  normalize: boolean;
  threads: number;
}

export type EmbedRequest = { id: number; texts: string[] };

export type EmbedResponse =
  | { id: number; ok: true; dims: number; vectors: Float32Array; /** Time inside the model. */ ms: number }
  | { id: number; ok: false; message: string };

export type EmbedReady = { ready: true } | { ready: false; message: string };
