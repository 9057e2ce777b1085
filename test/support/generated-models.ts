/**
 * ONNX models generated for tests and benchmarks, placed beside the real tokenizer files of
 * ../shared/models so that the real loading path (Transformers.js → onnxruntime-node → pooling →
 * normalisation) runs end to end. Their weights are random: they are never installed for users,
 * and the engine only accepts them with `allowUnverified`.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { quantizeDynamic } from './quantize-model.js';

// onnx-proto is CommonJS: its namespace is a property of the default export.
const { onnx } = onnxProto;

/** ../shared beside the project; HINDSIGHT_SHARED names it for copies elsewhere (mutation testing's sandboxes). */
export const SHARED = process.env.HINDSIGHT_SHARED ?? new URL('../../../shared/', import.meta.url).pathname;
export const SHARED_MODELS = join(SHARED, 'models');
export const CORPUS = join(SHARED, 'corpus');
const TOKENIZER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];
const VOCAB = 30522;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** A deterministic PRNG (mulberry32), so that generated models are the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class GraphBuilder {
  nodes: OnnxTypes.INodeProto[] = [];
  inits: OnnxTypes.ITensorProto[] = [];
  private n = 0;
  private random: () => number;
  constructor(seed: number) {
    this.random = rng(seed);
  }
  name(prefix: string) {
    return `${prefix}_${this.n++}`;
  }
  tensor(dims: number[], fill: (i: number) => number): string {
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = fill(i);
    const name = this.name('w');
    this.inits.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  }
  random2(dims: number[], scale: number): string {
    return this.tensor(dims, () => (this.random() * 2 - 1) * scale);
  }
  const(values: number[], dims: number[] = [values.length]): string {
    return this.tensor(dims, (i) => values[i]!);
  }
  /** An int64 constant; `dims` [] makes a scalar. */
  int64(values: number[], dims: number[] = [values.length]): string {
    const name = this.name('i');
    const data = new BigInt64Array(values.map(BigInt));
    this.inits.push({ name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }
  op(opType: string, inputs: string[], attrs: OnnxTypes.IAttributeProto[] = []): string {
    const out = this.name(opType.toLowerCase());
    this.nodes.push({ opType, input: inputs, output: [out], attribute: attrs });
    return out;
  }
}

const ints = (name: string, v: number[]): OnnxTypes.IAttributeProto => ({ name, ints: v, type: onnx.AttributeProto.AttributeType.INTS });
const int = (name: string, v: number): OnnxTypes.IAttributeProto => ({ name, i: v, type: onnx.AttributeProto.AttributeType.INT });

function tokenInput(name: string): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: INT64, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }] } } },
  };
}

function encodeModel(g: GraphBuilder, inputs: string[], output: string, dims: number): Uint8Array {
  g.nodes.push({ opType: 'Identity', input: [output], output: ['last_hidden_state'] });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'hindsight-test-generator',
    graph: {
      name: 'generated',
      node: g.nodes,
      initializer: g.inits,
      input: inputs.map(tokenInput),
      output: [
        {
          name: 'last_hidden_state',
          type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }, { dimValue: dims }] } } },
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * A bag-of-words "embedding model": one random vector per token, mean-pooled by the pipeline.
 * Texts that share words get close vectors, which is enough to test semantic retrieval plumbing.
 */
export function tinyEmbeddingModel(dims = 64, seed = 7): Uint8Array {
  const g = new GraphBuilder(seed);
  const table = g.random2([VOCAB, dims], 1);
  const out = g.op('Gather', [table, 'input_ids'], [int('axis', 0)]);
  return encodeModel(g, ['input_ids', 'attention_mask'], out, dims);
}

/**
 * A BERT encoder of a given shape with random weights: the same operators and sizes as the real
 * model, so that inference time is realistic (it does not depend on weight values).
 */
