import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedder } from '../../../native/embed/embedder.js';
import { locateModel } from '../../../native/embed/model-locator.js';
import { TestApi } from '../../support/api.js';
import { ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const models = ensureTinyModel(join(dir, 'models'));

describe('locating a model', () => {
  it('reports absence plainly, with how to install one', async () => {
    const { model, state } = await locateModel({ roots: [join(dir, 'none')], preferred: 'gte-small', allowUnverified: false });
    expect(model).toBeNull();
    expect(state).toMatchObject({ state: 'absent' });
    expect(state.state === 'absent' && state.howToInstall).toMatch(/hindsight model fetch/);
  });

  it('refuses weights that do not match the pinned hash', async () => {
    const { model, state } = await locateModel({ roots: [models], preferred: 'gte-small', allowUnverified: false });
    expect(model).toBeNull();
    expect(state.state).toBe('error');
    expect(state.state === 'error' && state.message).toMatch(/do not match the published gte-small/);
  });

  it('uses them only when unverified weights are explicitly allowed, and says so', async () => {
    const { model, state } = await locateModel({ roots: [models], preferred: 'gte-small', allowUnverified: true });
    expect(model?.verified).toBe(false);
    expect(state).toMatchObject({ state: 'ready', verified: false, name: 'gte-small' });
    expect(model!.modelId).toMatch(/^gte-small:[0-9a-f]{16}$/);
  });

  it('reports an incomplete model folder', async () => {
    const broken = join(dir, 'broken');
    cpSync(join(models, 'gte-small'), join(broken, 'gte-small'), { recursive: true });
    writeFileSync(join(broken, 'gte-small', 'tokenizer.json'), '');
    const { rmSync } = await import('node:fs');
    rmSync(join(broken, 'gte-small', 'vocab.txt'));
    const { state } = await locateModel({ roots: [broken], preferred: 'gte-small', allowUnverified: true });
    expect(state.state === 'error' && state.message).toMatch(/incomplete \(missing vocab.txt\)/);
  });
});

describe('Embedder (generated model through Transformers.js and onnxruntime-node)', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    const { model } = await locateModel({ roots: [models], preferred: 'gte-small', allowUnverified: true });
    embedder = await Embedder.start(model!, 1);
  });
  afterAll(() => embedder.close());

  it('returns one unit vector per passage, batched past the batch size', async () => {
    const texts = Array.from({ length: 37 }, (_, i) => `passage number ${i} about kafka consumer lag`);
    const vectors = await embedder.embedPassages(texts);
    expect(vectors).toHaveLength(37);
    for (const v of vectors) {
      expect(v).toHaveLength(64);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    }
    expect(embedder.dims).toBe(64);
  });

  it('is deterministic and mean-pools tokens: shared words make texts closer', async () => {
    const [a, a2, b, c] = await embedder.embedPassages([
      'kafka consumer lag on the orders topic',
      'kafka consumer lag on the orders topic',
      'consumer lag grew on the kafka orders topic',
      'certificate expired on the payment gateway',
    ]);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(Array.from(a!)).toEqual(Array.from(a2!));
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!) + 0.2);
  });

  it('answers in the order asked although it batches by token count (as if each passage ran alone)', async () => {
    // Lengths mixed so that sorting reorders them, more than one request's worth.
    const texts = Array.from({ length: 70 }, (_, i) => `incident ${i} ` + 'disk pressure on the build agents '.repeat((i * 7) % 11));
    const together = await embedder.embedPassages(texts);
    for (const i of [0, 1, 5, 10, 33, 64, 69]) {
      const [alone] = await embedder.embedPassages([texts[i]!]);
      expect(Array.from(together[i]!)).toEqual(Array.from(alone!));
    }
  });

  it('truncates passages longer than the model accepts instead of failing', async () => {
    const [v] = await embedder.embedPassages(['word '.repeat(3000)]);
    expect(v).toHaveLength(64);
  });
});

describe('model changes', () => {
  it('never mixes vectors of two models: a new model clears the old vectors for re-embedding', async () => {
    const dbPath = join(dir, 'switch.db');
    const doc = join(dir, 'doc.md');
    writeFileSync(doc, '# Redis failover\n\n## Root cause\n\nSentinel promoted a lagging replica.\n');
    const first = await TestApi.open({ dbPath, models: { roots: [models], preferred: 'gte-small', allowUnverified: true } });
    await first.import({ paths: [doc] });
    expect((await first.stats()).index.embedded).toBeGreaterThan(0);
    await first.close();

    const other = ensureTinyModel(join(dir, 'other-models'), 32);
    const second = await TestApi.open({ dbPath, models: { roots: [other], preferred: 'gte-small', allowUnverified: true } });
    expect((await second.stats()).index).toMatchObject({ embedded: 0 });
    expect((await second.stats()).index.pending).toBeGreaterThan(0);
    const r = await second.reindex();
    expect(r.embedded).toBeGreaterThan(0);
    expect((await second.stats()).index.pending).toBe(0);
    const hit = await second.search({ query: 'replica promoted by sentinel' });
    expect(hit.mode).toBe('hybrid');
    expect(hit.hits[0]!.title).toBe('Redis failover');
    await second.close();
  });
});
