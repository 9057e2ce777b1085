/**
 * The ranking side of the SQLite store (migration 0100): term statistics written with each
 * document and removed with it, the synchronous TermIndex view the scorers read, neighbour
 * expansions, and the corpus latent model.
 *
 * The posting lists and the latent scorer are caches in memory of what the tables hold, each
 * tagged with the `rank_state.generation` it reflects. Every transaction that changes ranking rows
 * bumps the generation once; after it commits, the caches apply the same change (and move to the
 * new generation) if they were current, or are dropped if another process had written in between
 * (they are rebuilt from the tables on next use). A rolled-back transaction changes nothing.
 */
import type { FieldValues } from '../../rank/analyse.js';
import type { AnalysedDocument } from '../../rank/analyse.js';
import { LsaModel, LsaScorer, staleness, type Drift, type LatentVectorSource, type LsaSettings, type Staleness } from '../../rank/lsa.js';
import type { Level, PostingBlock, TermIndex } from '../../rank/term-index.js';
import type { ExpansionWrite, LatentModelWrite, LatentState, LatentTrainingProgress, RankStore } from '../store.js';
import { HindsightError } from '../../common/errors.js';
import { trainFrom, trainInWorker } from './latent-training.js';
import type { Sql } from './sql.js';
import { decodeTerms, decodeTermsInto, decodeWeights, encodeTerms, encodeWeights, type TermRows, type WeightRows } from './term-blobs.js';
import { readPostingsSnapshot, writePostingsSnapshot, type SnapshotIdentity } from './postings-snapshot.js';
import { TermPostings, Vocabulary } from './term-postings.js';

/** One write transaction's changes to the caches, applied after it commits. */
interface PendingChanges {
  transaction: number;
  from: number;
  to: number;
  terms: Array<[number, string]>;
  postings: Array<(p: TermPostings) => void>;
  latent: Array<(l: LatentCache) => void>;
}

interface LatentCache extends LatentState {
  model: LsaModel;
}

/** Own-field frequency sum of a passage's term (what the latent model reads). */
const unitTf = (tf: Uint32Array, k: number) => tf[k * 3]! + tf[k * 3 + 1]! + tf[k * 3 + 2]!;

