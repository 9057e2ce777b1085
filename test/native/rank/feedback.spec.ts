import { describe, expect, it } from 'vitest';
import { analyseDocument, type FieldValues, type SourceDocument } from '../../../native/rank/analyse.js';
import { withoutChatPrefixes } from '../../../native/rank/input-text.js';
import { DEFAULT_EXPANSION, expandAll, expandDocument, neighboursToRefresh } from '../../../native/rank/neighbour-expansion.js';
import { inputTerms, isContentTerm } from '../../../native/rank/query-terms.js';
import { DEFAULT_RM3, interpolate, relevanceModel } from '../../../native/rank/rm3.js';
import { MemoryTermIndex } from '../../../native/rank/term-index.js';

const corpus: SourceDocument[] = [
  { id: 1, title: 'KIAM certificate expired', passages: [{ id: 1, heading: 'Summary', text: 'The KIAM server certificate expired; x509 errors; pods could not assume roles.' }] },
  { id: 2, title: 'ADFS outage', passages: [{ id: 2, heading: 'Summary', text: 'The ADFS token signing certificate expired; x509 errors at login; renewed the certificate.' }] },
  { id: 3, title: 'Webhook certificate', passages: [{ id: 3, heading: 'Summary', text: 'An admission webhook certificate expired and x509 validation failed for every apply.' }] },
  { id: 4, title: 'Disk full', passages: [{ id: 4, heading: 'Summary', text: 'The node disk filled with logs and pods were evicted.' }] },
  { id: 5, title: 'Disk pressure', passages: [{ id: 5, heading: 'Summary', text: 'Disk pressure on nodes evicted pods; logs rotated.' }] },
  { id: 6, title: 'DNS', passages: [{ id: 6, heading: 'Summary', text: 'CoreDNS crashed; lookups failed.' }] },
];
function index(): MemoryTermIndex {
  const ix = new MemoryTermIndex();
  for (const d of corpus) ix.put(analyseDocument(d));
  return ix;
}

describe('inputTerms', () => {
  it('keeps content terms (stemmed like the index), drops function words and clock fragments, keeps status codes', () => {
    const ix = index();
    const terms = inputTerms(ix, 'Since 14:05 the pods get 503 and the certificate has EXPIRED', 48).map((t) => t.term);
    expect(terms).toEqual(expect.arrayContaining(['pod', '503', 'certif', 'expir']));
    expect(terms).not.toContain('14');
    expect(terms).not.toContain('the');
    expect(terms).not.toContain('ha');
    expect(isContentTerm('05')).toBe(false);
  });
  it('puts words the index has never seen first: they are what makes an input distinctive', () => {
    const terms = inputTerms(index(), 'certificate expired for the dmarc policy', 48);
    expect(terms[0]!.term).toBe('dmarc');
    expect(terms[0]!.df).toBe(0);
  });
});

describe('withoutChatPrefixes', () => {
  it('drops the clock time and speaker of pasted chat lines, keeps the messages', () => {
    const chat = "[09:12] anna: the cert on the LB expired\n[09:13] lu (oncall): renewing it\n09:20 billing-bot: done";
    expect(withoutChatPrefixes(chat)).toBe(' the cert on the LB expired\n renewing it\n done');
  });
  it('leaves prose with colons alone', () => {
    const text = 'Root cause: the certificate expired at 09:12 UTC.\nImpact: logins failed.';
    expect(withoutChatPrefixes(text)).toBe(text);
  });
});

describe('relevanceModel (RM3)', () => {
  it('votes for the terms the feedback documents share, in proportion to their scores; weights sum to 1', () => {
    const ix = index();
    const units = [1, 2, 3].map((id, i) => ({ terms: ix.documentTerms(id)!, score: 3 - i }));
    const model = relevanceModel(ix, units, { ...DEFAULT_RM3, expansionTerms: 5, maxDfShare: 1 });
    expect(model.reduce((s, t) => s + t.weight, 0)).toBeCloseTo(1, 10);
    const terms = model.map((t) => t.term);
    expect(terms.slice(0, 2).sort()).toEqual(['certif', 'expir']);
    expect(terms).toContain('x509');
    // A term of one document only (minDf 2) cannot bring in another document: it is not proposed.
    expect(terms).not.toContain('kiam');
  });
  it('minUnits keeps a term one feedback unit alone uses out of the query', () => {
    const ix = index();
    const units = [{ terms: ix.documentTerms(1)!, score: 1 }, { terms: ix.documentTerms(4)!, score: 1 }];
    const both = relevanceModel(ix, units, { ...DEFAULT_RM3, expansionTerms: 50, maxDfShare: 1, minUnits: 2 }).map((t) => t.term);
    // Only what both documents use survives: 'pod' (text) and 'summari' (both headings).
    expect(both.sort()).toEqual(['pod', 'summari']);
  });
  it('interpolates (1 − λ)·query + λ·expansion, each normalised first', () => {
    const q = interpolate([{ term: 'a', weight: 2 }, { term: 'b', weight: 2 }], [{ term: 'b', weight: 1 }, { term: 'c', weight: 3 }], 0.4);
    const w = Object.fromEntries(q.map((t) => [t.term, t.weight]));
    expect(w.a).toBeCloseTo(0.3);
    expect(w.b).toBeCloseTo(0.3 + 0.1);
    expect(w.c).toBeCloseTo(0.3);
  });
});

describe('neighbour expansion', () => {
  it('lends a document the salient terms of its nearest neighbours, and names them for refresh', () => {
    const ix = index();
    const e = expandDocument(ix, 1, { ...DEFAULT_EXPANSION, neighbours: 2, maxDfShare: 1 });
    expect(e.neighbours.map((n) => n.id).sort()).toEqual([2, 3]);
    expect(e.neighbours.every((n) => n.similarity > 0 && n.similarity < 1)).toBe(true);
    expect([...e.terms.keys()]).toEqual(expect.arrayContaining(['adf', 'webhook']));
    expect(Math.max(...e.terms.values())).toBeCloseTo(DEFAULT_EXPANSION.maxTf);
    expect(neighboursToRefresh(e).sort()).toEqual([2, 3]);
  });
  it('ignores expansion fields when finding neighbours: the result does not depend on import order', () => {
    const ix = index();
    const before = expandDocument(ix, 4, DEFAULT_EXPANSION);
    ix.setExpansion(6, new Map([['disk', 3], ['evict', 3]]));
    expect(expandDocument(ix, 4, DEFAULT_EXPANSION)).toEqual(before);
  });
  it('expandAll writes every document an expansion field', () => {
    const ix = index();
    expandAll(ix, { ...DEFAULT_EXPANSION, neighbours: 2 });
    const exp = (id: number) => [...ix.documentTerms(id)!].filter(([, v]: [string, Readonly<FieldValues>]) => v[3] > 0).map(([t]) => t);
    expect(exp(4)).toEqual(expect.arrayContaining(['pressur']));
    expect(ix.averageLength('document')[3]).toBeGreaterThan(0);
  });
});
