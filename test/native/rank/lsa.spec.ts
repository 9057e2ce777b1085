import { describe, expect, it } from 'vitest';
import { cosine, DEFAULT_LSA, LAZY_LATENT_MIN_PASSAGES, LsaModel, LsaScorer, RETRAIN, type LatentVectorSource } from '../../../native/rank/lsa.js';

/** Units over three disjoint topics, each topic's words co-occurring in varying mixtures. */
function topicUnits(perTopic: number) {
  const topics = [
    ['certif', 'x509', 'expir', 'renew', 'tls'],
    ['disk', 'evict', 'log', 'rotat', 'inode'],
    ['dns', 'coredn', 'lookup', 'nxdomain', 'resolv'],
  ];
  const units: Array<{ id: number; doc: number; topic: number; terms: Map<string, number> }> = [];
  let id = 0;
  topics.forEach((words, topic) => {
    for (let i = 0; i < perTopic; i++) {
      // Each unit uses three of its topic's five words: no two share all of them.
      const terms = new Map([0, 1, 2].map((k) => [words[(i + k * (1 + (i % 2))) % words.length]!, 1 + ((i + k) % 3)]));
      units.push({ id: ++id, doc: topic * 1000 + i, topic, terms });
    }
  });
  return { topics, units };
}

describe('LsaModel (randomised SVD)', () => {
  const { topics, units } = topicUnits(40);
  const model = LsaModel.train(units, { ...DEFAULT_LSA, rank: 6, minDf: 1 });

  it('learns an orthonormal term basis with descending singular values', () => {
    const k = model.rank;
    const m = model.vocabulary.size;
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let dot = 0;
        for (let r = 0; r < m; r++) dot += model.basis[r * k + a]! * model.basis[r * k + b]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 4);
      }
    }
    const s = [...model.singularValues];
    expect(s).toEqual([...s].sort((x, y) => y - x));
    expect(s[0]!).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', () => {
    const again = LsaModel.train(units, { ...DEFAULT_LSA, rank: 6, minDf: 1 });
    expect([...again.singularValues]).toEqual([...model.singularValues]);
  });

  it('brings text close to its topic even through words it does not share', () => {
    // "renew tls": no unit has exactly these two, yet they belong with the certificate units.
    const q = model.project(new Map([['renew', 1], ['tls', 1]]));
    const sims = units.map((u) => ({ topic: u.topic, c: cosine(q, model.project(u.terms)) }));
    const mean = (t: number) => sims.filter((s) => s.topic === t).reduce((a, s) => a + s.c, 0) / 40;
    expect(mean(0)).toBeGreaterThan(0.5);
    expect(mean(1)).toBeLessThan(0.1);
    expect(mean(2)).toBeLessThan(0.1);
    expect(topics[0]).toContain('renew');
  });

  it('projects unknown words to nothing', () => {
    const v = model.project(new Map([['kubernetes', 3]]));
    expect([...v].every((x) => x === 0)).toBe(true);
  });

  it('samples at most maxTrainingUnits, and still ranks by topic', () => {
    const sampled = LsaModel.train(units, { ...DEFAULT_LSA, rank: 6, minDf: 1, maxTrainingUnits: 30 });
    expect(sampled.trainedUnits).toBe(units.length);
    const scorer = new LsaScorer(sampled);
    for (const u of units) scorer.set(u.id, u.doc, u.terms);
    const sims = scorer.similarities([{ term: 'coredn', weight: 1 }, { term: 'lookup', weight: 1 }]);
    const best = [...sims].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([doc]) => Math.floor(doc / 1000));
    expect(best.every((t) => t === 2)).toBe(true);
  });

  it('scores given documents exactly as the full scan does, and only them, after passages move and go', () => {
    const scorer = new LsaScorer(model);
    for (const u of units) scorer.set(u.id, u.doc, u.terms);
    // A passage moved to another document, and one removed: the given documents follow.
    scorer.set(units[0]!.id, 2000, units[0]!.terms);
    scorer.delete(units[1]!.id);
    const q = [{ term: 'certif', weight: 1 }, { term: 'dns', weight: 0.5 }];
    const all = scorer.similarities(q);
    const wanted = [units[0]!.doc, units[1]!.doc, 2000, 1005, 7777];
    const some = scorer.similarities(q, wanted);
    expect([...some.keys()].every((d) => wanted.includes(d))).toBe(true);
    for (const d of wanted) expect(some.get(d)).toBe(all.get(d));
    expect(some.has(units[1]!.doc)).toBe(false);
    expect(some.get(2000)).toBeGreaterThan(0);
  });

  it('says when to retrain: after a quarter of the corpus changed, or when new text is mostly unknown', () => {
    const m = LsaModel.train(units, { ...DEFAULT_LSA, rank: 6, minDf: 1 });
    for (let i = 0; i < 20; i++) m.foldIn(new Map([['certif', 1]]));
    expect(m.staleness().retrain).toBe(false);
    for (let i = 0; i < Math.ceil(units.length * RETRAIN.changedShare) - 20; i++) m.foldIn(new Map([['disk', 1]]));
    expect(m.staleness().retrain).toBe(true);
    const fresh = LsaModel.train(units, { ...DEFAULT_LSA, rank: 6, minDf: 1 });
    for (let i = 0; i < 20; i++) fresh.foldIn(new Map([['kafka', 2], ['zookeep', 2]]));
    expect(fresh.staleness().unknownShare).toBe(1);
    expect(fresh.staleness().retrain).toBe(true);
  });

  it('reads stored vectors document by document, then the rest in one read once it holds a good share of the corpus', () => {
    // 6,000 one-passage documents (unit id = document id): the threshold is LAZY_LATENT_MIN_PASSAGES.
    const many = topicUnits(2000).units.map((u) => ({ ...u, doc: u.id }));
    const big = LsaModel.train(many, { ...DEFAULT_LSA, rank: 6, minDf: 1, maxTrainingUnits: 300 });
    const stored = new Map(many.map((u) => [u.doc, { unit: u.id, v: big.project(u.terms) }]));
    const calls = { documents: 0, all: 0, read: 0 };
    const source: LatentVectorSource = {
      documents(docs, put) {
        calls.documents++;
        for (const d of docs) { calls.read++; put(stored.get(d)!.unit, d, stored.get(d)!.v); }
      },
      all(put, skip) {
        calls.all++;
        for (const [d, s] of stored) if (!skip.has(d)) { calls.read++; put(s.unit, d, s.v); }
      },
    };
    const scorer = new LsaScorer(big, source);
    const q = [{ term: 'dns', weight: 1 }];
    const batch = (k: number) => many.slice(k * 1000, (k + 1) * 1000).map((u) => u.doc);
    const batchesBelow = Math.ceil(LAZY_LATENT_MIN_PASSAGES / 1000) - 1;
    for (let k = 0; k < batchesBelow; k++) scorer.similarities(q, batch(k));
    // Below the threshold: only the documents scored were read.
    expect(calls).toEqual({ documents: batchesBelow, all: 0, read: batchesBelow * 1000 });
    expect(scorer.inMemory).toBe(batchesBelow * 1000);
    scorer.similarities(q, batch(batchesBelow));
    // At it: the rest in one read, none read twice; later rankings read nothing.
    expect(calls.all).toBe(1);
    expect(calls.read).toBe(many.length);
    expect(scorer.inMemory).toBe(many.length);
    const before = { ...calls };
    const last = scorer.similarities(q, batch(5));
    expect(calls).toEqual(before);
    // The same scores a scorer given every vector by hand computes.
    const full = new LsaScorer(big);
    for (const u of many) full.setVector(u.id, u.doc, stored.get(u.doc)!.v);
    const want = full.similarities(q, batch(5));
    expect([...last.entries()]).toEqual([...want.entries()]);
  });
});

