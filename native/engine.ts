import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { sha256 } from './common/hash.js';
import { EXTRACTION_VERSION, IncidentBuilder } from './incidents/build.js';
import { loadTaxonomy, type Taxonomy } from './incidents/taxonomy.js';
import { userDataDir } from './store/paths.js';
import { HindsightError } from './common/errors.js';
import type {
  DocumentView,
  ExpertsResult,
  ImportProgress,
  ImportSummary,
  IndexProgress,
  IndexState,
  ModelState,
  PatternsResult,
  SearchResult,
  SimilarResult,
  Stats,
  ApiRequest,
} from './contract.js';
import { Embedder } from './embed/embedder.js';
import { locateModel, modelSearchFromEnv, type LocatedModel, type ModelSearch } from './embed/model-locator.js';
import { findExperts } from './experts/experts.js';
import { importPaths, passageText } from './import/importer.js';
import { readSource } from './import/read-source.js';
import { findPatterns } from './patterns/patterns.js';
import { search } from './search/search.js';
import { findSimilar, type IncidentInput, type SimilarDeps } from './similar/similar.js';
import { CorpusUpkeep } from './rank/corpus-upkeep.js';
import { EngineRanker, type SemanticSide } from './rank/engine-ranker.js';
import type { DocumentRanker } from './rank/ranker.js';
import type { OpenMode } from './store/sqlite/database.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { LatentTrainingProgress, Store } from './store/store.js';
import { describeHolder, processAlive, WriterLock } from './store/writer-lock.js';
import { VectorIndex } from './vector/vector-index.js';

export interface EngineOptions {
  dbPath: string;
  /** Team failure-mode files extending the shipped taxonomy; defaults to the environment and user folder. */
  taxonomyFiles?: string[];
  /** Where to look for models; defaults to the environment (HINDSIGHT_MODEL_DIR, user folder). */
  models?: ModelSearch;
  /** `read` refuses a missing database and opens an unwritable one read-only (see store). */
  mode?: OpenMode;
  /**
   * False: imports keep no ranking statistics, expansions or corpus model — only for the
   * benchmark's floor (import throughput as it was before them); ranking does not see what such
   * an import writes.
   */
  rankingStatistics?: boolean;
}

const META_MODEL = 'embedding_model';
const META_DIMS = 'embedding_dims';
const META_EXTRACTION = 'incident_extraction';

/** Team failure-mode files: $HINDSIGHT_FAILURE_MODES (a path list), else failure-modes.yaml in the user folder if there is one. */
export function taxonomyFilesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.HINDSIGHT_FAILURE_MODES) return env.HINDSIGHT_FAILURE_MODES.split(delimiter).filter(Boolean);
  const own = join(userDataDir(env), 'failure-modes.yaml');
  return existsSync(own) ? [own] : [];
}

/** Progress of the corpus model job (training the latent model the ranker uses without a transformer). */
export interface CorpusModelProgress {
  phase: LatentTrainingProgress['phase'] | 'waiting' | 'saving' | 'done' | 'cancelled' | 'failed';
  /** Steps of the phase done and in all (reading: passages; training: its steps). */
  done: number;
  total: number;
  /** Why it trains: there was no model, or the corpus drifted from it. */
  reason: 'absent' | 'stale' | 'asked';
}

/** Options of a long job (an import, reindexing). */
export interface JobOptions<P> {
  onProgress?: (p: P) => void;
  signal?: AbortSignal;
}

/**
 * The engine: one store, the model (when there is one), the vector index. It takes requests the
 * contract has already parsed (see service/handlers.ts, the one door in); it does not parse again.
 */
export class Engine {
  private embedder: Embedder | null = null;
  private embedderStarting: Promise<Embedder> | null = null;
  private index: VectorIndex | null = null;
  private indexOpening: Promise<VectorIndex | null> | null = null;
  private indexHealth: IndexState['health'] = 'absent';
  private readonly writer: WriterLock;
  readonly incidents: IncidentBuilder;
  /** Candidates and scores of similar incidents (native/rank), over the store's statistics. */
  readonly ranker: DocumentRanker;
  /** Expansion, backfill and the latent model: the ranking statistics' upkeep after imports. */
  readonly upkeep: CorpusUpkeep;
  /** Hears the background corpus model job (the service can forward it as events). */
  onCorpusModelProgress: ((p: CorpusModelProgress) => void) | null = null;
  private corpusModelJob: { controller: AbortController; done: Promise<void> } | null = null;
  private closing = false;

