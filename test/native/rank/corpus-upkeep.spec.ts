/**
 * The upkeep of the ranking statistics after imports (rank/corpus-upkeep.ts, engine.ts):
 * neighbour expansion incremental and bounded, term statistics backfilled for documents stored
 * without them, and the corpus latent model trained in the background, stored, folded into,
 * retrained when stale and cancellable. Real postmortems of the shared corpus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkMarkdown } from '../../../native/chunk/chunker.js';
import { Engine, type CorpusModelProgress } from '../../../native/engine.js';
import { splitFrontMatter } from '../../../native/import/front-matter.js';
import type { ParsedDocument } from '../../../native/import/parsed-document.js';
import { analyseDocument } from '../../../native/rank/analyse.js';
import { CorpusUpkeep } from '../../../native/rank/corpus-upkeep.js';
import { unitTerms } from '../../../native/rank/lsa.js';
import { expandDocument } from '../../../native/rank/neighbour-expansion.js';
import { MemoryTermIndex } from '../../../native/rank/term-index.js';
import { SqliteStore } from '../../../native/store/sqlite/sqlite-store.js';
import type { DocumentWrite } from '../../../native/store/store.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const postmortems = readdirSync(join(CORPUS, 'postmortems'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => join(CORPUS, 'postmortems', f));

function writeOf(path: string): DocumentWrite {
  const body = splitFrontMatter(readFileSync(path, 'utf8')).body;
  const title = /^# (.+)$/m.exec(body)?.[1] ?? path;
  const chunks = chunkMarkdown(body);
  const doc: ParsedDocument = {
    uid: `file:${path}`, kind: 'postmortem', format: 'markdown', title, source: path, url: null, externalId: null,
    occurredAt: null, resolvedAt: null, severity: null, status: null, metadata: {}, body, refs: [], links: [], fields: [],
  };
  const analysis = analyseDocument({ id: 0, title, passages: chunks.map((c, i) => ({ id: i, heading: c.heading, text: c.text })) });
  return { doc, origin: path, contentHash: 'h', chunks, vectors: null, importId: null, entities: [], refs: [], links: [], analysis };
}

/** What the store holds, as an in-memory index with no expansions (what expansion reads). */
function reference(store: SqliteStore): MemoryTermIndex {
  const index = new MemoryTermIndex();
  for (const d of store.db.prepare('SELECT id, title FROM documents ORDER BY id').all() as Array<{ id: number; title: string }>) {
    index.put(analyseDocument({ id: d.id, title: d.title, passages: store.db.prepare('SELECT id, heading, text FROM chunks WHERE document_id = ? ORDER BY ord').all(d.id) as Array<{ id: number; heading: string; text: string }> }));
  }
  return index;
}

const expansionOf = (store: SqliteStore, id: number) => store.db.prepare('SELECT terms, neighbours FROM rank_expansions WHERE document_id = ?').get(id) as { terms: Buffer; neighbours: string } | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('neighbour expansion upkeep', () => {
  it('expands each new document once and refreshes only the neighbours it names', async () => {
    const store = SqliteStore.open(join(dir, 'expansion.db'));
    closers.push(() => store.close());
    const upkeep = new CorpusUpkeep(store);
    for (const f of postmortems.slice(0, 16)) await store.documents.write(writeOf(f));
    expect(await upkeep.expand()).toEqual({ expanded: 16, refreshed: 0 });
    const ref = reference(store);
    const round = (m: Map<string, number>) => [...m].map(([t, w]) => [t, Number(Math.fround(w).toPrecision(5))]).sort();
    const view = await store.ranking.termIndex();
    for (const id of [1, 8, 16]) {
      const expected = expandDocument(ref, id);
      const got = [...view.documentTerms(id)!].filter(([, v]) => v[3] > 0).map(([t, v]) => [t, Number(v[3].toPrecision(5))]).sort();
      expect(got).toEqual(round(expected.terms));
    }
    const before = new Map([...Array(16).keys()].map((i) => [i + 1, expansionOf(store, i + 1)!.terms.toString('hex')]));

    // One more document: it is expanded, the neighbours it names are refreshed, nothing else is touched.
    await store.documents.write(writeOf(postmortems[16]!));
    const { expanded, refreshed } = await upkeep.expand();
    expect(expanded).toBe(1);
    const named = (JSON.parse(expansionOf(store, 17)!.neighbours) as Array<[number, number]>).map(([id]) => id);
    expect(named.length).toBeGreaterThan(0);
    expect(named.length).toBeLessThanOrEqual(upkeep.settings.expansion.neighbours);
    expect(refreshed).toBe(named.length);
    const fresh = reference(store);
    for (const id of [17, ...named]) {
      const got = [...(await store.ranking.termIndex()).documentTerms(id)!].filter(([, v]) => v[3] > 0).map(([t, v]) => [t, Number(v[3].toPrecision(5))]).sort();
      expect(got).toEqual(round(expandDocument(fresh, id).terms));
    }
    for (const [id, hex] of before) if (!named.includes(id)) expect(expansionOf(store, id)!.terms.toString('hex')).toBe(hex);
    expect(await store.ranking.expansionQueue(10)).toEqual([]);
  });
});

