import { statSync } from 'node:fs';
import { HindsightError } from './common/errors.js';
import {
  ImportInputSchema,
  SearchInputSchema,
  DocumentIdSchema,
  type DocumentView,
  type ImportInput,
  type ImportPreview,
  type ImportProgress,
  type ImportSummary,
  type IndexProgress,
  type IndexState,
  type ModelState,
  type SearchInput,
  type SectionRole,
  SimilarInputSchema,
  PatternsInputSchema,
  type PatternsInput,
  type PatternsResult,
  ExpertsInputSchema,
  type ExpertsInput,
  type ExpertsResult,
  type SimilarInput,
  type SimilarRequest,
  type SimilarResult,
  type SearchResult,
  type Stats,
} from './contract.js';
import { Embedder } from './embed/embedder.js';
import { locateModel, modelSearchFromEnv, type LocatedModel, type ModelSearch } from './embed/model-locator.js';
import { importPaths, passageText, previewImport } from './import/importer.js';
import { showDocument } from './store/document-view.js';
import { search } from './search/search.js';
import { TermStats } from './search/term-stats.js';
import { getMeta, openDatabase, setMeta, type Db } from './store/database.js';
import { blobToVector, VectorIndex, vectorToBlob } from './vector/vector-index.js';
import { findSimilar, type IncidentInput, type SimilarDeps } from './similar/similar.js';
import { findPatterns } from './patterns/patterns.js';
import { findExperts } from './experts/experts.js';
import { readSource } from './import/read-source.js';
import { resolve } from 'node:path';

export interface EngineOptions {
  dbPath: string;
  /** Where to look for models; defaults to the environment (HINDSIGHT_MODEL_DIR, user folder). */
  models?: ModelSearch;
}

const META_MODEL = 'embedding_model';
const META_DIMS = 'embedding_dims';

/**
 * The engine: one database, the model (when there is one), the vector index. Everything the CLI,
 * the HTTP bridge and the desktop app do goes through here; inputs are parsed with the contract's
 * schemas again, whoever the caller.
 */
export class Engine {
  private embedder: Embedder | null = null;
  private embedderStarting: Promise<Embedder> | null = null;
  private index: VectorIndex | null = null;
  private indexHealth: IndexState['health'] = 'absent';
  private readonly terms: TermStats;

  private constructor(
    readonly db: Db,
    readonly dbPath: string,
    readonly model: LocatedModel | null,
    private modelState: ModelState,
  ) {
    this.terms = new TermStats(db);
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const db = openDatabase(options.dbPath);
    const { model, state } = await locateModel(options.models ?? modelSearchFromEnv());
    const engine = new Engine(db, options.dbPath, model, state);
    if (model) engine.adoptModel(model);
    return engine;
  }

  /** Vectors of another model are never mixed with this one's: a change of model clears them. */
  private adoptModel(model: LocatedModel): void {
    const previous = getMeta(this.db, META_MODEL);
    if (previous && previous !== model.modelId) {
      this.db.transaction(() => {
        this.db.prepare('UPDATE chunks SET embedding = NULL WHERE embedding IS NOT NULL').run();
        this.db.prepare('DELETE FROM meta WHERE key = ?').run(META_DIMS);
      })();
      VectorIndex.discard(this.indexPath);
    }
    setMeta(this.db, META_MODEL, model.modelId);
  }

  get indexPath(): string {
    return `${this.dbPath}.hnsw`;
  }

  get semantic(): boolean {
    return this.model !== null;
  }

  get modelStatus(): ModelState {
    return this.modelState;
  }

  private async getEmbedder(): Promise<Embedder> {
    if (!this.model) throw new HindsightError('no-model', 'No embedding model is installed.');
    if (this.embedder) return this.embedder;
    this.embedderStarting ??= Embedder.start(this.model).then((e) => (this.embedder = e));
    return this.embedderStarting;
  }

  /** The vector index, opened (and repaired) on first use; null until vectors exist. */
  private getIndex(): VectorIndex | null {
    if (!this.model) return null;
    if (this.index) return this.index;
    const dims = Number(getMeta(this.db, META_DIMS) ?? 0);
    if (!dims) return null;
    this.index = VectorIndex.open(this.db, this.indexPath, this.model.modelId, dims);
    this.indexHealth = this.index.health;
    return this.index;
  }