  private constructor(
    readonly store: Store,
    readonly dbPath: string,
    readonly model: LocatedModel | null,
    private readonly modelState: ModelState,
    readonly taxonomy: Taxonomy,
    private readonly rankingStatistics = true,
  ) {
    this.writer = new WriterLock(`${dbPath}.writer.lock`);
    this.incidents = new IncidentBuilder(store, taxonomy);
    this.upkeep = new CorpusUpkeep(store);
    // The first ranking also checks whether the corpus model is due (a model left stale or
    // missing by a run that ended first); imports check after each import.
    this.ranker = new EngineRanker(store, () => this.semanticSide(), { beforeRank: () => this.scheduleCorpusModel() });
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const taxonomyFiles = options.taxonomyFiles ?? taxonomyFilesFromEnv();
    const taxonomy = loadTaxonomy({ extraFiles: taxonomyFiles });
    const store = SqliteStore.open(options.dbPath, options.mode ?? 'write');
    try {
      const { model, state } = await locateModel(options.models ?? modelSearchFromEnv());
      const engine = new Engine(store, options.dbPath, model, state, taxonomy, options.rankingStatistics ?? true);
      if (!store.readOnly) {
        // Imports whose process died (kill -9, a crash) are not "running" any more.
        await store.imports.markInterrupted(processAlive);
        if (model) await engine.adoptModel(model);
        await engine.upgradeIncidents();
        // Term statistics for what was stored before they existed, and expansions an interrupted import left due.
        await engine.upkeep.backfill();
        await engine.upkeep.expand();
      }
      return engine;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /**
   * Incident records for what is stored: built for a database from before they existed, and
   * extracted again when the extraction or the failure-mode taxonomy changed.
   */
  private async upgradeIncidents(): Promise<void> {
    const signature = `${EXTRACTION_VERSION}:${sha256(this.taxonomy.sources.map((f) => readFileSync(f, 'utf8')).join('\u0000')).slice(0, 16)}`;
    if ((await this.store.meta.get(META_EXTRACTION)) !== signature) {
      await this.store.incidents.markAllStale();
      await this.store.meta.set(META_EXTRACTION, signature);
    }
    await this.incidents.backfill();
  }

  /** Vectors of another model are never mixed with this one's: a change of model clears them. */
  private async adoptModel(model: LocatedModel): Promise<void> {
    const previous = await this.store.meta.get(META_MODEL);
    if (previous && previous !== model.modelId) {
      await this.store.passages.clearVectors();
      await this.store.meta.delete(META_DIMS);
      VectorIndex.discard(this.indexPath);
    }
    await this.store.meta.set(META_MODEL, model.modelId);
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

  /** The embedding worker, started on first use and again if it died. */
  private async getEmbedder(): Promise<Embedder> {
    if (!this.model) throw new HindsightError('no-model', 'No embedding model is installed.');
    if (this.embedder?.alive) return this.embedder;
    if (this.embedder && !this.embedder.alive) {
      this.embedder = null;
      this.embedderStarting = null;
    }
    this.embedderStarting ??= Embedder.start(this.model).then(
      (e) => (this.embedder = e),
      (err: unknown) => {
        this.embedderStarting = null;
        throw err;
      },
    );
    return this.embedderStarting;
  }

  /** The vector index, opened (and repaired) on first use; null until vectors exist. */
  private async getIndex(): Promise<VectorIndex | null> {
    if (!this.model) return null;
    if (this.index) return this.index;
    this.indexOpening ??= (async () => {
      const dims = Number((await this.store.meta.get(META_DIMS)) ?? 0);
      if (!dims) return null;
      const index = await VectorIndex.open(this.store.passages, this.indexPath, this.model!.modelId, dims, { readOnly: this.store.readOnly });
      this.index = index;
      this.indexHealth = index.health;
      return index;
    })().finally(() => (this.indexOpening = null));
    return this.indexOpening;
  }

  private async indexFor(dims: number): Promise<VectorIndex> {
    if (!(await this.store.meta.get(META_DIMS))) await this.store.meta.set(META_DIMS, String(dims));
    const index = await this.getIndex();
    if (!index) throw new HindsightError('internal', 'The vector index could not be opened.');
    if (index.dims !== dims) throw new HindsightError('model-dims', `The model produced ${dims}-dimensional vectors, the index holds ${index.dims}.`);
    return index;
  }

  /** Queues an import: its row exists (status queued) before it runs. */
  async queueImport(paths: string[]): Promise<number> {
    this.assertWritable();
    return this.store.imports.create(paths, process.pid);
  }

  /**
   * Imports files and folders. Waits (reporting `waiting`) while another process writes the
   * database; stops between documents when `signal` aborts, marking the import cancelled.
   */
  async import(req: ApiRequest<'startImport'>, options: JobOptions<ImportProgress> & { importId?: number; relabel?: (path: string) => string } = {}): Promise<ImportSummary> {
    this.assertWritable();
    const importId = options.importId ?? (await this.queueImport(req.paths));
    await this.holdWriter(`an import`, options.signal, (waitingFor) =>
      options.onProgress?.({ importId, phase: 'waiting', waitingFor, filesTotal: 0, filesDone: 0, filesFailed: 0, documents: 0, chunksEmbedded: 0, currentFile: null, currentRecords: 0, rate: 0, etaSeconds: null }),
    ).catch(async (err: unknown) => {
      await this.store.imports.finish(importId, emptySummary(importId, 'cancelled'));
      throw err;
    });
    let settled = false;
    try {
      const embedder = this.model ? await this.getEmbedder() : null;
      const summary = await importPaths(
        {
          store: this.store,
          importId,
          embedPassages: embedder ? (texts) => embedder.embedPassages(texts) : null,
          onWritten: (result, vectors) => void this.keepIndex(result.removedChunkIds, result.chunkIds, vectors),
          onRemoved: (chunkIds) => void this.keepIndex(chunkIds, [], null),
          afterWrite: (result) => this.incidents.recordWritten(result.documentId),
          afterSource: () => this.incidents.settle(),
          onProgress: options.onProgress,
          signal: options.signal,
          channels: req.channels,
          csvMap: req.csvMap,
          analyse: this.rankingStatistics,
          relabel: options.relabel,
        },
        req.paths,
      );
      // Even a cancelled import leaves the incidents of what it wrote current.
      await this.incidents.settle();
      // Neighbour expansion of what it wrote (bounded per document; see rank/corpus-upkeep.ts).
      if (this.rankingStatistics) await this.upkeep.expand();
      settled = true;
      return summary;
    } finally {
      // After a failure the incidents are still brought up to date; the import's own error is the one reported.
      if (!settled) {
        await this.incidents.settle().catch(() => {});
        await this.upkeep.expand().catch(() => {});
      }
      await this.indexWrites;
      this.index?.save();
      this.writer.release();
      this.scheduleCorpusModel();
    }
  }

  /**
   * Trains the corpus latent model on the stored passages and stores it: the ranker's semantic
   * signal without a transformer model, and beside it when there is one. Training runs in a
   * worker (the engine keeps answering); the save takes the writer lock for one transaction.
   * Cancelling stops it at once; the old model (if any) stays.
   */
  async trainCorpusModel(options: JobOptions<CorpusModelProgress> & { reason?: CorpusModelProgress['reason'] } = {}): Promise<{ status: 'done' | 'cancelled' | 'skipped'; passages: number; durationMs: number }> {
    this.assertWritable();
    const started = performance.now();
    const reason = options.reason ?? 'asked';
    const report = (phase: CorpusModelProgress['phase'], done = 0, total = 0) => options.onProgress?.({ phase, done, total, reason });
    const { passages } = await this.store.ranking.passageCount();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const write = await this.upkeep.trainLatent({ signal: options.signal, onProgress: (p) => report(p.phase, p.done, p.total) });
      if (!write) return { status: 'skipped', passages, durationMs: elapsed() };
      await this.holdWriter('saving the corpus model', options.signal, () => report('waiting'));
      try {
        report('saving');
        await this.store.ranking.saveLatent(write);
      } finally {
        this.writer.release();
      }
      report('done', 1, 1);
      return { status: 'done', passages, durationMs: elapsed() };
    } catch (err) {
      if (err instanceof HindsightError && err.code === 'cancelled') {
        report('cancelled');
        return { status: 'cancelled', passages, durationMs: elapsed() };
      }
      report('failed');
      throw err;
    }
  }

  /** Starts the corpus model job in the background when the model is missing or stale (one at a time). */
  private scheduleCorpusModel(): void {
    if (this.store.readOnly || this.corpusModelJob || this.closing || !this.rankingStatistics) return;
    const controller = new AbortController();
    const done = (async () => {
      const reason = await this.upkeep.latentDue();
      if (!reason || controller.signal.aborted) return;
      await this.trainCorpusModel({ reason, signal: controller.signal, onProgress: (p) => this.onCorpusModelProgress?.(p) });
    })()
      // A failed training leaves the previous model (or none): ranking goes on without it.
      .catch(() => {})
      .finally(() => (this.corpusModelJob = null));
    this.corpusModelJob = { controller, done };
  }

  /** Resolves when no corpus model job is running (tests, the evaluation and the benchmark wait for it). */
  async corpusModelIdle(): Promise<void> {
    while (this.corpusModelJob) await this.corpusModelJob.done;
  }

  /** Stops a running corpus model job; its model is not stored. */
  cancelCorpusModel(): boolean {
    const job = this.corpusModelJob;
    job?.controller.abort();
    return !!job;
  }

  /** The transformer's side of ranking, when a model and vectors exist (for rankers built with other options). */
  async semanticSide(): Promise<SemanticSide | null> {
    const deps = await this.semanticDeps();
    return deps ? { embed: deps.embed, search: (v, k) => deps.index.search(v, k) } : null;
  }

  /** Index updates are applied in order, after the documents they belong to were written. */
  private indexWrites: Promise<void> = Promise.resolve();
  private keepIndex(removed: number[], added: number[], vectors: Float32Array[] | null): Promise<void> {
    this.indexWrites = this.indexWrites.then(async () => {
      const index = this.index ?? (vectors?.[0] ? await this.indexFor(vectors[0].length) : await this.getIndex());
      if (!index) return;
      index.remove(removed);
      if (vectors) added.forEach((id, i) => index.add(id, vectors[i]!));
    });
    return this.indexWrites;
  }

  private async holdWriter(what: string, signal: AbortSignal | undefined, onWait: (holder: string) => void): Promise<void> {
    await this.writer.acquire(what, { signal, onWait: (h) => onWait(describeHolder(h)) });
  }

  private assertWritable(): void {
    if (this.store.readOnly) {
      throw new HindsightError('db-readonly', `The database ${this.dbPath} is read-only: it can be searched, not changed.`, { hint: 'Make the file and its folder writable.' });
    }
  }

  /** One document with its sections, entities and links (null when there is no such id). */
  async show(id: number): Promise<DocumentView | null> {
    return this.store.documents.view(id);
  }

  async search(req: ApiRequest<'search'>): Promise<SearchResult> {
    const index = await this.getIndex();
    const semantic = index && index.size > 0 ? { index, embedQuery: async (q: string) => (await this.getEmbedder()).embedQuery(q) } : null;
    return search({ store: this.store, semantic }, req);
  }

  /** Past incidents like the input (text, file or imported document), with explanations. */
  async similar(req: ApiRequest<'similar'>, tuning: Pick<IncidentInput, 'weights' | 'signal'> = {}): Promise<SimilarResult> {
    const incident = await this.incidentInput(req);
    return findSimilar({ store: this.store, semantic: await this.semanticDeps() }, { ...incident, ...tuning });
  }

  /** Recurring themes across incidents, and the services and errors that recur most. */
  async patterns(req: ApiRequest<'patterns'>, o: { signal?: AbortSignal } = {}): Promise<PatternsResult> {
    const semantic = (await this.semanticDeps()) !== null;
    return findPatterns(this.store, { ...req, semantic, signal: o.signal });
  }

  /** The people who handled the incidents most like this one. */
  async experts(req: ApiRequest<'experts'>, o: { signal?: AbortSignal } = {}): Promise<ExpertsResult> {
    const similar = await this.similar(req.text !== undefined ? { text: req.text, limit: 15 } : { id: req.id!, limit: 15 }, { signal: o.signal });
    return findExperts(this.store, similar, req.limit);
  }

  /** The semantic side of similarity, when a model and vectors exist. */
  private async semanticDeps(): Promise<SimilarDeps['semantic']> {
    const index = await this.getIndex();
    if (!index || index.size === 0) return null;
    const embedder = await this.getEmbedder();
    return { index, embed: (texts) => embedder.embedPassages(texts) };
  }

  private async incidentInput(req: ApiRequest<'similar'>): Promise<IncidentInput> {
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
    const doc = await this.store.documents.withBody(id);
    if (!doc) throw new HindsightError('not-found', `There is no document #${id}.`);
    const passages = await this.store.passages.ofDocuments([id]);
    const vectors = this.model ? await this.store.passages.vectors(passages.map((p) => p.id)) : new Map<number, Float32Array>();
    return {
      ...base,
      text: doc.body,
      exclude: [id],
      passages: passages.map((r) => ({ text: r.text, role: r.role, vector: vectors.get(r.id) })),
    };
  }

  /** Embeds every passage that has no vector yet (no model at import time, or a model change). */
  async reindex(options: JobOptions<IndexProgress> = {}): Promise<{ embedded: number; durationMs: number; status: 'done' | 'cancelled' }> {
    if (!this.model) {
      throw new HindsightError('no-model', 'No embedding model is installed, so there is nothing to embed with.', {
        hint: 'Install one with `hindsight model fetch` or `hindsight model import <folder>`.',
      });
    }
    this.assertWritable();
    const started = performance.now();
    let done = 0;
    let total = 0;
    const report = (phase: IndexProgress['phase']) => {
      const secs = (performance.now() - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      options.onProgress?.({ phase, done, total, rate, etaSeconds: rate > 0 ? Math.max(0, total - done) / rate : null });
    };
    await this.holdWriter('reindexing', options.signal, () => report('waiting'));
    let status: 'done' | 'cancelled' = 'done';
    try {
      const embedder = await this.getEmbedder();
      total = await this.pendingCount();
      report('embedding');
      let after = 0;
      for (;;) {
        if (options.signal?.aborted) {
          status = 'cancelled';
          break;
        }
        const rows = await this.store.passages.pending(after, 128);
        if (!rows.length) break;
        after = rows[rows.length - 1]!.id;
        const vectors = await embedder.embedPassages(rows.map((r) => passageText(r.title, r)));
        const index = await this.indexFor(vectors[0]!.length);
        await this.store.passages.setVectors(rows.map((r, i) => ({ id: r.id, vector: vectors[i]! })));
        rows.forEach((r, i) => index.add(r.id, vectors[i]!));
        done += rows.length;
        report('embedding');
      }
    } finally {
      this.index?.save();
      this.writer.release();
    }
    report(status);
    return { embedded: done, durationMs: Math.round(performance.now() - started), status };
  }

  /** Milliseconds the model has spent embedding so far (benchmarks: import overhead). */
  get inferenceMs(): number {
    return this.embedder?.inferenceMs ?? 0;
  }

  async pendingCount(): Promise<number> {
    return (await this.store.passages.count()) - (await this.store.passages.countEmbedded());
  }

  async stats(): Promise<Stats> {
    if (this.model) await this.getIndex();
    const chunks = await this.store.passages.count();
    const embedded = this.model ? await this.store.passages.countEmbedded() : 0;
    const last = await this.store.imports.last();
    return {
      documents: await this.store.documents.count(),
      chunks,
      byKind: await this.store.documents.countBy('kind'),
      byFormat: await this.store.documents.countBy('format'),
      model: this.modelState,
      index: { embedded, pending: chunks - embedded, health: this.indexHealth },
      databasePath: this.dbPath,
      databaseBytes: await this.store.size(),
      readOnly: this.store.readOnly,
      lastImport: last ? { id: last.id, finishedAt: last.finishedAt, filesFailed: last.filesFailed } : null,
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.cancelCorpusModel();
    await this.corpusModelJob?.done;
    await this.indexWrites.catch(() => {});
    this.index?.save();
    this.writer.release();
    await this.embedder?.close();
    await this.store.close();
  }
}

/** The summary of an import that ended before it read anything. */
export function emptySummary(importId: number, status: ImportSummary['status']): ImportSummary {
  return {
    importId, status, filesTotal: 0, filesSeen: 0, filesFailed: 0, skipped: [], byFormat: {}, documentsAdded: 0, documentsUpdated: 0,
    documentsUnchanged: 0, documentsDuplicate: 0, chunksWritten: 0, chunksEmbedded: 0, semantic: false, errors: [], durationMs: 0,
  };
}
