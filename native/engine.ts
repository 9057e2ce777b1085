import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { sha256 } from './common/hash.js';
import { EXTRACTION_VERSION, IncidentBuilder } from './incidents/build.js';
import { readTaxonomyText, taxonomyFiles, taxonomyFromTexts, type Taxonomy } from './incidents/taxonomy.js';
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
  IncidentView,
  Playbook,
} from './contract.js';
import { Embedder } from './embed/embedder.js';
import { locateModel, modelSearchFromEnv, type LocatedModel, type ModelSearch } from './embed/model-locator.js';
import { findExperts } from './experts/experts.js';
// Importers (parsers of every format, date-fns, XML, CSV, ZIP...) are loaded on first use: a
// search or similar from the command line must not pay for them.
const importer = () => import('./import/importer.js');
import { findPatterns } from './patterns/patterns.js';
import { search } from './search/search.js';
import { findSimilar } from './similar/similar.js';
import { recordInput, textInput, type IncidentInput } from './similar/read-input.js';
import { WordsAndMeaningRanker, type RankDeps } from './similar/rank-documents.js';
import { buildPlaybook } from './playbook/playbook.js';
import { IncidentViews } from './incidents/view.js';
import { normaliseKey } from './entities/extract.js';
import { CorpusUpkeep } from './rank/corpus-upkeep.js';
import { EngineRanker, type SemanticSide } from './rank/engine-ranker.js';
import type { DocumentRanker } from './rank/ranker.js';
import type { OpenMode } from './store/sqlite/database.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { LatentTrainingProgress, Store } from './store/store.js';
import { describeHolder, processAlive, WriterLock } from './store/writer-lock.js';
import { VectorIndex, type HnswParams } from './vector/vector-index.js';

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
  /** Vector index parameters (benchmarks); the measured defaults otherwise. */
  hnsw?: Partial<HnswParams>;
  /**
   * Embed passages while importing (the import then runs at the model's pace). Off by default:
   * an import writes passages at lexical speed and the embedding job (`reindex`) embeds them
   * after it, search working throughout.
   */
  embedDuringImport?: boolean;
}

/**
 * Passages the embedding job reads and writes at a time: enough for the embedder to sort them by
 * length into well-filled batches, few enough that a pause or an import waits seconds, not minutes.
 */
const EMBED_PAGE = 64;

/**
 * New workers the embedding job starts in one run after the one it used died (a native crash, the
 * OS killing it for memory). A model that dies on every page would otherwise be restarted forever;
 * past this many the run fails, keeping what it wrote, and the next run resumes from there.
 */
export const EMBED_WORKER_RESTARTS = 2;

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
 * How an embedding job is held between batches: a promise means "stop here until it settles"
 * (paused by the user, or an import is waiting to write); the job lets go of the database
 * meanwhile. `why` is reported as the progress phase.
 */