describe('term statistics of documents stored without them', () => {
  it('are backfilled when the engine opens, exactly as an import would have written them', async () => {
    const dbPath = join(dir, 'backfill.db');
    const before = await Engine.open({ dbPath, models: NO_MODEL, rankingStatistics: false });
    await before.import({ paths: postmortems.slice(0, 6) });
    await before.close();
    const engine = await Engine.open({ dbPath, models: NO_MODEL });
    closers.push(() => engine.close());
    const store = engine.store as SqliteStore;
    const view = await store.ranking.termIndex();
    const ref = reference(store);
    expect(view.count('document')).toBe(6);
    expect(view.count('passage')).toBe(ref.count('passage'));
    for (const t of ['the', 'incid', 'kubernet', 'certif']) expect(view.df(t, 'passage')).toBe(ref.df(t, 'passage'));
    // Backfilled documents were expanded too.
    expect(await store.ranking.expansionQueue(10)).toEqual([]);
  });
});

describe('the corpus latent model', () => {
  it('is trained in the background after an import, with progress, and survives a restart', async () => {
    const dbPath = join(dir, 'latent.db');
    const engine = await Engine.open({ dbPath, models: NO_MODEL });
    const phases: CorpusModelProgress[] = [];
    engine.onCorpusModelProgress = (p) => phases.push(p);
    const summary = await engine.import({ paths: postmortems.slice(0, 20) });
    expect(summary.chunksWritten).toBeGreaterThanOrEqual(100);
    await engine.corpusModelIdle();
    const order = phases.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1] && p !== 'waiting');
    expect(order).toEqual(['reading', 'vocabulary', 'sketch', 'power-iteration', 'basis', 'saving', 'done']);
    expect(phases.every((p) => p.reason === 'absent')).toBe(true);
    const state = (await engine.store.ranking.latentStaleness())!;
    expect(state.trainedUnits).toBe(summary.chunksWritten);
    expect(state.retrain).toBe(false);
    const latent = (await engine.store.ranking.latent())!;
    expect(latent.scorer.size).toBe(summary.chunksWritten);
    // Every passage's vector is stored with the model (loading reads them instead of projecting again).
    expect((engine.store as SqliteStore).db.prepare('SELECT count(*) FROM rank_latent_vectors').pluck().get()).toBe(summary.chunksWritten);
    await engine.close();

    const reopened = await Engine.open({ dbPath, models: NO_MODEL });
    closers.push(() => reopened.close());
    await reopened.ranker.rank({ text: 'certificate expired', passages: [], exclude: new Set(), limit: 5 });
    await reopened.corpusModelIdle();
    expect((await reopened.store.ranking.latentStaleness())!.trainedAt).toBe(state.trainedAt);
    const again = (await reopened.store.ranking.latent())!;
    // The ranking read the stored vectors of the documents it scored, not every passage's.
    const read = (reopened.store as SqliteStore).ranking.latentVectorsRead;
    expect(read).toBeGreaterThan(0);
    expect(again.scorer.inMemory).toBe(read);
    expect(read).toBeLessThan(summary.chunksWritten);
    // Scoring one document reads that document's vectors only.
    const cold = SqliteStore.open(dbPath);
    closers.push(() => cold.close());
    const one = (await cold.ranking.latent())!;
    const doc = Math.min(...(await cold.ranking.termIndex()).documents());
    one.scorer.similarities([{ term: 'incid', weight: 1 }], [doc]);
    const passagesOfDoc = (await cold.ranking.termIndex()).passagesOf(doc).length;
    expect(passagesOfDoc).toBeGreaterThan(0);
    expect(one.scorer.inMemory).toBe(passagesOfDoc);
    expect(cold.ranking.latentVectorsRead).toBe(passagesOfDoc);
    expect(again.scorer.size).toBe(summary.chunksWritten);
    // The same vectors: a query scores every document as it did before the restart.
    const q = [{ term: 'certif', weight: 1 }, { term: 'expir', weight: 1 }];
    expect([...again.scorer.similarities(q)].map(([d, s]) => [d, s.toFixed(5)])).toEqual([...latent.scorer.similarities(q)].map(([d, s]) => [d, s.toFixed(5)]));
  });

  it('folds new passages in without retraining, and retrains once the corpus has drifted', async () => {
    const engine = await Engine.open({ dbPath: join(dir, 'drift.db'), models: NO_MODEL });
    closers.push(() => engine.close());
    const first = await engine.import({ paths: postmortems.slice(0, 20) });
    await engine.corpusModelIdle();
    const trained = (await engine.store.ranking.latentStaleness())!;

    const one = await engine.import({ paths: [postmortems[20]!] });
    await engine.corpusModelIdle();
    const folded = (await engine.store.ranking.latentStaleness())!;
    expect(folded.trainedAt).toBe(trained.trainedAt);
    expect((engine.store as SqliteStore).db.prepare('SELECT count(*) FROM rank_latent_vectors').pluck().get()).toBe(first.chunksWritten + one.chunksWritten);
    expect(folded.changedShare).toBeCloseTo(one.chunksWritten / first.chunksWritten, 6);
    // The new document's passages have vectors: it is the latent model's best match for its own terms.
    const index = await engine.store.ranking.termIndex();
    const newId = Math.max(...index.documents());
    const terms = [...unitTerms(index.documentTerms(newId)! as ReadonlyMap<string, [number, number, number, number]>)].map(([term, tf]) => ({ term, weight: Math.log(1 + tf) }));
    const sims = (await engine.store.ranking.latent())!.scorer.similarities(terms);
    expect([...sims].sort((a, b) => b[1] - a[1])[0]![0]).toBe(newId);

    // A quarter of the corpus more: stale, retrained after that import.
    const more = await engine.import({ paths: postmortems.slice(21, 30) });
    expect((one.chunksWritten + more.chunksWritten) / first.chunksWritten).toBeGreaterThan(0.25);
    await engine.corpusModelIdle();
    const retrained = (await engine.store.ranking.latentStaleness())!;
    expect(retrained.trainedAt).not.toBe(trained.trainedAt);
    expect(retrained.trainedUnits).toBe(first.chunksWritten + one.chunksWritten + more.chunksWritten);
    expect(retrained.changedShare).toBe(0);
  });

  it('stops when cancelled, leaving the model it had', async () => {
    const engine = await Engine.open({ dbPath: join(dir, 'cancel.db'), models: NO_MODEL });
    closers.push(() => engine.close());
    await engine.import({ paths: postmortems.slice(0, 20) });
    await engine.corpusModelIdle();
    const before = (await engine.store.ranking.latentStaleness())!;
    const controller = new AbortController();
    const seen: string[] = [];
    const r = await engine.trainCorpusModel({
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.phase);
        if (p.phase === 'reading') controller.abort();
      },
    });
    expect(r.status).toBe('cancelled');
    expect(seen).toContain('cancelled');
    expect(seen).not.toContain('saving');
    expect((await engine.store.ranking.latentStaleness())!.trainedAt).toBe(before.trainedAt);
  });
});
