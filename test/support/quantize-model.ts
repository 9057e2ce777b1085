/**
 * Dynamic int8 quantization of a float ONNX model, written with onnx-proto because onnxruntime's
 * quantizer is Python-only. It rewrites the graph the way `onnxruntime.quantization.quantize_dynamic`
 * (what Optimum and Transformers.js use to make `model_quantized.onnx`) does:
 *
 * - every MatMul whose second input is a weight becomes
 *   `DynamicQuantizeLinear(A) → MatMulInteger(A_q, W_q, A_zp, W_zp) → Cast(float) → Mul(A_scale·W_scale)`
 *   with W quantized once to int8 (symmetric, per tensor, zero point 0); onnxruntime fuses the
 *   chain into its DynamicQuantizeMatMul kernel;
 * - every Gather from a weight table (the token, position and type embeddings) reads an int8
 *   table and dequantizes only the rows it gathered (`Gather → DequantizeLinear`).
 *
 * Everything else (LayerNorm, Softmax, GELU, biases) stays float, as in the real quantized builds.
 * The result is about a quarter of the size of the float model.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT8 = onnx.TensorProto.DataType.INT8;

function floats(t: OnnxTypes.ITensorProto): Float32Array {
  if (t.rawData?.length) {
    const raw = t.rawData;
    const copy = new Uint8Array(raw.length);
    copy.set(raw);
    return new Float32Array(copy.buffer);
  }
  return Float32Array.from(t.floatData ?? []);
}

/** Symmetric int8 per tensor: scale = max|w| / 127, zero point 0 (onnxruntime's QInt8 default). */
function quantizeTensor(w: Float32Array): { q: Int8Array; scale: number } {
  let max = 0;
  for (const v of w) max = Math.max(max, Math.abs(v));
  const scale = max / 127 || 1;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i]! / scale)));
  return { q, scale };
}

export interface QuantizeReport {
  matMuls: number;
  gathers: number;
}

/** The int8 build of a float model (bytes in, bytes out). */
export function quantizeDynamic(fp32: Uint8Array, report?: QuantizeReport): Uint8Array {
  const model = onnx.ModelProto.decode(fp32);
  const graph = model.graph!;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const keep = new Map(inits);
  const added: OnnxTypes.ITensorProto[] = [];
  const nodes: OnnxTypes.INodeProto[] = [];
  let n = 0;
  const name = (p: string) => `${p}_q${n++}`;
  const scalar = (value: number): string => {
    const id = name('scale');
    added.push({ name: id, dims: [], dataType: FLOAT, rawData: new Uint8Array(new Float32Array([value]).buffer) });
    return id;
  };
  const int8Zero = (): string => {
    const id = name('zp');
    added.push({ name: id, dims: [], dataType: INT8, rawData: new Uint8Array(1) });
    return id;
  };
  const int8Tensor = (dims: number[], q: Int8Array): string => {
    const id = name('w');
    added.push({ name: id, dims, dataType: INT8, rawData: new Uint8Array(q.buffer) });
    return id;
  };
  const quantizedWeight = (w: OnnxTypes.ITensorProto) => {
    const { q, scale } = quantizeTensor(floats(w));
    keep.delete(w.name!);
    return { q: int8Tensor((w.dims ?? []).map(Number), q), scale: scalar(scale), zp: int8Zero() };
  };
  const cache = new Map<string, ReturnType<typeof quantizedWeight>>();
  // A weight read by anything but the ops rewritten here stays float.
  const uses = new Map<string, number>();
  for (const node of graph.node ?? []) for (const i of node.input ?? []) uses.set(i, (uses.get(i) ?? 0) + 1);
  const weightOf = (input: string) => {
    const t = inits.get(input);
    if (!t || t.dataType !== FLOAT || (t.dims ?? []).length !== 2 || uses.get(input) !== 1) return null;
    let w = cache.get(input);
    if (!w) cache.set(input, (w = quantizedWeight(t)));
    return w;
  };

  for (const node of graph.node ?? []) {
    const [a, b] = node.input ?? [];
    if (node.opType === 'MatMul' && b && weightOf(b)) {
      const w = weightOf(b)!;
      const [aq, aScale, aZp] = [name('a'), name('a_scale'), name('a_zp')];
      const [mm, cast, mult] = [name('mm'), name('cast'), name('mult')];
      nodes.push({ opType: 'DynamicQuantizeLinear', input: [a!], output: [aq, aScale, aZp] });
      nodes.push({ opType: 'MatMulInteger', input: [aq, w.q, aZp, w.zp], output: [mm] });
      nodes.push({ opType: 'Mul', input: [aScale, w.scale], output: [mult] });
      nodes.push({ opType: 'Cast', input: [mm], output: [cast], attribute: [{ name: 'to', i: FLOAT, type: onnx.AttributeProto.AttributeType.INT }] });
      nodes.push({ opType: 'Mul', input: [cast, mult], output: node.output });
      if (report) report.matMuls++;
    } else if (node.opType === 'Gather' && a && weightOf(a)) {
      const w = weightOf(a)!;
      const rows = name('rows');
      nodes.push({ ...node, input: [w.q, ...(node.input ?? []).slice(1)], output: [rows] });
      nodes.push({ opType: 'DequantizeLinear', input: [rows, w.scale, w.zp], output: node.output });
      if (report) report.gathers++;
    } else {
      nodes.push(node);
    }
  }
  graph.node = nodes;
  graph.initializer = [...keep.values(), ...added];
  model.producerName = 'hindsight-test-quantizer';
  return onnx.ModelProto.encode(model).finish();
}