export type EmbedGate = () => { why: 'paused' | 'waiting'; until: Promise<void> } | null;

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
  private readonly rankingStatistics: boolean;
  readonly views: IncidentViews;

  private constructor(
    readonly store: Store,
    readonly dbPath: string,
    readonly model: LocatedModel | null,
    private readonly modelState: ModelState,
    /** The failure-mode files, read at open (a missing one fails the open); parsed on first use. */
    private readonly taxonomyTexts: ReadonlyArray<{ name: string; text: string }>,
    private readonly options: EngineOptions,
  ) {
    this.writer = new WriterLock(`${dbPath}.writer.lock`);
    this.incidents = new IncidentBuilder(store, () => this.taxonomy);
    this.views = new IncidentViews(store, () => this.taxonomy);
    this.rankingStatistics = options.rankingStatistics ?? true;
    this.upkeep = new CorpusUpkeep(store);
    // The first ranking also checks whether the corpus model is due (a model left stale or
    // missing by a run that ended first); imports check after each import.
    this.ranker = new EngineRanker(store, () => this.semanticSide(), {
      beforeRank: () => this.scheduleCorpusModel(),
      // The input's failure modes as `similar` reads them (read-input.ts), for the failure-mode share.
      failureModes: (text) => this.textInputOf(text).fields.failureModes.map((m) => ({ id: m.value, score: m.score })),
    });
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const taxonomyTexts = taxonomyFiles(options.taxonomyFiles ?? taxonomyFilesFromEnv()).map((name) => ({ name, text: readTaxonomyText(name) }));
    const store = SqliteStore.open(options.dbPath, options.mode ?? 'write');
    try {
      const { model, state } = await locateModel(options.models ?? modelSearchFromEnv());
      const engine = new Engine(store, options.dbPath, model, state, taxonomyTexts, options);
      if (!store.readOnly) {
        // Imports whose process died (kill -9, a crash) are not "running" any more.
        await store.imports.markInterrupted(processAlive);
        if (model) await engine.adoptModel(model);
        // Only while no other process writes: a running import's own documents are queued for
        // this upkeep and it does it when it ends; doing it beside it took the second import of
        // issue 9 over 90 s to open (its start timed out). Skipped now, it runs with our next import.
        if (engine.writer.tryAcquire('opening the database')) {
          try {
            await engine.openUpkeep();
          } finally {
            engine.writer.release();
          }
        } else engine.upkeepDue = true;
      }
      return engine;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** The upkeep opening for writing owes: skipped when another process held the writer lock then. */
  private upkeepDue = false;

  /** What opening for writing brings up to date (under the writer lock). */
  private async openUpkeep(): Promise<void> {
    this.upkeepDue = false;
    await this.upgradeIncidents();
    // Term statistics for what was stored before they existed, and expansions an interrupted import left due.
    await this.upkeep.backfill();
    await this.upkeep.expand();
  }

  /**
   * Incident records for what is stored: built for a database from before they existed, and
   * extracted again when the extraction or the failure-mode taxonomy changed.
   */
  private async upgradeIncidents(): Promise<void> {
    const signature = `${EXTRACTION_VERSION}:${sha256(this.taxonomyTexts.map((f) => f.text).join('\u0000')).slice(0, 16)}`;
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

  private parsedTaxonomy: Taxonomy | null = null;

  /**
   * The failure-mode taxonomy, parsed when first needed: parsing its YAML was a third of a cold
   * CLI search, which never reads it. A team file that is not valid fails the first command that
   * reads failure modes (similar, import, patterns), with the file named.
   */
  get taxonomy(): Taxonomy {
    return (this.parsedTaxonomy ??= taxonomyFromTexts(this.taxonomyTexts));
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
      const index = await VectorIndex.open(this.store.passages, this.indexPath, this.model!.modelId, dims, { readOnly: this.store.readOnly, params: this.options.hnsw });
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
    this.incidents.warmUp();
    try {
      if (this.upkeepDue) await this.openUpkeep();
      const embedder = this.model && this.options.embedDuringImport ? await this.getEmbedder() : null;
      const { importPaths } = await importer();
      const summary = await importPaths(
        {
          store: this.store,
          importId,
          embedPassages: embedder ? (texts) => embedder.embedPassages(texts) : null,
          onWritten: (result, vectors) => void this.keepIndex(result.removedChunkIds, result.chunkIds, vectors),
          onRemoved: (chunkIds) => void this.keepIndex(chunkIds, [], null),
          afterWrite: (result) => this.incidents.recordWritten(result.documentId),
          afterSource: () => this.incidents.settleRemovals(),
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
      // Not after a cancel: it costs about 3 ms a document against the corpus (9.6 s of CPU for
      // 3,000 rows of a CSV), so a cancel would not stop. The store keeps the queue: the next
      // import, or the engine's next start, expands them.
      if (this.rankingStatistics && summary.status !== 'cancelled') await this.upkeep.expand();
      settled = true;
      // Passages without vectors are the embedding job's: the import says what it will embed.
      return { ...summary, semantic: this.semantic };
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
    if (!deps) return null;
    const { passages } = await this.storeWithMemoryVectors();
    return { embed: deps.embed, search: (v, k) => deps.index.search(v, k), vectorsOfDocuments: (ids) => passages.vectorsOfDocuments(ids) };
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

  /**
   * Removes the documents an import brought, and the import's row; the incidents they belonged to
   * are rebuilt from what is left (or go, when nothing is). Holds the writer like an import does,
   * so that it never interleaves with one in another process.
   */
  async deleteImport(importId: number, documentIds: number[]): Promise<void> {
    this.assertWritable();
    await this.holdWriter('a deletion', undefined, () => {});
    try {
      const removedChunks = await this.store.documents.delete(documentIds);
      await this.incidents.settleRemovals();
      await this.store.imports.remove(importId);
      if (removedChunks.length) await this.keepIndex(removedChunks, [], null);
      await this.indexWrites;
      this.index?.save();
    } finally {
      this.writer.release();
    }
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
    // With vectors to search, the model's worker starts loading before the index is read (both
    // take a while on a cold start, and they do not compete: the worker is its own thread).
    const vectors = this.model && !this.index ? Number((await this.store.meta.get(META_DIMS)) ?? 0) > 0 : false;
    const warming = vectors && req.query.trim() ? this.getEmbedder() : null;
    warming?.catch(() => {});
    const index = await this.getIndex();
    const semantic = index && index.size > 0 ? { index, embedQuery: async (q: string) => (await this.getEmbedder()).embedQuery(q) } : null;
    return search({ store: this.store, semantic }, req);
  }

  /** Past incidents like the input (text, file or imported record), as incidents, with why and what fixed them. */
  async similar(req: ApiRequest<'similar'>, tuning: { weights?: RankDeps['weights']; signal?: AbortSignal } = {}): Promise<SimilarResult> {
    const semantic = this.semanticDeps();
    semantic.catch(() => {});
    const input = await this.similarInput(req);
    const store = await this.storeWithMemoryVectors();
    const meaning = await semantic;
    // The engine's ranker (term statistics, feedback, expansion, corpus model); explicit weights
    // (the ranking lab's comparisons) get the earlier words-and-meaning ranker.
    const ranker = tuning.weights ? new WordsAndMeaningRanker({ store, semantic: meaning, weights: tuning.weights }) : this.ranker;
    return findSimilar({ store, ranker, views: this.views, semantic: meaning !== null }, input, { limit: req.limit, kinds: req.kinds, signal: tuning.signal });
  }

  /** One incident with its records, fields (each with where it was read), links and timeline. */
  async incident(id: number): Promise<IncidentView | null> {
    return this.views.view(id);
  }

  /** Recurring themes across incidents, and the services and failure modes that recur most. */
  async patterns(req: ApiRequest<'patterns'>, o: { signal?: AbortSignal } = {}): Promise<PatternsResult> {
    const semantic = (await this.semanticDeps()) !== null;
    return findPatterns(await this.storeWithMemoryVectors(), this.views, { ...req, semantic, signal: o.signal });
  }

  /** What usually fixes it: for a failure mode, a service, a pattern, or the incidents like a text or record. */
  async playbook(req: ApiRequest<'playbook'>, o: { signal?: AbortSignal } = {}): Promise<Playbook> {
    if (req.text !== undefined || req.id !== undefined) {
      const r = await this.similar(req.text !== undefined ? { text: req.text, limit: 15 } : { id: req.id!, limit: 15 }, { signal: o.signal });
      return r.playbook;
    }
    if (req.pattern !== undefined) {
      const p = await this.patterns({ since: req.since, until: req.until, minSize: 2, limit: 500 }, o);
      const found = p.patterns.find((x) => x.id === req.pattern);
      if (!found) throw new HindsightError('not-found', `There is no pattern ${req.pattern}${p.patterns.length ? ` (there are ${p.patterns.length})` : ''}.`, { hint: 'Run `hindsight patterns` to see them.' });
      return found.playbook;
    }
    let subject: string;
    let ids: number[];
    if (req.failureMode !== undefined) {
      const wanted = req.failureMode.toLowerCase();
      const mode = this.taxonomy.modes.find((m) => m.id === wanted || m.label.toLowerCase() === wanted);
      if (!mode) throw new HindsightError('not-found', `There is no failure mode "${req.failureMode}".`, { hint: `Known: ${this.taxonomy.modes.map((m) => m.id).join(', ')}.` });
      subject = mode.label;
      ids = await this.store.incidents.withFacet('failure-mode', mode.id);
    } else {
      subject = req.service!;
      ids = await this.store.incidents.withFacet('service', normaliseKey('service', req.service!));
    }
    const rows = [...(await this.store.incidents.get(ids)).values()].filter(
      (r) => (!req.since || (r.startedAt ?? '') >= new Date(req.since).toISOString()) && (!req.until || (r.startedAt ?? '') <= endOfDay(req.until)),
    );
    return buildPlaybook(subject, rows);
  }

  /** The people who handled the incidents most like this one, by role. */
  async experts(req: ApiRequest<'experts'>, o: { signal?: AbortSignal } = {}): Promise<ExpertsResult> {
    const similar = await this.similar(req.text !== undefined ? { text: req.text, limit: 15 } : { id: req.id!, limit: 15 }, { signal: o.signal });
    return findExperts(this.store, similar, req.limit);
  }

  /** The semantic side of similarity, when a model and vectors exist. */
  private async semanticDeps(): Promise<RankDeps['semantic']> {
    const vectors = this.model && !this.index ? Number((await this.store.meta.get(META_DIMS)) ?? 0) > 0 : false;
    const warming = vectors ? this.getEmbedder() : null;
    warming?.catch(() => {});
    const index = await this.getIndex();
    if (!index || index.size === 0) return null;
    const embedder = await this.getEmbedder();
    return { index, embed: (texts) => embedder.embedPassages(texts) };
  }

  /**
   * The store as features see it, with passage vectors answered from the vector index's memory
   * instead of row by row from SQLite (similar and patterns score thousands of candidate passages).
   * Vectors the index does not hold (none, while it is not open) still come from the store.
   */
  private async storeWithMemoryVectors(): Promise<Store> {
    const index = this.model ? await this.getIndex() : null;
    if (!index || !index.size) return this.store;
    const passages = this.store.passages;
    const vectors = async (ids: readonly number[]) => {
      const found = index.vectorsOf(ids);
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) for (const [id, v] of await passages.vectors(missing)) found.set(id, v);
      return found;
    };
    const memory: Store['passages'] = {
      ...passages,
      vectors,
      vectorsOfDocuments: async (documentIds) => {
        const rows = await passages.embeddedOfDocuments(documentIds);
        const found = await vectors(rows.map((r) => r.id));
        return rows.flatMap((r) => {
          const vector = found.get(r.id);
          return vector ? [{ ...r, vector }] : [];
        });
      },
    };
    return new Proxy(this.store, { get: (target, key) => (key === 'passages' ? memory : Reflect.get(target, key)) });
  }

  /** The last text read as similar's input, with the taxonomy that read it. */
  private lastTextInput: { text: string; taxonomy: Taxonomy; input: IncidentInput } | null = null;

  /**
   * The failure modes the ranker weighs, from the input similar has just read when it is this
   * text (the same function of the same text and taxonomy); reading a pasted paragraph twice took
   * ~4 CPU-ms of each similar call at 100,000 passages.
   */
  private textInputOf(text: string): IncidentInput {
    const last = this.lastTextInput;
    if (last && last.text === text && last.taxonomy === this.taxonomy) return last.input;
    return textInput(text, this.taxonomy);
  }

  private async similarInput(req: ApiRequest<'similar'>): Promise<IncidentInput> {
    if (req.text !== undefined) {
      // Read afresh for every call (its objects are the call's own); kept for the ranker's failure modes.
      const input = textInput(req.text, this.taxonomy);
      this.lastTextInput = { text: req.text, taxonomy: this.taxonomy, input };
      return input;
    }
    if (req.file !== undefined) {
      const { readSource } = await import('./import/read-source.js');
      const source = await readSource({ path: resolve(req.file), root: resolve(req.file) }, { report: () => {} });
      const bodies: string[] = [];
      try {
        for await (const d of source.documents) bodies.push(d.body);
      } finally {
        source.close();
      }
      if (!bodies.length) throw new HindsightError('empty', `${req.file} has no text to compare.`);
      return textInput(bodies.join('\n\n'), this.taxonomy);
    }
    const input = await recordInput(this.model ? await this.storeWithMemoryVectors() : this.store, req.id!, this.model !== null);
    if (!input) throw new HindsightError('not-found', `There is no document #${req.id}.`);
    return input;
  }

  /**
   * The embedding job: embeds every passage that has no vector yet (just imported, no model at
   * import time, or a model change), oldest first, with progress. Between batches it asks `gate`
   * whether to hold (paused, or an import waiting to write): it then lets go of the database until
   * told to go on. Search works throughout: passages without a vector are found by their words.
   */
  async reindex(options: JobOptions<IndexProgress> & { gate?: EmbedGate } = {}): Promise<{ embedded: number; durationMs: number; status: 'done' | 'cancelled' }> {
    if (!this.model) {
      throw new HindsightError('no-model', 'No embedding model is installed, so there is nothing to embed with.', {
        hint: 'Install one with `hindsight model fetch` or `hindsight model import <folder>`.',
      });
    }
    this.assertWritable();
    const started = performance.now();
    let done = 0;
    let total = 0;
    /** Time spent holding (paused or waiting) does not count against the rate. */
    let heldMs = 0;
    const report = (phase: IndexProgress['phase']) => {
      const secs = (performance.now() - started - heldMs) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      options.onProgress?.({ phase, done, total, rate, etaSeconds: rate > 0 ? Math.max(0, total - done) / rate : null });
    };
    const hold = async () => {
      await this.holdWriter('reindexing', options.signal, () => report('waiting'));
    };
    await hold();
    let status: 'done' | 'cancelled' = 'done';
    let holding = true;
    try {
      // Started before the first report: a model that cannot load fails the run here.
      await this.getEmbedder();
      const { passageText } = await importer();
      total = await this.pendingCount();
      report('embedding');
      const texts = (rows: Array<{ title: string; text: string }>) => rows.map((r) => passageText(r.title, r));
      /** Workers seen dead in this run: each one is a restart. */
      const dead = new Set<Embedder>();
      /**
       * A page's vectors. A page whose worker died before answering was not written, so a new
       * worker embeds it again (each passage still gets its vector once); an embedder that is
       * alive and refused the page is the model's answer, not a death, and fails the run.
       */
      const embedPage = async (page: Array<{ title: string; text: string }>): Promise<Float32Array[]> => {
        for (;;) {
          const embedder = await this.getEmbedder();
          try {
            return await embedder.embedPassages(texts(page));
          } catch (err) {
            if (embedder.alive || this.closing) throw err;
            dead.add(embedder);
            if (dead.size > EMBED_WORKER_RESTARTS) {
              throw new HindsightError('embed-failed', `The embedding worker stopped ${dead.size} times during reindexing (${err instanceof Error ? err.message : String(err)}); ${done} of ${total} passages are embedded and kept.`, {
                hint: 'Run reindex again to go on from there. A worker that keeps stopping points to a damaged model or a machine short of memory.',
              });
            }
          }
        }
      };
      // One page is embedded while the one before it is written: the worker never waits for
      // this thread's SQLite writes and index inserts.
      let rows = await this.store.passages.pending(0, EMBED_PAGE);
      let vectors = rows.length ? embedPage(rows) : null;
      while (rows.length && vectors) {
        if (options.signal?.aborted) {
          status = 'cancelled';
          await vectors.catch(() => {});
          break;
        }
        const held = options.gate?.();
        const nextRows = held ? [] : await this.store.passages.pending(rows[rows.length - 1]!.id, EMBED_PAGE);
        const nextVectors = nextRows.length ? embedPage(nextRows) : null;
        nextVectors?.catch(() => {});
        const got = await vectors;
        const index = await this.indexFor(got[0]!.length);
        await this.store.passages.setVectors(rows.map((r, i) => ({ id: r.id, vector: got[i]! })));
        rows.forEach((r, i) => index.add(r.id, got[i]!));
        done += rows.length;
        report('embedding');
        rows = nextRows;
        vectors = nextVectors;
        if (held) {
          const t = performance.now();
          await this.indexWrites;
          this.index?.save();
          this.writer.release();
          holding = false;
          report(held.why);
          await held.until;
          heldMs += performance.now() - t;
          if (options.signal?.aborted) {
            status = 'cancelled';
            break;
          }
          await hold();
          holding = true;
          // An import may have added passages meanwhile.
          total = done + (await this.pendingCount());
          report('embedding');
          rows = await this.store.passages.pending(0, EMBED_PAGE);
          vectors = rows.length ? embedPage(rows) : null;
        }
      }
    } finally {
      if (holding) {
        this.index?.save();
        this.writer.release();
      }
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
    await this.incidents.close();
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

function endOfDay(s: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T23:59:59.999Z` : new Date(s).toISOString();
}