  private indexFor(dims: number): VectorIndex {
    if (!getMeta(this.db, META_DIMS)) setMeta(this.db, META_DIMS, String(dims));
    const index = this.getIndex();
    if (!index) throw new Error('vector index unavailable');
    if (index.dims !== dims) throw new HindsightError('model-dims', `The model produced ${dims}-dimensional vectors, the index holds ${index.dims}.`);
    return index;
  }

  async import(input: ImportInput, options: { onProgress?: (p: ImportProgress) => void; signal?: AbortSignal } = {}): Promise<ImportSummary> {
    const { paths, channels, csvMap } = ImportInputSchema.parse(input);
    const embedder = this.model ? await this.getEmbedder() : null;
    try {
      return await importPaths(
        {
          db: this.db,
          embedPassages: embedder ? (texts) => embedder.embedPassages(texts) : null,
          onWritten: (result, vectors) => {
            const index = this.index ?? (vectors?.[0] ? this.indexFor(vectors[0].length) : null);
            index?.remove(result.removedChunkIds);
            if (index && vectors) result.chunkIds.forEach((id, i) => index.add(id, vectors[i]!));
          },
          onRemoved: (chunkIds) => this.getIndex()?.remove(chunkIds),
          onProgress: options.onProgress,
          signal: options.signal,
          channels,
          csvMap,
        },
        paths,
      );
    } finally {
      this.index?.save();
      this.terms.invalidate();
    }
  }

  /** What an import would read (formats, Slack channels), before importing. */
  async previewImport(input: ImportInput): Promise<ImportPreview> {
    const { paths, channels } = ImportInputSchema.parse(input);
    return previewImport(paths, channels);
  }

  /** One document with its sections, entities and links (null when there is no such id). */
  show(id: number): DocumentView | null {
    return showDocument(this.db, DocumentIdSchema.parse(id));
  }

  async search(input: SearchInput): Promise<SearchResult> {
    const req = SearchInputSchema.parse(input);
    const index = this.getIndex();
    const semantic = index && index.size > 0
      ? { index, embedQuery: async (q: string) => (await this.getEmbedder()).embedQuery(q) }
      : null;
    return search({ db: this.db, terms: this.terms, semantic }, req);
  }

  /** Past incidents like the input (text, file or imported document), with explanations. */
  async similar(input: SimilarInput, tuning: Pick<IncidentInput, 'weights'> = {}): Promise<SimilarResult> {
    const req = SimilarInputSchema.parse(input);
    const incident = await this.incidentInput(req);
    return findSimilar({ db: this.db, terms: this.terms, semantic: await this.semanticDeps() }, { ...incident, ...tuning });
  }

  /** Recurring themes across incidents, and the services and errors that recur most. */
  async patterns(input: PatternsInput): Promise<PatternsResult> {
    const req = PatternsInputSchema.parse(input);
    const semantic = (await this.semanticDeps()) !== null;
    return findPatterns(this.db, { ...req, semantic });
  }

  /** The people who handled the incidents most like this one. */
  async experts(input: ExpertsInput): Promise<ExpertsResult> {
    const req = ExpertsInputSchema.parse(input);
    const similar = await this.similar(req.text !== undefined ? { text: req.text, limit: 15 } : { id: req.id!, limit: 15 });
    return findExperts(this.db, similar, req.limit);
  }

  /** The semantic side of similarity, when a model and vectors exist. */
  private async semanticDeps(): Promise<SimilarDeps['semantic']> {
    const index = this.getIndex();
    if (!index || index.size === 0) return null;
    const embedder = await this.getEmbedder();
    return { index, embed: (texts) => embedder.embedPassages(texts) };
  }

  private async incidentInput(req: SimilarRequest): Promise<IncidentInput> {
    const base = { kinds: req.kinds, limit: req.limit, exclude: [] as number[] };
    if (req.text !== undefined) return { ...base, text: req.text };
    if (req.file !== undefined) {
      const source = await readSource({ path: resolve(req.file), root: resolve(req.file) }, { report: () => {} });
      const bodies: string[] = [];
      try {
        for await (const d of source.documents) bodies.push(d.body);
      } finally {
        source.close();
      }
      if (!bodies.length) throw new HindsightError('empty', `${req.file} has no text to compare.`);
      return { ...base, text: bodies.join('\n\n') };
    }
    const id = req.id!;
    const doc = this.db.prepare('SELECT body FROM documents WHERE id = ?').pluck().get(id) as string | undefined;
    if (doc === undefined) throw new HindsightError('not-found', `There is no document #${id}.`);
    const rows = this.db.prepare('SELECT text, role, embedding FROM chunks WHERE document_id = ? ORDER BY ord').all(id) as Array<{ text: string; role: SectionRole; embedding: Buffer | null }>;
    return {
      ...base,
      text: doc,
      exclude: [id],
      passages: rows.map((r) => ({ text: r.text, role: r.role, vector: r.embedding && this.model ? blobToVector(r.embedding) : undefined })),
    };
  }

