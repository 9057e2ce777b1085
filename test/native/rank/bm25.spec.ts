import { describe, expect, it } from 'vitest';
import { analyseDocument, type SourceDocument } from '../../../native/rank/analyse.js';
import { bm25, idf, passageEvidence, type Bm25Settings } from '../../../native/rank/bm25.js';
import { fuse, ranked } from '../../../native/rank/fusion.js';
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
