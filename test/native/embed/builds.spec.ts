import { statSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedder } from '../../../native/embed/embedder.js';
import { locateModel, type LocatedModel } from '../../../native/embed/model-locator.js';
import { bertShapedModel, tinyEmbeddingModel, writeModelFolder } from '../../support/generated-models.js';
import { quantizeDynamic, type QuantizeReport } from '../../support/quantize-model.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
/** A BERT of the real operators but tiny sizes: it has a 512-row position table, like gte-small. */
const SMALL_BERT = { layers: 2, hidden: 32, heads: 2, intermediate: 64 };
const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);

describe('int8 builds (the quantizer used for generated models)', () => {
  it('rewrites every weight MatMul and embedding Gather as the dynamic quantizer does, at a quarter of the size', () => {
    const fp32 = bertShapedModel(SMALL_BERT);
    const report: QuantizeReport = { matMuls: 0, gathers: 0 };
    const int8 = quantizeDynamic(fp32, report);
    // 6 dense layers per encoder layer; word, position and type embeddings.
    expect(report).toEqual({ matMuls: SMALL_BERT.layers * 6, gathers: 3 });
    const ops = onnxProto.onnx.ModelProto.decode(int8).graph!.node!.map((n) => n.opType);
    expect(ops.filter((o) => o === 'MatMulInteger')).toHaveLength(report.matMuls);
    expect(ops.filter((o) => o === 'DynamicQuantizeLinear')).toHaveLength(report.matMuls);
    expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(3);
    // Attention's activation × activation products stay float.
    expect(ops.filter((o) => o === 'MatMul')).toHaveLength(SMALL_BERT.layers * 2);
    expect(int8.length).toBeLessThan(fp32.length * 0.3);
  });
});

describe('choosing a build', () => {
  const root = join(dir, 'both');
  beforeAll(() => writeModelFolder(root, 'gte-small', tinyEmbeddingModel(64), 'both'));

  it('uses the int8 build by default when both builds are present', async () => {
    const { model } = await locateModel({ roots: [root], preferred: 'gte-small', allowUnverified: true });
    expect(model!.weights).toMatchObject({ file: 'onnx/model_quantized.onnx', dtype: 'q8' });
    expect(statSync(join(root, 'gte-small', 'onnx', 'model_quantized.onnx')).size).toBeLessThan(statSync(join(root, 'gte-small', 'onnx', 'model.onnx')).size / 3);
  });

  it('uses fp32 when asked, and the two builds are different model ids (their vectors never mix)', async () => {
    const q8 = (await locateModel({ roots: [root], preferred: 'gte-small', allowUnverified: true })).model!;
    const fp32 = (await locateModel({ roots: [root], preferred: 'gte-small', allowUnverified: true, dtype: 'fp32' })).model!;
    expect(fp32.weights).toMatchObject({ file: 'onnx/model.onnx', dtype: 'fp32' });
    expect(fp32.modelId).not.toBe(q8.modelId);
  });

  it('embeds with the int8 build close to the float build', async () => {
    const q8 = (await locateModel({ roots: [root], preferred: 'gte-small', allowUnverified: true })).model!;
    const fp32 = (await locateModel({ roots: [root], preferred: 'gte-small', allowUnverified: true, dtype: 'fp32' })).model!;
    const texts = ['kafka consumer lag on the orders topic', 'certificate expired on the payment gateway', 'disk full on the build agents'];
    const [a, b] = [await Embedder.start(q8, 1), await Embedder.start(fp32, 1)];
    try {
      const [va, vb] = [await a.embedPassages(texts), await b.embedPassages(texts)];
      for (let i = 0; i < texts.length; i++) expect(dot(va[i]!, vb[i]!)).toBeGreaterThan(0.99);
      // ...and not identical: the int8 build really ran.
      expect(Array.from(va[0]!)).not.toEqual(Array.from(vb[0]!));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('an encoder with a position table (the shape of gte-small)', () => {
  let embedder: Embedder;
  let model: LocatedModel;
  beforeAll(async () => {
    const root = writeModelFolder(join(dir, 'bert'), 'gte-small', bertShapedModel(SMALL_BERT), 'both');
    model = (await locateModel({ roots: [root], preferred: 'gte-small', allowUnverified: true })).model!;
    embedder = await Embedder.start(model, { threads: 1, batch: 4 });
  });
  afterAll(() => embedder.close());

  it('reads at most 512 tokens of a passage (gte-small declares no limit of its own) instead of failing the batch', async () => {
    const long = 'replica '.repeat(3000);
    const vectors = await embedder.embedPassages([long, 'a short passage']);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(SMALL_BERT.hidden);
    // Beyond the cap the text is not read: a longer tail changes nothing.
    const [same] = await embedder.embedPassages([long + ' kafka'.repeat(500)]);
    expect(dot(vectors[0]!, same!)).toBeCloseTo(1, 5);
  });

  it('answers a repeated query from its cache', async () => {
    const before = embedder.inferenceMs;
    const first = await embedder.embedQuery('redis failover promoted a lagging replica');
    const afterFirst = embedder.inferenceMs;
    const again = await embedder.embedQuery('redis failover promoted a lagging replica');
    expect(afterFirst).toBeGreaterThan(before);
    expect(embedder.inferenceMs).toBe(afterFirst);
    expect(again).toBe(first);
  });

  it('answers a query between two batches of a long passage request, not after it', async () => {
    const oneByOne = await Embedder.start(model, { threads: 1, batch: 1 });
    try {
      const order: string[] = [];
      const passages = oneByOne.embedPassages(Array.from({ length: 40 }, (_, i) => `passage ${i} about ${'disk pressure '.repeat(i % 5)}`)).then(() => order.push('passages'));
      const query = oneByOne.embedQuery('certificate expired on the gateway').then(() => order.push('query'));
      await Promise.all([passages, query]);
      expect(order).toEqual(['query', 'passages']);
    } finally {
      await oneByOne.close();
    }
  });

  it('returns every passage of many batches in input order', async () => {
    const texts = Array.from({ length: 23 }, (_, i) => `${'word '.repeat(i % 7)}passage ${i}`);
    const all = await embedder.embedPassages(texts);
    const one = await embedder.embedPassages([texts[17]!]);
    expect(all).toHaveLength(23);
    expect(dot(all[17]!, one[0]!)).toBeCloseTo(1, 4);
  });
});