  /** Embeds every passage that has no vector yet (no model at import time, or a model change). */
  async reindex(options: { onProgress?: (p: IndexProgress) => void; signal?: AbortSignal } = {}): Promise<{ embedded: number; durationMs: number }> {
    if (!this.model) {
      throw new HindsightError('no-model', 'No embedding model is installed, so there is nothing to embed with. Install one with `hindsight model fetch` or `hindsight model import <folder>`.');
    }
    const embedder = await this.getEmbedder();
    const started = performance.now();
    const total = this.pendingCount();
    let done = 0;
    const batch = this.db.prepare(
      `SELECT c.id, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.document_id
       WHERE c.embedding IS NULL AND c.id > ? ORDER BY c.id LIMIT 128`,
    );
    const update = this.db.prepare('UPDATE chunks SET embedding = ? WHERE id = ?');
    let after = 0;
    const report = (phase: IndexProgress['phase']) => {
      const secs = (performance.now() - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      options.onProgress?.({ phase, done, total, rate, etaSeconds: rate > 0 ? (total - done) / rate : null });
    };
    report('embedding');
    try {
      for (;;) {
        if (options.signal?.aborted) break;
        const rows = batch.all(after) as Array<{ id: number; text: string; title: string }>;
        if (!rows.length) break;
        after = rows[rows.length - 1]!.id;
        const vectors = await embedder.embedPassages(rows.map((r) => passageText(r.title, r)));
        const index = this.indexFor(vectors[0]!.length);
        // Passages deleted meanwhile simply update nothing.
        this.db.transaction(() => rows.forEach((r, i) => update.run(vectorToBlob(vectors[i]!), r.id)))();
        rows.forEach((r, i) => index.add(r.id, vectors[i]!));
        done += rows.length;
        report('embedding');
      }
    } finally {
      this.index?.save();
    }
    report('done');
    return { embedded: done, durationMs: Math.round(performance.now() - started) };
  }

  /** Milliseconds the model has spent embedding so far (benchmarks: import overhead). */
  get inferenceMs(): number {
    return this.embedder?.inferenceMs ?? 0;
  }

  pendingCount(): number {
    return this.db.prepare('SELECT count(*) FROM chunks WHERE embedding IS NULL').pluck().get() as number;
  }

  stats(): Stats {
    const count = (sql: string) => this.db.prepare(sql).pluck().get() as number;
    const groups = (sql: string) =>
      Object.fromEntries((this.db.prepare(sql).all() as Array<{ k: string; n: number }>).map((r) => [r.k, r.n]));
    const embedded = count('SELECT count(*) FROM chunks WHERE embedding IS NOT NULL');
    if (this.model) this.getIndex();
    const last = this.db
      .prepare(`SELECT id, finished_at AS finishedAt, files_failed AS filesFailed FROM imports ORDER BY id DESC LIMIT 1`)
      .get() as Stats['lastImport'] | undefined;
    let bytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        bytes += statSync(this.dbPath + suffix).size;
      } catch {
        // no such file
      }
    }
    return {
      documents: count('SELECT count(*) FROM documents'),
      chunks: count('SELECT count(*) FROM chunks'),
      byKind: groups('SELECT kind AS k, count(*) AS n FROM documents GROUP BY kind ORDER BY n DESC'),
      byFormat: groups('SELECT format AS k, count(*) AS n FROM documents GROUP BY format ORDER BY n DESC'),
      model: this.modelState,
      index: { embedded: this.model ? embedded : 0, pending: this.model ? this.pendingCount() : count('SELECT count(*) FROM chunks'), health: this.indexHealth },
      databasePath: this.dbPath,
      databaseBytes: bytes,
      lastImport: last ?? null,
    };
  }

  async close(): Promise<void> {
    this.index?.save();
    await this.embedder?.close();
    this.db.close();
  }
}