export function bertShapedModel(shape: { layers: number; hidden: number; heads: number; intermediate: number }, seed = 11): Uint8Array {
  const { layers, hidden: H, heads, intermediate: I } = shape;
  const hd = H / heads;
  const g = new GraphBuilder(seed);
  const s = 0.02;
  const layerNorm = (x: string) => {
    const mean = g.op('ReduceMean', [x], [ints('axes', [-1]), int('keepdims', 1)]);
    const d = g.op('Sub', [x, mean]);
    // Pow(d, 2), as PyTorch exports LayerNorm: onnxruntime fuses exactly this chain into one
    // LayerNormalization kernel, as it does for the real model (a Mul(d, d) would stay unfused).
    const v = g.op('ReduceMean', [g.op('Pow', [d, g.const([2], [])])], [ints('axes', [-1]), int('keepdims', 1)]);
    const norm = g.op('Div', [d, g.op('Sqrt', [g.op('Add', [v, g.const([1e-12], [])])])]);
    return g.op('Add', [g.op('Mul', [norm, g.const(new Array(H).fill(1))]), g.const(new Array(H).fill(0))]);
  };
  const dense = (x: string, inDim: number, outDim: number) => g.op('Add', [g.op('MatMul', [x, g.random2([inDim, outDim], s)]), g.random2([outDim], s)]);

  const word = g.op('Gather', [g.random2([VOCAB, H], s), 'input_ids'], [int('axis', 0)]);
  // Range takes scalars: a scalar index into the shape gives the sequence length as one.
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.int64([1], [])], [int('axis', 0)]);
  const positions = g.op('Range', [g.int64([0], []), seqLen, g.int64([1], [])]);
  const pos = g.op('Gather', [g.random2([512, H], s), positions], [int('axis', 0)]);
  const type = g.op('Gather', [g.random2([2, H], s), 'token_type_ids'], [int('axis', 0)]);
  let x = layerNorm(g.op('Add', [g.op('Add', [word, pos]), type]));

  const maskF = g.op('Cast', ['attention_mask'], [int('to', FLOAT)]);
  const bias = g.op('Mul', [g.op('Sub', [g.const([1], []), maskF]), g.const([-10000], [])]);
  const maskBias = g.op('Unsqueeze', [bias, g.int64([1, 2])]);
  const headShape = g.int64([0, 0, heads, hd]);
  const mergeShape = g.int64([0, 0, H]);
  for (let l = 0; l < layers; l++) {
    const split = (t: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [t, headShape])], [ints('perm', perm)]);
    const q = split(dense(x, H, H), [0, 2, 1, 3]);
    const k = split(dense(x, H, H), [0, 2, 3, 1]);
    const v = split(dense(x, H, H), [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, k]), g.const([1 / Math.sqrt(hd)], [])]), maskBias]);
    const probs = g.op('Softmax', [scores], [int('axis', -1)]);
    const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], [ints('perm', [0, 2, 1, 3])]), mergeShape]);
    x = layerNorm(g.op('Add', [x, dense(ctx, H, H)]));
    const h = dense(x, H, I);
    const gelu = g.op('Mul', [g.op('Mul', [h, g.const([0.5], [])]), g.op('Add', [g.const([1], []), g.op('Erf', [g.op('Div', [h, g.const([Math.SQRT2], [])])])])]);
    x = layerNorm(g.op('Add', [x, dense(gelu, I, H)]));
  }
  return encodeModel(g, ['input_ids', 'attention_mask', 'token_type_ids'], x, H);
}

/**
 * Writes a model folder `<root>/<name>/` with the real tokenizer files of `name` from
 * ../shared/models and the given ONNX bytes as `onnx/model.onnx`; returns `root`. `builds` picks
 * which files to write: the float model, its int8 build (`onnx/model_quantized.onnx`, made by
 * `quantizeDynamic`), or both, as the real model repositories ship them.
 */
export function writeModelFolder(root: string, name: string, onnxBytes: Uint8Array, builds: 'fp32' | 'int8' | 'both' = 'fp32'): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of TOKENIZER_FILES) copyFileSync(join(SHARED_MODELS, name, f), join(dir, f));
  if (builds !== 'int8') writeFileSync(join(dir, 'onnx', 'model.onnx'), onnxBytes);
  if (builds !== 'fp32') writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), quantizeDynamic(onnxBytes));
  return root;
}

/** The tiny model as gte-small's folder under `root` (generated once per root). */
export function ensureTinyModel(root: string, dims = 64): string {
  if (!existsSync(join(root, 'gte-small', 'onnx', 'model.onnx'))) writeModelFolder(root, 'gte-small', tinyEmbeddingModel(dims));
  return root;
}

/** A model search that finds nothing: the engine runs lexically, whatever the machine has installed. */
export const NO_MODEL = { roots: [] as string[], preferred: 'gte-small', allowUnverified: false };

/** gte-small's real shape: 12 layers, hidden 384, 12 heads, intermediate 1536. */
export const GTE_SMALL_SHAPE = { layers: 12, hidden: 384, heads: 12, intermediate: 1536 };
