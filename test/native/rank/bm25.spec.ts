import { describe, expect, it } from 'vitest';
import { analyseDocument, type SourceDocument } from '../../../native/rank/analyse.js';
import { bm25, DEFAULT_BUDGET, idf, passageEvidence, passageEvidenceOf, type Bm25Settings } from '../../../native/rank/bm25.js';
import { fuse, ranked, Scored } from '../../../native/rank/fusion.js';
import { rankDocuments, SHORT_INPUT } from '../../../native/rank/rank.js';
import { MemoryTermIndex } from '../../../native/rank/term-index.js';

const docs: SourceDocument[] = [
  { id: 1, title: 'alpha', passages: [{ id: 11, heading: '', text: 'cert cert expired' }] },
  { id: 2, title: 'beta', passages: [{ id: 21, heading: '', text: 'cert dns dns dns lookup failed again' }] },
  { id: 3, title: 'gamma', passages: [{ id: 31, heading: '', text: 'disk full' }, { id: 32, heading: '', text: 'dns' }] },
];
const index = new MemoryTermIndex();
for (const d of docs) index.put(analyseDocument(d));
const textOnly: Bm25Settings = { k1: 1.2, b: [0, 0, 0.75, 0], weights: [0, 0, 1, 0] };
const unbounded = { perTerm: 1000, perPass: 1e9, maxDfShare: 1 };

describe('bm25', () => {
  it('computes BM25 by hand: idf · tf(k1+1) / (tf + k1(1 − b + b·len/avg))', () => {
    const { scores } = bm25(index, [{ term: 'cert', weight: 1 }], 'document', textOnly, unbounded);
    const avg = (3 + 7 + 3) / 3;
    const expected = (tf: number, len: number) => idf(2, 3) * (tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * len) / avg));
    expect(scores.get(1)!.score).toBeCloseTo(expected(2, 3), 10);
    expect(scores.get(2)!.score).toBeCloseTo(expected(1, 7), 10);
    expect(scores.has(3)).toBe(false);
  });

  it('weights query terms: a term of weight 2 counts twice', () => {
    const one = bm25(index, [{ term: 'dn', weight: 1 }], 'document', textOnly, unbounded).scores;
    const two = bm25(index, [{ term: 'dn', weight: 2 }], 'document', textOnly, unbounded).scores;
    expect(two.get(2)!.score).toBeCloseTo(2 * one.get(2)!.score, 10);
  });

  it('field weights count a title match like that many text matches (before saturation)', () => {
    const titled = bm25(index, [{ term: 'alpha', weight: 1 }], 'document', { k1: 1.2, b: [0, 0, 0, 0], weights: [3, 0, 1, 0] }, unbounded).scores;
    const asText = (3 * 2.2) / (3 + 1.2);
    expect(titled.get(1)!.score).toBeCloseTo(idf(1, 3) * asText, 10);
  });

  it('scores passages at passage level, each with its document', () => {
    const { scores } = bm25(index, [{ term: 'dn', weight: 1 }], 'passage', textOnly, unbounded);
    expect([...scores.keys()].sort()).toEqual([21, 32]);
    expect(scores.get(32)!.doc).toBe(3);
    const evidence = passageEvidence(scores.values());
    expect(evidence.get(3)).toBeCloseTo(scores.get(32)!.score, 10);
  });

  it('stays within its posting budget, leaving out the terms that can add least', () => {
    const query = [{ term: 'cert', weight: 1 }, { term: 'dn', weight: 1 }, { term: 'expir', weight: 1 }];
    const all = bm25(index, query, 'document', textOnly, unbounded);
    expect(all.postingsRead).toBe(5);
    // 'expir' (df 1) and one two-posting term fit in 3; the other is skipped.
    const bounded = bm25(index, query, 'document', textOnly, { perTerm: 1000, perPass: 3, maxDfShare: 1 });
    expect(bounded.postingsRead).toBe(3);
    const common = bm25(index, query, 'document', textOnly, { perTerm: 1000, perPass: 1e9, maxDfShare: 0.5 });
    expect(common.postingsRead).toBe(1);
    expect([...common.scores.keys()]).toEqual([1]);
  });
});

describe('fuse', () => {
  it('max-normalises each signal, then weighs and sums; ranks ties by id', () => {
    const f = fuse([{ scores: new Map([[1, 10], [2, 5]]), weight: 0.5 }, { scores: new Map([[2, 2], [3, 1]]), weight: 1 }]);
    expect(f.get(1)).toBeCloseTo(0.5);
    expect(f.get(2)).toBeCloseTo(0.25 + 1);
    expect(f.get(3)).toBeCloseTo(0.5);
    expect(ranked(f).map((r) => r.id)).toEqual([2, 1, 3]);
    expect(ranked(f, new Set([2])).map((r) => r.id)).toEqual([1, 3]);
  });
});