export class SqliteRanking implements RankStore {
  private vocab: Vocabulary | null = null;
  private postingsCache: TermPostings | null = null;
  /** undefined: not loaded; null: loaded, no model trained yet. */
  private latentCache: LatentCache | null | undefined = undefined;
  private latentGeneration = -1;
  private pending: PendingChanges | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly location: string,
    private readonly readOnly: boolean,
  ) {}

  // ------------------------------------------------------------------ writes inside a document's transaction

  /**
   * A document's statistics, inside the caller's transaction. `passageIds[i]` is the stored id of
   * the analysis's passage i. A document written before is removed first (removeDocument).
   */
  putDocument(documentId: number, analysis: AnalysedDocument, passageIds: readonly number[]): void {
    if (analysis.passages.length !== passageIds.length) {
      throw new Error(`the analysis has ${analysis.passages.length} passages, the document ${passageIds.length}`);
    }
    const txn = this.begin();
    const rows = this.termRows(analysis.tf, txn);
    this.sql.run(
      'INSERT INTO rank_documents (document_id, len_title, len_headings, len_text, terms) VALUES (?, ?, ?, ?, ?)',
      documentId, analysis.length[0], analysis.length[1], analysis.length[2], encodeTerms(rows),
    );
    const passages = analysis.passages.map((p, i) => {
      const r = this.termRows(p.tf, txn);
      this.sql.run(
        'INSERT INTO rank_passages (passage_id, document_id, len_title, len_headings, len_text, terms) VALUES (?, ?, ?, ?, ?, ?)',
        passageIds[i], documentId, p.length[0], p.length[1], p.length[2], encodeTerms(r),
      );
      return { id: passageIds[i]!, rows: r, length: [p.length[0], p.length[1], p.length[2]] };
    });
    // Its expansion (and its neighbours') is brought up to date after the import (CorpusUpkeep).
    this.sql.run('INSERT OR IGNORE INTO rank_expansion_queue (document_id) VALUES (?)', documentId);
    txn.postings.push((p) => p.putDocument(documentId, rows, [analysis.length[0], analysis.length[1], analysis.length[2]], passages));
    this.foldIn(txn, documentId, passages.map((p) => ({ id: p.id, rows: p.rows })));
  }

  /**
   * Removes a document's statistics, inside the caller's transaction, before its passages go:
   * exactly its rows. `replacing`: the document is written again at once, so its expansion stays
   * (until it is refreshed) and it is queued for one.
   */
  removeDocument(documentId: number, replacing: boolean): void {
    // (value(): the statement is shared with the view's reads, which pluck it.)
    const terms = this.sql.value<Buffer>('SELECT terms FROM rank_documents WHERE document_id = ?', documentId);
    if (!terms) return;
    const txn = this.begin();
    const passages = this.sql.column<number>('SELECT passage_id FROM rank_passages WHERE document_id = ? ORDER BY passage_id', documentId);
    this.sql.run('DELETE FROM rank_passages WHERE document_id = ?', documentId);
    this.sql.run('DELETE FROM rank_documents WHERE document_id = ?', documentId);
    if (!replacing) {
      this.sql.run('DELETE FROM rank_expansions WHERE document_id = ?', documentId);
      this.sql.run('DELETE FROM rank_expansion_queue WHERE document_id = ?', documentId);
    }
    const rows = decodeTerms(terms);
    txn.postings.push((p) => p.removeDocument(documentId, rows, replacing));
    if (passages.length && this.latentModelExists()) {
      this.sql.run('DELETE FROM rank_latent_vectors WHERE document_id = ?', documentId);
      this.sql.run('UPDATE rank_latent_model SET removed = removed + ? WHERE id = 1', passages.length);
      txn.latent.push((l) => {
        for (const id of passages) l.scorer.delete(id);
      });
    }
  }

  /** The pending changes of the current write transaction (created with its generation bump). */
  private begin(): PendingChanges {
    if (!this.sql.db.inTransaction) throw new Error('ranking rows are written inside a write transaction');
    if (this.pending && this.pending.transaction === this.sql.transaction) return this.pending;
    const to = this.sql.value<number>('UPDATE rank_state SET generation = generation + 1 WHERE id = 1 RETURNING generation')!;
    const txn: PendingChanges = { transaction: this.sql.transaction, from: to - 1, to, terms: [], postings: [], latent: [] };
    this.pending = txn;
    this.sql.afterCommit(() => this.committed(txn));
    return txn;
  }

  private committed(txn: PendingChanges): void {
    if (this.pending === txn) this.pending = null;
    const vocab = this.vocab;
    if (vocab) for (const [id, term] of txn.terms) vocab.add(id, term);
    const p = this.postingsCache;
    if (p) {
      if (p.generation !== txn.from) this.dropPostings();
      else {
        try {
          for (const op of txn.postings) op(p);
          p.generation = txn.to;
        } catch {
          // A cache that failed half-way is not trusted: it is rebuilt from the tables.
          this.dropPostings();
        }
      }
    }
    if (this.latentCache !== undefined) {
      if (this.latentGeneration !== txn.from) this.latentCache = undefined;
      else {
        try {
          if (this.latentCache) for (const op of txn.latent) op(this.latentCache);
          this.latentGeneration = txn.to;
        } catch {
          this.latentCache = undefined;
        }
      }
    }
  }

  /**
   * The term ids, one object for the store's lifetime (the posting lists read it too). Ids are
   * never reused or renumbered, so catching up with other processes means reading the ids above
   * the highest one known.
   */
  private vocabulary(refresh = false): Vocabulary {
    if (!this.vocab || refresh) {
      const vocab = this.vocab ?? new Vocabulary();
      const rows = this.sql.db.prepare('SELECT id, term FROM rank_vocabulary WHERE id > ? ORDER BY id').raw();
      for (const [id, term] of rows.iterate(vocab.highestId) as IterableIterator<[number, string]>) vocab.add(id, term);
      this.vocab = vocab;
    }
    return this.vocab;
  }

  /** Term ids for the terms of an analysis (new terms get one in this transaction), ascending. */
  private termRows(tf: ReadonlyMap<string, Readonly<FieldValues>>, txn: PendingChanges): TermRows {
    const entries: Array<[number, Readonly<FieldValues>]> = [];
    for (const [term, v] of tf) entries.push([this.termId(term, txn), v]);
    entries.sort((a, b) => a[0] - b[0]);
    const ids = new Int32Array(entries.length);
    const counts = new Uint32Array(entries.length * 3);
    entries.forEach(([id, v], k) => {
      ids[k] = id;
      counts[k * 3] = v[0];
      counts[k * 3 + 1] = v[1];
      counts[k * 3 + 2] = v[2];
    });
    return { ids, tf: counts };
  }

  private readonly newTerms = new Map<string, { transaction: number; id: number }>();

  private termId(term: string, txn: PendingChanges): number {
    const known = this.vocabulary().id(term);
    if (known !== undefined) return known;
    const fresh = this.newTerms.get(term);
    if (fresh && fresh.transaction === txn.transaction) return fresh.id;
    // Another process may have added it; ids are never reused, so a found id is final.
    let id = this.sql.value<number>('SELECT id FROM rank_vocabulary WHERE term = ?', term);
    if (id === undefined) id = Number(this.sql.run('INSERT INTO rank_vocabulary (term) VALUES (?)', term).lastInsertRowid);
    this.newTerms.set(term, { transaction: txn.transaction, id });
    txn.terms.push([id, term]);
    if (this.newTerms.size > 50_000) this.newTerms.clear();
    return id;
  }

  /** The stored latent model (without passage vectors), by training time: what new passages are folded into. */
  private latentModel: { trainedAt: string; model: LsaModel; settings: LsaSettings; rowOf: Int32Array } | null = null;

  private latentModelExists(): boolean {
    return (this.sql.value<number>('SELECT count(*) FROM rank_latent_model') ?? 0) > 0;
  }

  /** The stored model, read again only when another training replaced it. */
  private storedModel(): { trainedAt: string; model: LsaModel; settings: LsaSettings; rowOf: Int32Array } | null {
    const trainedAt = this.sql.value<string>('SELECT trained_at FROM rank_latent_model WHERE id = 1');
    if (trainedAt === undefined) return (this.latentModel = null);
    if (this.latentModel?.trainedAt === trainedAt) return this.latentModel;
    type Row = { settings: string; trained_units: number; vocabulary: Buffer; idf: Buffer; basis: Buffer; singular_values: Buffer } & Record<'added' | 'removed' | 'folded_weight' | 'unknown_weight', number>;
    const row = this.sql.get<Row>('SELECT * FROM rank_latent_model WHERE id = 1')!;
    const drift: Drift = { added: row.added, removed: row.removed, foldedWeight: row.folded_weight, unknownWeight: row.unknown_weight };
    const vocabulary = row.vocabulary.length ? row.vocabulary.toString('utf8').split('\n') : [];
    const model = LsaModel.restore({ vocabulary, idf: floats(row.idf), basis: floats(row.basis), singularValues: floats(row.singular_values), trainedUnits: row.trained_units }, drift);
    return (this.latentModel = { trainedAt, model, settings: JSON.parse(row.settings) as LsaSettings, rowOf: this.rowTable(model) });
  }

  /** Term id → basis row of `model` (−1: not in its vocabulary), for the terms known now. */
  private rowTable(model: LsaModel): Int32Array {
    const vocab = this.vocabulary(true);
    const rowOf = new Int32Array(vocab.highestId + 1).fill(-1);
    for (let id = 0; id < rowOf.length; id++) {
      const term = vocab.term(id);
      if (term !== undefined) rowOf[id] = model.rowOf(term);
    }
    return rowOf;
  }

  /** A passage's vector in a model: its projection, through the term id → row table (terms newer than the table by name). */
  private project(m: { model: LsaModel; rowOf: Int32Array }, rows: TermRows, name: (id: number) => string | undefined): Float32Array {
    const n = rows.ids.length;
    const r = new Int32Array(n);
    const tfs = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const id = rows.ids[k]!;
      r[k] = id < m.rowOf.length ? m.rowOf[id]! : m.model.rowOf(name(id) ?? '');
      tfs[k] = unitTf(rows.tf, k);
    }
    return m.model.projectRows(r, tfs, n);
  }

  /**
   * New passages are folded into the latent model (no retraining): their vectors are its
   * projection of their terms, stored with them. What that changes (units added, their weight the
   * model does not know) is counted in the model's row for staleness(), in this transaction.
   */
  private foldIn(txn: PendingChanges, documentId: number, passages: ReadonlyArray<{ id: number; rows: TermRows }>): void {
    if (!passages.length) return;
    const m = this.storedModel();
    if (!m) return;
    const vocab = this.vocabulary();
    const fresh = new Map(txn.terms);
    const name = (id: number) => vocab.term(id) ?? fresh.get(id);
    const vectors = passages.map((p) => {
      const v = this.project(m, p.rows, name);
      this.sql.run('INSERT OR REPLACE INTO rank_latent_vectors (passage_id, document_id, vector) VALUES (?, ?, ?)', p.id, documentId, blob(v));
      return v;
    });
    const units = passages.map((p) => {
      const terms = new Map<string, number>();
      for (let k = 0; k < p.rows.ids.length; k++) {
        const term = name(p.rows.ids[k]!);
        if (term !== undefined) terms.set(term, unitTf(p.rows.tf, k));
      }
      return terms;
    });
    const d = m.model.measureFold(units);
    this.sql.run(
      'UPDATE rank_latent_model SET added = added + ?, folded_weight = folded_weight + ?, unknown_weight = unknown_weight + ? WHERE id = 1',
      d.added, d.foldedWeight, d.unknownWeight,
    );
    txn.latent.push((l) => passages.forEach((p, i) => l.scorer.setVector(p.id, documentId, vectors[i]!)));
  }

  // ------------------------------------------------------------------ RankStore

  async termIndex(): Promise<TermIndex> {
    return new SqliteTermIndex(this.postings(), this.sql, this.vocabulary());
  }

  private currentGeneration(): number {
    return this.sql.value<number>('SELECT generation FROM rank_state WHERE id = 1') ?? 0;
  }

  /** The database state the posting lists reflect (what a snapshot file must match). */
  private identity(): SnapshotIdentity {
    return {
      generation: this.currentGeneration(),
      highestTerm: this.sql.value<number>('SELECT max(id) FROM rank_vocabulary') ?? 0,
      highestDocument: this.sql.value<number>('SELECT max(document_id) FROM rank_documents') ?? 0,
      highestPassage: this.sql.value<number>('SELECT max(passage_id) FROM rank_passages') ?? 0,
      newestTerm: this.sql.value<string>('SELECT term FROM rank_vocabulary ORDER BY id DESC LIMIT 1') ?? '',
      newestDocumentHash: this.sql.value<string>('SELECT content_hash FROM documents ORDER BY id DESC LIMIT 1') ?? '',
    };
  }

  private get snapshotPath(): string | null {
    return this.location === ':memory:' || this.location === '' ? null : `${this.location}.postings`;
  }

  /** The generation the snapshot file was last written at or read from (nothing to write while it holds). */
  private snapshotGeneration = -1;

  /**
   * Writes the lists to the snapshot file when it is behind them (after an import, at close).
   * A folder that cannot be written only costs the next process the rebuild.
   */
  saveSnapshot(): void {
    const path = this.snapshotPath;
    const p = this.postingsCache;
    if (!path || !p || p.generation === this.snapshotGeneration) return;
    try {
      const identity = this.sql.db.transaction(() => this.identity())();
      // Only lists that are current are written: the identity is read from the tables.
      if (identity.generation !== p.generation) return;
      writePostingsSnapshot(path, p.toParts(), identity);
      this.snapshotGeneration = p.generation;
    } catch {
      // not writable (read-only folder, disk full): the tables stay the truth
    }
  }

  /**
   * The lists dropped last, whose snapshot file stays open: a term index handed out before the
   * drop (a ranking awaiting other reads while another process committed) may still read from it.
   */
  private retiredPostings: TermPostings | null = null;

  /** Drops the posting lists; the file of the ones dropped before them is let go of. */
  private dropPostings(): void {
    if (!this.postingsCache) return;
    this.retiredPostings?.release();
    this.retiredPostings = this.postingsCache;
    this.postingsCache = null;
  }

  /** Posting lists still in the snapshot file (a test's check that a query reads only its terms' lists). */
  get unreadLists(): number {
    return this.postingsCache?.unreadLists ?? 0;
  }

  /** At close: the snapshot is brought up to date, and its file let go of. */
  close(): void {
    this.saveSnapshot();
    this.dropPostings();
    this.retiredPostings?.release();
    this.retiredPostings = null;
  }

  /** The posting lists, loaded (again) when missing or behind the tables. */
  private postings(): TermPostings {
    const generation = this.currentGeneration();
    if (this.postingsCache && this.postingsCache.generation === generation) return this.postingsCache;
    this.dropPostings();
    const path = this.snapshotPath;
    if (path) {
      const fromFile = this.sql.db.transaction(() => {
        const identity = this.identity();
        const parts = readPostingsSnapshot(path, identity);
        return parts ? TermPostings.fromSnapshot(this.vocabulary(true), parts) : null;
      })();
      if (fromFile) {
        this.snapshotGeneration = fromFile.generation;
        return (this.postingsCache = fromFile);
      }
    }
    // One read transaction: a consistent snapshot even while another process writes.
    this.postingsCache = this.sql.db.transaction(() => {
      const postings = new TermPostings(this.vocabulary(true));
      postings.generation = this.currentGeneration();
      // Rows in table (rowid) order: reading in any index's order costs a lookup per row (25×).
      // Each level is read once into memory, counted (to size every list once), then added.
      const scratch = new Scratch();
      const counts = (rows: ReadonlyArray<readonly unknown[]>, blobAt: number) => {
        const n = new Int32Array(postings.vocabulary.highestId + 1);
        for (const r of rows) {
          const t = scratch.decode(r[blobAt] as Buffer);
          for (const id of t.ids) n[id]!++;
        }
        return n;
      };
      const expansions = new Map<number, WeightRows>();
      for (const [doc, blob] of this.sql.db.prepare('SELECT document_id, terms FROM rank_expansions').raw().iterate() as IterableIterator<[number, Buffer]>) expansions.set(doc, decodeWeights(blob));
      const docs = this.sql.db.prepare('SELECT document_id, len_title, len_headings, len_text, terms FROM rank_documents').raw().all() as Array<[number, number, number, number, Buffer]>;
      const docCounts = counts(docs, 4);
      // Expansion terms the document also holds are counted twice: a little room to spare, no second decode.
      for (const e of expansions.values()) for (const id of e.ids) if (id < docCounts.length) docCounts[id]!++;
      postings.reserve('document', docCounts);
      for (const [doc, t, h, x, blob] of docs) postings.addDocumentLevel(doc, scratch.decode(blob), [t, h, x], expansions.get(doc));
      docs.length = 0;
      // Passage ids grow with each write, so a document's passages come in their order.
      const passages = this.sql.db.prepare('SELECT passage_id, document_id, len_title, len_headings, len_text, terms FROM rank_passages').raw().all() as Array<[number, number, number, number, number, Buffer]>;
      postings.reserve('passage', counts(passages, 5));
      for (const [id, doc, t, h, x, blob] of passages) postings.addPassage(doc, { id, rows: scratch.decode(blob), length: [t, h, x] });
      passages.length = 0;
      return postings;
    })();
    this.saveSnapshot();
    return this.postingsCache;
  }

  async unanalysed(limit: number): Promise<number[]> {
    // Every rank_documents row belongs to a document (its key, ON DELETE CASCADE): equal counts
    // mean none is missing. Two index counts (migration 0110) instead of the scan below, which
    // reads every document row and cost 112 ms of each cold start at 100,000 passages.
    if (this.sql.value<number>('SELECT (SELECT count(*) FROM documents) - (SELECT count(*) FROM rank_documents)') === 0) return [];
    return this.sql.column<number>(
      'SELECT d.id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM rank_documents r WHERE r.document_id = d.id) ORDER BY d.id LIMIT ?',
      limit,
    );
  }

  async putAnalyses(rows: ReadonlyArray<{ documentId: number; analysis: AnalysedDocument }>): Promise<void> {
    if (!rows.length) return;
    this.sql.write(() => {
      for (const { documentId, analysis } of rows) {
        // Written by another process meanwhile, or gone: its rows are the ones to keep.
        if (this.sql.get('SELECT 1 FROM rank_documents WHERE document_id = ?', documentId)) continue;
        const ids = this.sql.column<number>('SELECT id FROM chunks WHERE document_id = ? ORDER BY ord', documentId);
        if (!this.sql.get('SELECT 1 FROM documents WHERE id = ?', documentId) || ids.length !== analysis.passages.length) continue;
        this.putDocument(documentId, analysis, ids);
      }
    });
  }

  async expansionQueue(limit: number): Promise<number[]> {
    return this.sql.column<number>('SELECT document_id FROM rank_expansion_queue ORDER BY document_id LIMIT ?', limit);
  }

  async setExpansions(rows: readonly ExpansionWrite[]): Promise<void> {
    if (!rows.length) return;
    this.sql.write(() => {
      const txn = this.begin();
      for (const r of rows) {
        this.sql.run('DELETE FROM rank_expansion_queue WHERE document_id = ?', r.documentId);
        // A document removed since it was expanded keeps nothing.
        if (!this.sql.get('SELECT 1 FROM rank_documents WHERE document_id = ?', r.documentId)) continue;
        const entries = [...r.terms].filter(([, w]) => w > 0).map(([t, w]) => [this.termId(t, txn), w] as const).sort((a, b) => a[0] - b[0]);
        const weights: WeightRows = { ids: Int32Array.from(entries, (e) => e[0]), values: Float32Array.from(entries, (e) => e[1]) };
        const neighbours = JSON.stringify(r.neighbours.map((n) => [n.id, Math.round(n.similarity * 1e4) / 1e4]));
        this.sql.run(
          'INSERT INTO rank_expansions (document_id, terms, neighbours) VALUES (?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET terms = excluded.terms, neighbours = excluded.neighbours',
          r.documentId, encodeWeights(weights), neighbours,
        );
        txn.postings.push((p) => p.setExpansion(r.documentId, weights));
      }
    });
  }

  async latent(): Promise<LatentState | null> {
    const l = this.loadLatent();
    return l ? { scorer: l.scorer, trainedAt: l.trainedAt, settings: l.settings } : null;
  }

  /**
   * The stored model, loaded when missing or behind; its scorer reads the stored vectors of the
   * documents a ranking scores as it scores them (LatentVectorSource), not every passage's up
   * front: at 100,000 passages that load was most of a cold `similar`, and it grew with the corpus.
   */
  private loadLatent(): LatentCache | null {
    const generation = this.currentGeneration();
    if (this.latentCache !== undefined && this.latentGeneration === generation) return this.latentCache;
    // One read: the model's name and its row from the same training.
    const m = this.sql.db.transaction(() => this.storedModel())();
    const loaded = m ? { model: m.model, scorer: new LsaScorer(m.model, this.vectorSource(m)), trainedAt: m.trainedAt, settings: m.settings } : null;
    this.latentCache = loaded;
    this.latentGeneration = generation;
    return loaded;
  }

  /** Vector reads by document: how many rows they returned (a test's check that a ranking reads its candidates only). */
  latentVectorsRead = 0;

  /** The stored vectors of model `m`, by document or all; a passage without one (written while another process trained) is projected. */
  private vectorSource(m: { trainedAt: string; model: LsaModel; rowOf: Int32Array }): LatentVectorSource {
    const rank = m.model.rank;
    const read = (where: string, args: unknown[], put: (unit: number, doc: number, v: Float32Array) => void, skip?: ReadonlySet<number>) => {
      this.sql.db.transaction(() => {
        // Retrained by another process since: these rows are in another model's space (the next ranking loads that one).
        if (this.sql.value<string>('SELECT trained_at FROM rank_latent_model WHERE id = 1') !== m.trainedAt) return;
        const v32 = new Float32Array(rank);
        const bytes = new Uint8Array(v32.buffer);
        for (const [id, doc, v] of this.sql.db.prepare(`SELECT passage_id, document_id, vector FROM rank_latent_vectors v WHERE ${where}`).raw().iterate(...args) as IterableIterator<[number, number, Buffer]>) {
          this.latentVectorsRead++;
          if (v.byteLength !== rank * 4 || skip?.has(doc)) continue;
          // setVector copies the row into the scorer's array: one scratch row serves every passage.
          bytes.set(v);
          put(id, doc, v32);
        }
        const scratch = new Scratch();
        const vocab = this.vocabulary();
        const missing = `SELECT p.passage_id, p.document_id, p.terms FROM rank_passages p WHERE ${where.replaceAll('v.document_id', 'p.document_id')} AND NOT EXISTS (SELECT 1 FROM rank_latent_vectors v WHERE v.passage_id = p.passage_id)`;
        for (const [id, doc, terms] of this.sql.db.prepare(missing).raw().iterate(...args) as IterableIterator<[number, number, Buffer]>) {
          if (!skip?.has(doc)) put(id, doc, this.project(m, scratch.decode(terms), (t) => vocab.term(t)));
        }
      })();
    };
    return {
      documents: (docs, put) => read('v.document_id IN (SELECT value FROM json_each(?))', [JSON.stringify(docs)], put),
      all: (put, skip) => read('1', [], put, skip),
    };
  }

  async latentStaleness(): Promise<(Staleness & { trainedAt: string; trainedUnits: number }) | null> {
    type Row = { trainedAt: string; trainedUnits: number; added: number; removed: number; folded: number; unknown: number };
    const r = this.sql.get<Row>(
      'SELECT trained_at AS trainedAt, trained_units AS trainedUnits, added, removed, folded_weight AS folded, unknown_weight AS unknown FROM rank_latent_model WHERE id = 1',
    );
    if (!r) return null;
    return { ...staleness({ added: r.added, removed: r.removed, foldedWeight: r.folded, unknownWeight: r.unknown }, r.trainedUnits), trainedAt: r.trainedAt, trainedUnits: r.trainedUnits };
  }

  async trainLatent(settings: LsaSettings, o: { onProgress?: (p: LatentTrainingProgress) => void; signal?: AbortSignal } = {}): Promise<LatentModelWrite | null> {
    if (this.readOnly) throw new HindsightError('db-readonly', 'The database is read-only: its corpus model cannot be trained.');
    const { passages } = await this.passageCount();
    if (!passages) return null;
    if (this.location !== ':memory:') return trainInWorker(this.location, settings, o);
    // A database in memory cannot be opened by a worker: trained here (tests and tools only).
    const r = trainFrom(this.sql.db, settings, o.onProgress);
    return r ? { model: LsaModel.restore(r.parts), settings, trainedThrough: r.trainedThrough, vectors: r.vectors } : null;
  }

  async saveLatent(write: LatentModelWrite): Promise<void> {
    const { model, settings, trainedThrough } = write;
    const parts = model.parts();
    this.sql.write(() => {
      this.begin();
      const trainedAt = new Date().toISOString();
      const m = { model, rowOf: this.rowTable(model) };
      const vocab = this.vocabulary();
      // The model and every passage's vector in it change together.
      this.sql.run('DELETE FROM rank_latent_vectors');
      const insert = this.sql.db.prepare('INSERT INTO rank_latent_vectors (passage_id, document_id, vector) VALUES (?, ?, ?)');
      const have = new Set<number>();
      const current = new Map<number, number>();
      for (const [id, doc] of this.sql.db.prepare('SELECT passage_id, document_id FROM rank_passages').raw().iterate() as IterableIterator<[number, number]>) current.set(id, doc);
      const rank = model.rank;
      if (write.vectors) {
        const { ids, docs, values } = write.vectors;
        for (let i = 0; i < ids.length; i++) {
          // Passages removed since the snapshot it trained on are gone.
          if (current.get(ids[i]!) !== docs[i]) continue;
          insert.run(ids[i], docs[i], Buffer.from(values.buffer, values.byteOffset + i * rank * 4, rank * 4));
          have.add(ids[i]!);
        }
      }
      // What changed between that snapshot and now counts toward its staleness; passages written since are folded in.
      const kept = this.sql.value<number>('SELECT count(*) FROM rank_passages WHERE passage_id <= ?', trainedThrough) ?? 0;
      const scratch = new Scratch();
      const units: Array<Map<string, number>> = [];
      // (Read first: a statement cannot run while another one iterates on the connection.)
      for (const [id, doc, terms] of this.sql.db.prepare('SELECT passage_id, document_id, terms FROM rank_passages').raw().all() as Array<[number, number, Buffer]>) {
        if (have.has(id)) continue;
        const rows = scratch.decode(terms);
        insert.run(id, doc, blob(this.project(m, rows, (t) => vocab.term(t))));
        if (id <= trainedThrough) continue;
        const unit = new Map<string, number>();
        for (let k = 0; k < rows.ids.length; k++) {
          const term = vocab.term(rows.ids[k]!);
          if (term !== undefined) unit.set(term, unitTf(rows.tf, k));
        }
        units.push(unit);
      }
      const drift = model.measureFold(units);
      drift.removed = Math.max(0, parts.trainedUnits - kept);
      this.sql.run(
        `INSERT OR REPLACE INTO rank_latent_model (id, trained_at, settings, trained_units, trained_through, vocabulary, idf, basis, singular_values,
           added, removed, folded_weight, unknown_weight) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        trainedAt, JSON.stringify(settings), parts.trainedUnits, trainedThrough, Buffer.from(parts.vocabulary.join('\n'), 'utf8'),
        blob(parts.idf), blob(parts.basis), blob(parts.singularValues), drift.added, drift.removed, drift.foldedWeight, drift.unknownWeight,
      );
      // The old model's scorer is dropped: the new one is loaded on next use.
      this.sql.afterCommit(() => {
        this.latentCache = undefined;
        this.latentModel = null;
      });
    });
  }

  async passageCount(): Promise<{ passages: number; highestId: number }> {
    const r = this.sql.get<{ n: number; top: number | null }>('SELECT count(*) AS n, max(passage_id) AS top FROM rank_passages')!;
    return { passages: r.n, highestId: r.top ?? 0 };
  }

  get writable(): boolean {
    return !this.readOnly;
  }
}

/** One pair of arrays reused to decode blob after blob while loading (the rows are only read, then dropped). */
class Scratch {
  private ids = new Int32Array(1024);
  private tf = new Uint32Array(3072);

  decode(blob: Uint8Array): TermRows {
    if (blob.length >> 2 > this.ids.length) {
      this.ids = new Int32Array(blob.length);
      this.tf = new Uint32Array(blob.length * 3);
    }
    const n = decodeTermsInto(blob, this.ids, this.tf);
    return { ids: this.ids.subarray(0, n), tf: this.tf.subarray(0, n * 3) };
  }
}

const floats = (b: Buffer): Float32Array => {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
};
const blob = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * The TermIndex the scorers read: posting lists, frequencies and lengths from memory; one
 * document's or passage's terms read from the file when asked (feedback, expansion and coverage
 * ask for a few dozen per query).
 */
class SqliteTermIndex implements TermIndex {
  constructor(
    private readonly lists: TermPostings,
    private readonly sql: Sql,
    private readonly vocab: Vocabulary,
  ) {}

  count(level: Level): number {
    return this.lists.count(level);
  }

  averageLength(level: Level): Readonly<FieldValues> {
    return this.lists.averageLength(level);
  }

  df(term: string, level: Level): number {
    return this.lists.df(term, level);
  }

  postings(term: string, level: Level, limit: number, reuse?: PostingBlock): PostingBlock {
    return this.lists.postings(term, level, limit, reuse);
  }

  documentTerms(doc: number): ReadonlyMap<string, Readonly<FieldValues>> | null {
    if (!this.lists.hasDocument(doc)) return null;
    const row = this.sql.value<Buffer>('SELECT terms FROM rank_documents WHERE document_id = ?', doc);
    if (!row) return null;
    const out = this.named(decodeTerms(row));
    const expansion = this.lists.expansionOf(doc);
    if (expansion) {
      for (let k = 0; k < expansion.ids.length; k++) {
        const term = this.vocab.term(expansion.ids[k]!);
        if (term === undefined) continue;
        const v = out.get(term);
        if (v) v[3] = expansion.values[k]!;
        else out.set(term, [0, 0, 0, expansion.values[k]!]);
      }
    }
    return out;
  }

  holds(doc: number, terms: readonly string[]): boolean[] | null {
    if (!this.lists.hasDocument(doc)) return null;
    const row = this.sql.value<Buffer>('SELECT terms FROM rank_documents WHERE document_id = ?', doc);
    if (!row) return null;
    // The row's term ids ascend (termRows sorts them): a binary search per term, no names.
    const { ids, tf } = decodeTerms(row);
    return terms.map((term) => {
      const id = this.vocab.id(term);
      if (id === undefined) return false;
      let lo = 0;
      let hi = ids.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const at = ids[mid]!;
        if (at === id) return tf[mid * 3]! + tf[mid * 3 + 1]! + tf[mid * 3 + 2]! > 0;
        if (at < id) lo = mid + 1;
        else hi = mid - 1;
      }
      return false;
    });
  }

  passageTerms(passage: number): ReadonlyMap<string, Readonly<FieldValues>> | null {
    if (this.lists.documentOf(passage) === undefined) return null;
    const row = this.sql.value<Buffer>('SELECT terms FROM rank_passages WHERE passage_id = ?', passage);
    return row ? this.named(decodeTerms(row)) : null;
  }

  private named(rows: TermRows): Map<string, FieldValues> {
    const out = new Map<string, FieldValues>();
    for (let k = 0; k < rows.ids.length; k++) {
      const term = this.vocab.term(rows.ids[k]!);
      if (term !== undefined) out.set(term, [rows.tf[k * 3]!, rows.tf[k * 3 + 1]!, rows.tf[k * 3 + 2]!, 0]);
    }
    return out;
  }

  documents(): Iterable<number> {
    return this.lists.documents();
  }

  passagesOf(doc: number): readonly number[] {
    return this.lists.passagesOf(doc);
  }
}
