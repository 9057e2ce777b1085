/**
 * The embedding models Hindsight knows, with the sha256 of their published weights (from the
 * upstream Git LFS pointers). A model is only used without `allowUnverified` when its weights
 * match these pins; Hindsight never falls back to an unknown or random model on its own.
 */
export interface WeightsFile {
  /** Path inside the model folder. */
  file: string;
  bytes: number;
  sha256: string;
  /** Transformers.js dtype that selects this file. */
  dtype: 'q8' | 'fp32';
}

export interface ModelSpec {
  name: string;
  /** Hugging Face repository in Transformers.js layout (for `model fetch`). */
  repo: string;
  license: string;
  dims: number;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  /** Prepended to queries / passages (e5-style models need them; gte and MiniLM do not). */
  queryPrefix: string;
  passagePrefix: string;
  maxTokens: number;
  /** Preferred first. */
  weights: WeightsFile[];
  /** Files besides the weights that a model folder must have. */
  files: string[];
  tokenizerSha256: string;
}

const BERT_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];
const BERT_UNCASED_TOKENIZER = 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0';

export const MODELS: readonly ModelSpec[] = [
  {
    name: 'gte-small',
    repo: 'Supabase/gte-small',
    license: 'MIT',
    dims: 384,
    pooling: 'mean',
    normalize: true,
    queryPrefix: '',
    passagePrefix: '',
    maxTokens: 512,
    weights: [
      { file: 'onnx/model_quantized.onnx', bytes: 34_014_427, sha256: '34440558460f3d0d05fda102ade2d2a0672d112dd8c05b540c8fc3bc2051db90', dtype: 'q8' },
      { file: 'onnx/model.onnx', bytes: 133_093_491, sha256: 'b9c15a9afac5d465bda995eca8010fac61efc79c827bc980085810e37d271795', dtype: 'fp32' },
    ],
    files: BERT_FILES,
    tokenizerSha256: BERT_UNCASED_TOKENIZER,
  },
  {
    name: 'all-MiniLM-L6-v2',
    repo: 'Xenova/all-MiniLM-L6-v2',
    license: 'Apache-2.0',
    dims: 384,
    pooling: 'mean',
    normalize: true,
    queryPrefix: '',
    passagePrefix: '',
    maxTokens: 256,
    weights: [
      { file: 'onnx/model_quantized.onnx', bytes: 22_972_370, sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1', dtype: 'q8' },
      { file: 'onnx/model.onnx', bytes: 90_387_606, sha256: '759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e', dtype: 'fp32' },
    ],
    files: BERT_FILES,
    tokenizerSha256: BERT_UNCASED_TOKENIZER,
  },
];

export const DEFAULT_MODEL = 'gte-small';

export function modelSpec(name: string): ModelSpec | undefined {
  return MODELS.find((m) => m.name === name);
}