describe('passage evidence over columns', () => {
  it('is each document\'s best passages, sorted, weighted decay^i — for any depth, in first-seen order', () => {
    let x = 3;
    const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000) / 100;
    const n = 3_000;
    const docs = Int32Array.from({ length: n }, () => Math.floor(rand() * 40));
    const values = Float64Array.from({ length: n }, rand);
    for (const depth of [0, 1, 2, 3, 7]) {
      const byDoc = new Map<number, number[]>();
      for (let k = 0; k < n; k++) byDoc.set(docs[k]!, [...(byDoc.get(docs[k]!) ?? []), values[k]!]);
      const expected = [...byDoc].map(([d, list]) => [d, list.sort((a, b) => b - a).slice(0, depth).reduce((s, v, i) => s + v * 0.4 ** i, 0)]);
      expect([...passageEvidenceOf(n, docs, values, 0.4, depth)]).toEqual(expected);
    }
  });
});

describe('fusion over columns', () => {
  it('fuses columns and maps alike, and ranks them alike', () => {
    const columns = new Scored(2, Int32Array.from([1, 2]), Float64Array.from([10, 5]));
    const f = fuse([{ scores: columns, weight: 0.5 }, { scores: new Map([[2, 2], [3, 1]]), weight: 1 }]);
    expect([...f.keys()]).toEqual([1, 2, 3]);
    expect(f.get(2)).toBeCloseTo(1.25);
    expect(ranked(f, undefined, 2)).toEqual(ranked(fuse([{ scores: new Map([[1, 10], [2, 5]]), weight: 0.5 }, { scores: new Map([[2, 2], [3, 1]]), weight: 1 }]), undefined, 2));
    expect(f.pick([3, 9])).toEqual(new Map([[3, 0.5]]));
    expect(f.max()).toBeCloseTo(1.25);
  });

  it('sums every share while its table grows (thousands of ids in one fusion)', () => {
    const n = 20_000;
    const a = new Map(Array.from({ length: n }, (_, i) => [i * 7, 1 + (i % 5)] as [number, number]));
    const b = new Scored(n, Int32Array.from({ length: n }, (_, i) => i * 7), Float64Array.from({ length: n }, () => 2));
    const f = fuse([{ scores: a, weight: 1 }, { scores: b, weight: 0.5 }]);
    expect(f.size).toBe(n);
    for (let i = 0; i < n; i += 997) expect(f.get(i * 7)).toBeCloseTo((1 + (i % 5)) / 5 + 0.5, 12);
  });
});

describe('a ranking over thousands of matching passages', () => {
  // 1,700 documents of 4 passages, every one holding "broker": 6,800 passages match, more than
  // the 4,096 entries past which a V8 Map's table is a fresh large-object allocation.
  const big = new MemoryTermIndex();
  for (let d = 1; d <= 1_700; d++) {
    big.put(analyseDocument({ id: d, title: `note ${d}`, passages: [0, 1, 2, 3].map((p) => ({ id: d * 10 + p, heading: '', text: `broker lag ${p === d % 4 ? 'disk' : 'queue'} w${d % 97}` })) }));
  }

  it('scores them all and fills no Map past 4,096 entries on the way (columns, not a Map per pass)', () => {
    const settings = { ...SHORT_INPUT, budget: { ...DEFAULT_BUDGET, perTerm: 10_000, perPass: 20_000, maxDfShare: 1 }, rm3: null };
    const passages = bm25(big, [{ term: 'broker', weight: 1 }], 'passage', settings.bm25, settings.budget);
    expect(passages.size).toBe(6_800);
    const set = Map.prototype.set;
    let largest = 0;
    Map.prototype.set = function (this: Map<unknown, unknown>, k: unknown, v: unknown) {
      if (this.size > largest) largest = this.size;
      return set.call(this, k, v);
    };
    let ranking;
    try {
      ranking = rankDocuments(big, 'broker disk lag', settings, { top: 10 });
    } finally {
      Map.prototype.set = set;
    }
    expect(ranking.postingsRead).toBeGreaterThan(4_096);
    expect(ranking.documents).toHaveLength(10);
    expect(largest).toBeLessThan(4_096);
  });
});
