import { describe, expect, it } from 'vitest';
import { analyseDocument, type SourceDocument } from '../../../native/rank/analyse.js';
import { MemoryTermIndex, type Level, type TermIndex } from '../../../native/rank/term-index.js';

const docs: SourceDocument[] = [
  { id: 1, title: 'Certificate expired', passages: [{ id: 11, heading: 'Summary', text: 'The KIAM server certificate expired and pods crash-looped.' }, { id: 12, heading: 'Resolution', text: 'We renewed the certificate.' }] },
  { id: 2, title: 'DNS outage', passages: [{ id: 21, heading: 'Summary', text: 'CoreDNS pods were OOMKilled; lookups failed with NXDOMAIN.' }] },
  { id: 3, title: 'Disk full', passages: [{ id: 31, heading: 'Summary', text: 'The node disk filled up; pods were evicted. Certificate renewal was unaffected.' }, { id: 32, heading: 'Impact', text: 'Pods pods pods evicted.' }] },
];

/** Everything a scorer can observe of an index, for a vocabulary. */
function snapshot(index: TermIndex, terms: string[]) {
  const levels: Level[] = ['document', 'passage'];
  return levels.map((level) => ({
    count: index.count(level),
    avg: index.averageLength(level),
    terms: terms.map((t) => {
      const b = index.postings(t, level, 100);
      const rows = Array.from({ length: b.size }, (_, i) => ({ id: b.ids[i], doc: b.docs[i], tf: [...b.tf.slice(i * 4, i * 4 + 4)], length: [...b.length.slice(i * 4, i * 4 + 4)] }));
      return { t, df: index.df(t, level), rows: rows.sort((x, y) => x.id! - y.id!) };
    }),
  }));
}

const vocabulary = ['certif', 'pod', 'expir', 'dn', 'evict', 'summari', 'disk', 'nxdomain'];

function build(list: SourceDocument[]): MemoryTermIndex {
  const index = new MemoryTermIndex();
  for (const d of list) index.put(analyseDocument(d));
  return index;
}

describe('analyseDocument', () => {
  it('counts terms per field as FTS5 would index them (title with every passage)', () => {
    const a = analyseDocument(docs[0]!);
    expect(a.tf.get('certif')).toEqual([1, 0, 2, 0]);
    expect(a.passages[0]!.tf.get('certif')).toEqual([1, 0, 1, 0]);
    expect(a.passages[1]!.tf.get('certif')).toEqual([1, 0, 1, 0]);
    expect(a.passages[1]!.tf.get('resolut')).toEqual([0, 1, 0, 0]);
    expect(a.length[0]).toBe(2);
    expect(a.passages[0]!.length).toEqual([2, 1, 9, 0]);
  });
});

describe('MemoryTermIndex', () => {
  it('keeps document frequencies, lengths and postings per level', () => {
    const index = build(docs);
    expect(index.count('document')).toBe(3);
    expect(index.count('passage')).toBe(5);
    expect(index.df('certif', 'document')).toBe(2);
    expect(index.df('certif', 'passage')).toBe(3);
    expect(index.df('pod', 'passage')).toBe(4);
    const b = index.postings('pod', 'passage', 10);
    expect([...b.ids].sort()).toEqual([11, 21, 31, 32]);
    expect([...b.docs].sort()).toEqual([1, 2, 3, 3]);
    expect(index.passageTerms(32)!.get('pod')).toEqual([0, 0, 3, 0]);
    expect(index.passagesOf(3)).toEqual([31, 32]);
    // A block handed back is refilled when it is large enough, with what a new one would hold.
    const again = index.postings('certif', 'passage', 10, b);
    expect(again).toBe(b);
    expect(again.size).toBe(3);
    const fresh = index.postings('certif', 'passage', 10);
    expect([...again.ids.subarray(0, 3)]).toEqual([...fresh.ids]);
    expect([...again.tf.subarray(0, 12)]).toEqual([...fresh.tf]);
    expect([...again.length.subarray(0, 12)]).toEqual([...fresh.length]);
    // Too small for the term: a new block, the one handed back untouched.
    const small = index.postings('certif', 'passage', 10, { size: 0, ids: new Int32Array(1), docs: new Int32Array(1), tf: new Float32Array(4), length: new Float32Array(4) });
    expect(small.ids.length).toBe(3);
  });

  it('after a removal, observes exactly what an index built without the document does', () => {
    const index = build(docs);
    index.remove(2);
    expect(snapshot(index, vocabulary)).toEqual(snapshot(build([docs[0]!, docs[2]!]), vocabulary));
    expect(index.df('nxdomain', 'document')).toBe(0);
    expect(index.postings('nxdomain', 'passage', 10).size).toBe(0);
    expect(index.passageTerms(21)).toBeNull();
  });

  it('replacing a document equals building with its new version', () => {
    const index = build(docs);
    const changed: SourceDocument = { id: 1, title: 'Ingress certificate', passages: [{ id: 13, heading: 'Summary', text: 'Ingress served an expired certificate.' }] };
    index.put(analyseDocument(changed));
    expect(snapshot(index, [...vocabulary, 'ingress'])).toEqual(snapshot(build([changed, docs[1]!, docs[2]!]), [...vocabulary, 'ingress']));
  });

  it('returns the most frequent postings first when a term has more than the limit', () => {
    const index = build(docs);
    const b = index.postings('pod', 'passage', 1);
    expect(b.size).toBe(1);
    expect(b.ids[0]).toBe(32);
  });

  it('an expansion adds frequency and length in its own field without changing document frequencies', () => {
    const index = build(docs);
    index.setExpansion(2, new Map([['certif', 2], ['renew', 1]]));
    expect(index.df('certif', 'document')).toBe(2);
    expect(index.df('renew', 'document')).toBe(2);
    expect(index.documentTerms(2)!.get('certif')).toEqual([0, 0, 0, 2]);
    expect(index.averageLength('document')[3]).toBe(3);
    const b = index.postings('certif', 'document', 10);
    expect(b.size).toBe(3);
    // Replacing the document keeps its expansion until it is refreshed; clearing it restores the index.
    index.put(analyseDocument(docs[1]!));
    expect(index.documentTerms(2)!.get('renew')).toEqual([0, 0, 0, 1]);
    index.setExpansion(2, new Map());
    expect(snapshot(index, vocabulary)).toEqual(snapshot(build(docs), vocabulary));
  });
});
