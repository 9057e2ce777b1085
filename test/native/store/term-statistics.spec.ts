/**
 * The term statistics of the SQLite store (migration 0100, store/sqlite/ranking.ts): written with
 * each document, removed with it, and read through a TermIndex that must observe exactly what
 * the in-memory reference (rank/term-index.ts MemoryTermIndex) observes for the same documents.
 * Real postmortems from the shared corpus, chunked as the importer chunks them.
 */
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkMarkdown } from '../../../native/chunk/chunker.js';
import { splitFrontMatter } from '../../../native/import/front-matter.js';
import type { ParsedDocument } from '../../../native/import/parsed-document.js';
import { analyseDocument } from '../../../native/rank/analyse.js';
import { DEFAULT_LSA, LsaModel, trainingSample } from '../../../native/rank/lsa.js';
import { expandDocument } from '../../../native/rank/neighbour-expansion.js';
import { MemoryTermIndex, type Level, type TermIndex } from '../../../native/rank/term-index.js';
import { readTrainingUnits, trainFrom } from '../../../native/store/sqlite/latent-training.js';
import { SqliteStore } from '../../../native/store/sqlite/sqlite-store.js';
import type { DocumentWrite } from '../../../native/store/store.js';
import { CORPUS } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const files = readdirSync(join(CORPUS, 'postmortems'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md'))
  .sort()
  .slice(0, 24)
  .map((f) => join(CORPUS, 'postmortems', f));

/** A document write as the importer makes it (title, chunks, analysis), without the parsers. */
function writeOf(path: string, body = splitFrontMatter(readFileSync(path, 'utf8')).body): DocumentWrite {
  const title = /^# (.+)$/m.exec(body)?.[1] ?? path;
  const chunks = chunkMarkdown(body);
  const doc: ParsedDocument = {
    uid: `file:${path}`, kind: 'postmortem', format: 'markdown', title, source: path, url: null, externalId: null,
    occurredAt: null, resolvedAt: null, severity: null, status: null, metadata: {}, body, refs: [], links: [], fields: [],
  };
  const analysis = analyseDocument({ id: 0, title, passages: chunks.map((c, i) => ({ id: i, heading: c.heading, text: c.text })) });
  return { doc, origin: path, contentHash: String(body.length), chunks, vectors: null, importId: null, entities: [], refs: [], links: [], analysis };
}

/** The reference: a MemoryTermIndex of what the store holds now (ids and passages as stored). */
function reference(store: SqliteStore): MemoryTermIndex {
  const index = new MemoryTermIndex();
  const docs = store.db.prepare('SELECT id, title FROM documents ORDER BY id').all() as Array<{ id: number; title: string }>;
  for (const d of docs) {
    const passages = store.db.prepare('SELECT id, heading, text FROM chunks WHERE document_id = ? ORDER BY ord').all(d.id) as Array<{ id: number; heading: string; text: string }>;
    index.put(analyseDocument({ id: d.id, title: d.title, passages }));
  }
  return index;
}

/** Everything a scorer can observe of an index over a vocabulary, at a posting limit. */
function snapshot(index: TermIndex, terms: string[], limit: number) {
  const levels: Level[] = ['document', 'passage'];
  return levels.map((level) => ({
    count: index.count(level),
    // Expansion weights are stored as float32: their mean length agrees to float32 precision.
    avg: [...index.averageLength(level)].map((x) => Number(x.toPrecision(6))),
    terms: terms.map((t) => {
      const b = index.postings(t, level, limit);
      const rows = Array.from({ length: b.size }, (_, i) => ({ id: b.ids[i], doc: b.docs[i], tf: [...b.tf.slice(i * 4, i * 4 + 4)], length: [...b.length.slice(i * 4, i * 4 + 4)] }));
      return { t, df: index.df(t, level), rows: rows.sort((x, y) => x.id! - y.id!) };
    }),
  }));
}

function vocabularyOf(index: TermIndex, docs: number[]): string[] {
  const out = new Set<string>();
  for (const d of docs) for (const t of index.documentTerms(d)?.keys() ?? []) out.add(t);
  return [...out].sort();
}

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
function open(name: string): SqliteStore {
  const s = SqliteStore.open(join(dir, name));
  stores.push(s);
  return s;
}

describe('term statistics in the SQLite store', () => {
  it('are stored with each document and observed exactly as an index built in memory', async () => {
    const store = open('same.db');
    for (const f of files) await store.documents.write(writeOf(f));
    const view = await store.ranking.termIndex();
    const ref = reference(store);
    const docs = [...ref.documents()];
    expect(docs.length).toBe(files.length);
    expect([...view.documents()]).toEqual(docs);
    const terms = vocabularyOf(ref, docs.slice(0, 6));
    expect(terms.length).toBeGreaterThan(300);
    // A small limit exercises the frequency cap (the most frequent postings, ties by id).
    for (const limit of [3, 1000]) expect(snapshot(view, terms, limit)).toEqual(snapshot(ref, terms, limit));
    // One block refilled term after term (as bm25 reads them) holds what a new block would.
    let reused = view.postings(terms[0]!, 'passage', 1000);
    for (const t of terms.slice(0, 40)) {
      const fresh = view.postings(t, 'passage', 1000);
      reused = view.postings(t, 'passage', 1000, reused);
      expect(reused.size).toBe(fresh.size);
      expect([...reused.ids.subarray(0, fresh.size)]).toEqual([...fresh.ids]);
      expect([...reused.docs.subarray(0, fresh.size)]).toEqual([...fresh.docs]);
      expect([...reused.tf.subarray(0, fresh.size * 4)]).toEqual([...fresh.tf]);
      expect([...reused.length.subarray(0, fresh.size * 4)]).toEqual([...fresh.length]);
    }
    for (const d of docs.slice(0, 3)) {
      expect(view.documentTerms(d)).toEqual(ref.documentTerms(d));
      // holds() (coverage's question) answers from the term ids, as the named terms say.
      const held = view.holds(d, [...terms, 'neverseenterm'])!;
      expect(held).toEqual(ref.holds(d, [...terms, 'neverseenterm']));
      expect(held).toEqual([...terms, 'neverseenterm'].map((t) => view.documentTerms(d)!.has(t)));
      expect(held.filter(Boolean).length).toBeGreaterThan(10);
      expect(view.passagesOf(d)).toEqual(ref.passagesOf(d));
      for (const p of ref.passagesOf(d)) expect(view.passageTerms(p)).toEqual(ref.passageTerms(p));
    }
    // Rows per document and per passage, and nothing else.
    expect(store.db.prepare('SELECT count(*) FROM rank_passages').pluck().get()).toBe(store.db.prepare('SELECT count(*) FROM chunks').pluck().get());
  });

  it('subtract exactly a replaced or removed document, and keep neighbour expansions', async () => {
    const store = open('change.db');
    const writes = files.slice(0, 10).map((f) => writeOf(f));
    for (const w of writes) await store.documents.write(w);
    let view = await store.ranking.termIndex();
    const ids = [...view.documents()];
    // Expansions set through the store, computed as the upkeep computes them.
    const expansions = ids.slice(0, 4).map((id) => ({ documentId: id, ...expandDocument(view, id) }));
    await store.ranking.setExpansions(expansions.map((e) => ({ documentId: e.documentId, terms: e.terms, neighbours: e.neighbours })));
    expect(await store.ranking.expansionQueue(100)).toEqual(ids.slice(4));

    // Replace document 1 with other text, remove document 3.
    const changed = writeOf(files[0]!, `# Replaced write-up\n\n## Summary\n\nThe kafka broker disk filled and consumers lagged.\n\n## Root cause\n\nRetention was set to forever.`);
    await store.documents.write({ ...changed, doc: { ...changed.doc, uid: writes[0]!.doc.uid } });
    await store.documents.delete([ids[2]!]);

    view = await store.ranking.termIndex();
    const ref = reference(store);
    // The store keeps expansion weights as float32.
    for (const e of expansions) if (e.documentId !== ids[2]) ref.setExpansion(e.documentId, new Map([...e.terms].map(([t, w]) => [t, Math.fround(w)])));
    const terms = [...new Set([...vocabularyOf(ref, [...ref.documents()]), 'kafka', 'retent', ...vocabularyOf(view, [ids[2]!])])].sort();
    expect(view.documentTerms(ids[2]!)).toBeNull();
    for (const limit of [2, 1000]) expect(snapshot(view, terms, limit)).toEqual(snapshot(ref, terms, limit));
    expect(view.documentTerms(ids[0]!)).toEqual(ref.documentTerms(ids[0]!));
    // The replaced document kept its expansion and is due for a new one; the removed one is gone.
    expect(view.documentTerms(ids[0]!)!.get([...expansions[0]!.terms.keys()][0]!)![3]).toBeGreaterThan(0);
    // A term the document holds only by expansion is not its own: coverage does not count it.
    const lentOnly = [...view.documentTerms(ids[0]!)!].filter(([, v]) => v[3] > 0 && v[0] + v[1] + v[2] === 0).map(([t]) => t);
    expect(lentOnly.length).toBeGreaterThan(0);
    expect(view.holds(ids[0]!, lentOnly)).toEqual(lentOnly.map(() => false));
    expect(view.holds(ids[0]!, ['kafka', 'retent'])).toEqual([true, true]);
    expect(view.holds(ids[2]!, ['kafka'])).toBeNull();
    expect(await store.ranking.expansionQueue(100)).toEqual([ids[0]!, ...ids.slice(4)]);
    expect(store.db.prepare('SELECT count(*) FROM rank_expansions WHERE document_id = ?').pluck().get(ids[2])).toBe(0);
  });

  it('a write that rolls back changes neither the rows nor the posting lists', async () => {
    const store = open('rollback.db');
    await store.documents.write(writeOf(files[0]!));
    const before = snapshot(await store.ranking.termIndex(), ['kafka', 'the', 'incid'], 100);
    const rows = () => store.db.prepare('SELECT (SELECT count(*) FROM rank_documents) + (SELECT count(*) FROM rank_passages)').pluck().get();
    const n = rows();
    const bad = writeOf(files[1]!);
    // An entity without a key fails its NOT NULL column after the term rows were written.
    await expect(store.documents.write({ ...bad, entities: [{ type: 'service', key: null as unknown as string, name: 'x', mentions: 1, fromField: false }] })).rejects.toThrow();
    expect(rows()).toBe(n);
    expect(snapshot(await store.ranking.termIndex(), ['kafka', 'the', 'incid'], 100)).toEqual(before);
  });

  it('another connection sees the writes made after its lists were built', async () => {
    const writer = open('shared.db');
    await writer.documents.write(writeOf(files[0]!));
    const reader = SqliteStore.open(join(dir, 'shared.db'), 'read');
    stores.push(reader);
    expect((await reader.ranking.termIndex()).count('document')).toBe(1);
    await writer.documents.write(writeOf(files[1]!));
    await writer.documents.delete([1]);
    const view = await reader.ranking.termIndex();
    expect([...view.documents()]).toEqual([2]);
    expect(snapshot(view, ['the', 'incid', 'root'], 50)).toEqual(snapshot(reference(writer), ['the', 'incid', 'root'], 50));
  });

  it('are saved beside the database and read back by the next process exactly, unless the database moved on', async () => {
    const path = join(dir, 'snapshot.db');
    const first = open('snapshot.db');
    const writes = files.slice(0, 8).map((f) => writeOf(f));
    for (const w of writes) await first.documents.write(w);
    let view = await first.ranking.termIndex();
    const ids = [...view.documents()];
    // Expansions and a removal before the snapshot: tombstones and expansion weights must survive it.
    const expansions = ids.slice(0, 3).map((id) => ({ documentId: id, ...expandDocument(view, id) }));
    await first.ranking.setExpansions(expansions.map((e) => ({ documentId: e.documentId, terms: e.terms, neighbours: e.neighbours })));
    await first.documents.delete([ids[5]!]);
    view = await first.ranking.termIndex();
    const terms = [...new Set([...vocabularyOf(view, [...view.documents()]), 'kafka'])].sort();
    const expected = [2, 1000].map((limit) => snapshot(view, terms, limit));
    const expectedTerms = view.documentTerms(ids[0]!);
    await first.close();
    stores.splice(stores.indexOf(first), 1);
    expect(existsSync(`${path}.postings`)).toBe(true);

    // The next process reads the file instead of the tables: the same lists, observed the same way.
    const second = open('snapshot.db');
    second.db.prepare('DELETE FROM rank_passages WHERE passage_id = (SELECT min(passage_id) FROM rank_passages)').run();
    // (The tables are changed behind the store's back: lists from the file do not see it, lists rebuilt from the tables would.)
    const restored = await second.ranking.termIndex();
    expect([2, 1000].map((limit) => snapshot(restored, terms, limit))).toEqual(expected);
    expect(restored.documentTerms(ids[0]!)).toEqual(expectedTerms);
    expect([...restored.passagesOf(ids[1]!)]).toEqual([...view.passagesOf(ids[1]!)]);
    // Lists read from the file are kept in step with writes like any others.
    await second.documents.write(writeOf(files[10]!));
    // (Passage level: the reference, built from the documents and chunks, has no expansions.)
    const after = await second.ranking.termIndex();
    expect(snapshot(after, terms, 50)[1]).toEqual(snapshot(reference(second), terms, 50)[1]);
    await second.close();
    stores.splice(stores.indexOf(second), 1);

    // A file of another state of the database is not used.
    const third = open('snapshot.db');
    third.db.prepare('UPDATE rank_state SET generation = generation + 1').run();
    // Rebuilt from the tables, so the passage deleted from rank_passages above is missing now.
    const fresh = await third.ranking.termIndex();
    expect(fresh.count('passage')).toBe(after.count('passage') - 1);
  });

  it('a new process reads from the snapshot only the lists its queries ask for, and keeps reading the state it opened', async () => {
    const first = open('lazy.db');
    for (const w of files.slice(0, 8).map((f) => writeOf(f))) await first.documents.write(w);
    const view = await first.ranking.termIndex();
    const terms = vocabularyOf(view, [...view.documents()]);
    const expected = snapshot(view, ['kafka', 'the', 'incid'], 50);
    // A term no query below asks for until after the database moved on.
    const later = terms.find((t) => !['kafka', 'the', 'incid'].includes(t) && view.df(t, 'passage') > 1)!;
    const expectedLater = snapshot(view, [later], 50);
    const lists = terms.filter((t) => view.df(t, 'document') > 0).length + terms.filter((t) => view.df(t, 'passage') > 0).length;
    await first.close();
    stores.splice(stores.indexOf(first), 1);

    const second = open('lazy.db');
    const restored = await second.ranking.termIndex();
    // Counts, lengths and document frequencies come from the directory: no list is read for them.
    expect(terms.map((t) => restored.df(t, 'passage'))).toEqual(terms.map((t) => view.df(t, 'passage')));
    expect(second.ranking.unreadLists).toBe(lists);
    // One list each for 'the' and 'incid' ('kafka' is in none).
    restored.postings('the', 'document', 5);
    restored.postings('incid', 'passage', 5);
    restored.postings('kafka', 'passage', 5);
    expect(second.ranking.unreadLists).toBe(lists - 2);
    // Another process writes and replaces the snapshot file: this view still reads the state it opened.
    const third = SqliteStore.open(join(dir, 'lazy.db'));
    await third.documents.write(writeOf(files[12]!));
    await third.ranking.termIndex();
    await third.close();
    expect(snapshot(restored, ['kafka', 'the', 'incid'], 50)).toEqual(expected);
    // The next view sees the write (rebuilt from the tables or read from the new file).
    expect((await second.ranking.termIndex()).count('document')).toBe(view.count('document') + 1);
    // A view handed out before that (a ranking still running) reads its unread lists all the same.
    expect(snapshot(restored, [later], 50)).toEqual(expectedLater);
  });

  it('a database deleted and built again at the same path does not take the old file, even with the same counters', async () => {
    const path = join(dir, 'rebuilt.db');
    const first = open('rebuilt.db');
    const writes = files.slice(0, 4).map((f) => writeOf(f));
    for (const w of writes) await first.documents.write(w);
    const before = (await first.ranking.termIndex()).count('passage');
    await first.close();
    stores.splice(stores.indexOf(first), 1);
    expect(existsSync(`${path}.postings`)).toBe(true);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    // The same writes give the same generation and ids; only the content differs (its hash, here).
    const second = open('rebuilt.db');
    for (const w of writes) await second.documents.write({ ...w, contentHash: `other:${w.contentHash}` });
    second.db.prepare('DELETE FROM rank_passages WHERE passage_id = (SELECT min(passage_id) FROM rank_passages)').run();
    // Lists from the old file would still hold the passage deleted behind the store's back.
    expect((await second.ranking.termIndex()).count('passage')).toBe(before - 1);
  });

  it('a list whose read from the snapshot fails stays unread: it fails again, never reads as empty', async () => {
    const path = join(dir, 'cut-later.db');
    const first = open('cut-later.db');
    for (const w of files.slice(0, 4).map((f) => writeOf(f))) await first.documents.write(w);
    const df = (await first.ranking.termIndex()).df('incid', 'passage');
    expect(df).toBeGreaterThan(0);
    await first.close();
    stores.splice(stores.indexOf(first), 1);
    const second = open('cut-later.db');
    const view = await second.ranking.termIndex();
    // Cut in place after the directory was read (a disk error would do the same).
    truncateSync(`${path}.postings`, 64);
    expect(() => view.postings('incid', 'passage', 5)).toThrow(/cut short/);
    expect(view.df('incid', 'passage')).toBe(df);
    expect(() => view.postings('incid', 'passage', 5)).toThrow(/cut short/);
  });

  it('a damaged snapshot file is ignored and the lists are rebuilt from the tables', async () => {
    const path = join(dir, 'damaged.db');
    const first = open('damaged.db');
    for (const w of files.slice(0, 4).map((f) => writeOf(f))) await first.documents.write(w);
    await first.ranking.termIndex();
    await first.close();
    stores.splice(stores.indexOf(first), 1);
    const bytes = readFileSync(`${path}.postings`);
    writeFileSync(`${path}.postings`, bytes.subarray(0, bytes.length >> 1));
    const second = open('damaged.db');
    const view = await second.ranking.termIndex();
    expect(snapshot(view, ['the', 'incid', 'root'], 50)).toEqual(snapshot(reference(second), ['the', 'incid', 'root'], 50));
  });
});

describe('training the corpus model from the stored rows', () => {
  it('keeps only the sampled passages in memory, and trains and projects exactly as over all of them', async () => {
    const store = open('training.db');
    for (const f of files.slice(0, 16)) await store.documents.write(writeOf(f));
    const settings = { ...DEFAULT_LSA, rank: 8, oversample: 4, maxTrainingUnits: 20 };
    const passages = store.db.prepare('SELECT count(*) FROM rank_passages').pluck().get() as number;
    expect(passages).toBeGreaterThan(3 * settings.maxTrainingUnits);

    // What the reader holds: the sampled passages' terms, nothing of the others.
    const read = readTrainingUnits(store.db, settings).units;
    expect(read.length).toBe(passages);
    const held = read.flatMap((u, i) => (u.terms.size ? [i] : []));
    expect(held).toEqual([...trainingSample(passages, settings)]);

    // The reference reads every passage fully (a sample as large as the corpus) and trains as before.
    const all = readTrainingUnits(store.db, { ...settings, maxTrainingUnits: passages }).units.map((u) => ({ terms: u.terms }));
    const reference = LsaModel.train(all, settings);
    const trained = trainFrom(store.db, settings)!;
    expect([...trained.parts.singularValues]).toEqual([...reference.singularValues]);
    expect([...trained.parts.basis]).toEqual([...reference.basis]);
    expect(trained.parts.trainedUnits).toBe(passages);
    expect(trained.vectors.ids.length).toBe(passages);
    const model = LsaModel.restore(trained.parts);
    const i = passages - 1;
    const expected = model.project(all[i]!.terms);
    trained.vectors.values.slice(i * model.rank, (i + 1) * model.rank).forEach((x, c) => expect(x).toBeCloseTo(expected[c]!, 5));
    expect(expected.some((x) => x !== 0)).toBe(true);
  });
});

describe('the passage count search weighs terms by', () => {
  it('follows writes, replacements and deletes', async () => {
    const store = open('total.db');
    const count = () => store.db.prepare('SELECT count(*) FROM chunks').pluck().get() as number;
    expect(await store.lexical.total()).toBe(0);
    for (const f of files.slice(0, 6)) await store.documents.write(writeOf(f));
    expect(count()).toBeGreaterThan(20);
    expect(await store.lexical.total()).toBe(count());
    const before = count();
    // The same document again, with other (shorter) text: its passages are replaced.
    const first = writeOf(files[0]!);
    const replaced = writeOf(files[0]!, '# Replaced\n\n## Summary\n\nThe broker disk filled.');
    await store.documents.write({ ...replaced, doc: { ...replaced.doc, uid: first.doc.uid } });
    expect(count()).toBeLessThan(before);
    expect(await store.lexical.total()).toBe(count());
    const ids = store.db.prepare('SELECT id FROM documents ORDER BY id LIMIT 2').pluck().all() as number[];
    await store.documents.delete(ids);
    expect(await store.lexical.total()).toBe(count());
    expect(await store.passages.count()).toBe(count());
  });
});
