import { existsSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { HindsightError, toContractError } from '../common/errors.js';
import {
  API_ACCESS,
  API_TIMEOUT_MS,
  type ApiEvent,
  type ApiEvents,
  type ApiInput,
  type ApiMethod,
  type ApiRequest,
  type ApiResults,
  type AppInfo,
  type BrowseResult,
  type DatabaseInUse,
  type Envelope,
  type ImportHistoryEntry,
  type ModelInstalled,
  type SearchHit,
  type SourceLocation,
} from '../contract.js';
import { inspectModelDir, locateModel, modelSearchFromEnv, type ModelSearch } from '../embed/model-locator.js';
import { DEFAULT_MODEL, MODELS, modelSpec } from '../embed/model-registry.js';
import { fetchModel, importModelDir } from '../embed/model-install.js';
import { emptySummary, Engine } from '../engine.js';
import { userModelsDir } from '../store/paths.js';
import { inspectDatabaseFile } from '../store/sqlite/sqlite-store.js';
import type { ImportHistoryRow, Passage } from '../store/store.js';
import { CallSignal } from './call-signal.js';
import { importLabel, isUpload } from './import-labels.js';
import { isMethod, parseInput, plainNames, type FieldNamer } from './validation.js';

export interface ServiceOptions {
  dbPath: string;
  shell: AppInfo['shell'];
  version: string;
  models?: ModelSearch;
  /** Where `installModel` puts models (the user's model folder by default). */
  modelsDir?: string;
  /** Model downloads go here instead of the models' own host (tests, mirrors). */
  modelHost?: string;
  /** Browser mode's upload folder: files read from there keep the names they were dropped with. */
  uploadDir?: string;
  /** A folder of sample data that "import sample data" imports (`--demo`). */
  sampleDir?: string;
  /** Open (and create) the database at once; otherwise on the first call that needs it (the CLI). */
  eager?: boolean;
  /** Per-method timeouts (tests); the contract's otherwise. */
  timeouts?: Partial<Record<ApiMethod, number>>;
}

type Emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;

/** What a handler gets besides its input. */
interface CallContext {
  /** Aborted when the call times out or the service closes. */
  signal: AbortSignal;
}

/** Every method of the contract, once: adding a method without its handler is a type error. */
type Handlers = { [M in ApiMethod]: (input: ApiRequest<M>, ctx: CallContext) => Promise<ApiResults[M]> };

interface Job {
  controller: AbortController;
  done: Promise<void>;
}

/** The embedding job: a job that can also be paused. */
interface EmbedJob extends Job {
  /** Set while paused: resolving it lets the job go on. */
  resume: (() => void) | null;
  paused: Promise<void> | null;
}

/**
 * The one door into the engine. Every caller — the CLI, the desktop app's engine process, the
 * HTTP bridge — comes through `call` (raw input: parsed here with the contract) or `invoke` (the
 * same, typed, throwing); there is no second path and no second set of limits. Each call has a
 * timeout; errors come back as the contract's `{ code, message, hint }`, never a stack.
 *
 * Long work runs as jobs that answer at once and report through events: imports (queued, one at
 * a time, each cancellable while queued or running) and reindexing.
 */
export class EngineService {
  private engineOpen: Promise<Engine> | null = null;
  /** How the open engine was opened: an engine opened again (a new model) is opened the same way. */
  private engineAccess: 'read' | 'write' = 'read';
  private readonly imports = new Map<number, Job>();
  private importQueue: Promise<void> = Promise.resolve();
  private reindexJob: EmbedJob | null = null;
  private closing = false;
  /** The calls in progress: closing aborts them. */
  private readonly calls = new Set<CallSignal>();
  /**
   * Their handlers, until they settle — also after their call timed out: closing waits for them,
   * so that an import a timed-out `startImport` queues is cancelled, not left on a closed database.
   */
  private readonly handling = new Set<Promise<unknown>>();
  /** The database in use: the one it was started with until `useDatabase` switches. */
  private dbPath: string;

  private constructor(
    private readonly options: ServiceOptions,
    private readonly emit: Emit,
  ) {
    this.dbPath = options.dbPath;
  }

  static async open(options: ServiceOptions, emit: Emit): Promise<EngineService> {
    const service = new EngineService(options, emit);
    if (options.eager) await service.engine('write');
    return service;
  }

  /** Raw input from outside (HTTP, IPC): checked, parsed and handled; never throws. */
  async call(method: string, input: unknown, o: { name?: FieldNamer } = {}): Promise<Envelope<unknown>> {
    try {
      if (!isMethod(method)) throw new HindsightError('unknown-method', `There is no method "${method.slice(0, 80)}".`);
      return { ok: true, value: await this.run(method, parseInput(method, input, o.name ?? plainNames)) };
    } catch (err) {
      return { ok: false, error: toContractError(err) };
    }
  }

  /** The same door, typed, for in-process callers (the CLI): the result, or a thrown HindsightError. */
  async invoke<M extends ApiMethod>(method: M, input: ApiInput<M>, o: { name?: FieldNamer } = {}): Promise<ApiResults[M]> {
    return this.run(method, parseInput(method, input, o.name ?? plainNames));
  }

  private async run<M extends ApiMethod>(method: M, input: ApiRequest<M>): Promise<ApiResults[M]> {
    if (this.closing) throw new HindsightError('engine-unavailable', 'Hindsight is shutting down.');
    const ms = this.options.timeouts?.[method] ?? API_TIMEOUT_MS[method];
    // The call's context is its signal, created only if the handler reads it (call-signal.ts).
    const call = new CallSignal();
    this.calls.add(call);
    let timer: NodeJS.Timeout | undefined;
    try {
      const handler = this.handlers[method] as (i: ApiRequest<M>, ctx: CallContext) => Promise<ApiResults[M]>;
      // Settled by the handler or by the timeout, whichever comes first (one promise, not a race of two).
      return await new Promise<ApiResults[M]>((resolve, reject) => {
        timer = setTimeout(() => {
          call.abort();
          reject(new HindsightError('timeout', `${method} took longer than ${Math.round(ms / 1000)} s and was stopped.`, { hint: 'Narrow the request (fewer results, a shorter text) or try again.' }));
        }, ms);
        const handled = handler(input, call);
        this.handling.add(handled);
        handled.then(resolve, reject).finally(() => this.handling.delete(handled));
      });
    } finally {
      clearTimeout(timer);
      this.calls.delete(call);
    }
  }

  /**
   * The engine, opened on first need: `read` refuses a missing database and works on a read-only
   * one; `write` creates it. An engine opened for reading serves writes too when its file is writable.
   */
  private async engine(access: 'read' | 'write'): Promise<Engine> {
    if (!this.engineOpen) {
      this.engineAccess = access;
      const opening = Engine.open({ dbPath: this.dbPath, models: this.options.models, mode: access });
      this.engineOpen = opening;
      opening.catch(() => {
        if (this.engineOpen === opening) this.engineOpen = null;
      });
    }
    return this.engineOpen;
  }

  /**
   * The engine behind the door, opened for writing if it is not open yet. Not a second way in:
   * it is for what measures or prepares the door from outside (bench/costs.ts times the same
   * engine with and without the door; test fixtures wait for its background jobs).
   */
  openEngine(): Promise<Engine> {
    return this.engineOpen ?? this.engine('write');
  }

  private async engineFor<M extends ApiMethod>(method: M): Promise<Engine> {
    const access = API_ACCESS[method];
    return this.engine(access === 'write' ? 'write' : 'read');
  }

  private readonly handlers: Handlers = {
    appInfo: async () => ({ version: this.options.version, shell: this.options.shell, demo: !!this.options.sampleDir, databasePath: this.dbPath }),
    stats: async () => (await this.engineFor('stats')).stats(),
    search: async (i) => (await this.engineFor('search')).search(i),
    show: async (i) => (await this.engineFor('show')).show(i.id),
    incident: async (i) => (await this.engineFor('incident')).incident(i.id),
    playbook: async (i, ctx) => (await this.engineFor('playbook')).playbook(i, { signal: ctx.signal }),
    similar: async (i, ctx) => (await this.engineFor('similar')).similar(i, { signal: ctx.signal }),
    patterns: async (i, ctx) => (await this.engineFor('patterns')).patterns(i, { signal: ctx.signal }),
    experts: async (i, ctx) => (await this.engineFor('experts')).experts(i, { signal: ctx.signal }),
    // Importers load on first use (a search need not parse every format's libraries).
    previewImport: async (i) => (await import('../import/importer.js')).previewImport(i.paths, i.channels),
    startImport: async (i) => this.startImport(i),
    cancelImport: async (i) => {
      const job = this.imports.get(i.importId);
      job?.controller.abort();
      return { cancelled: !!job };
    },
    importSample: async () => {
      const dir = this.options.sampleDir;
      if (!dir || !existsSync(dir)) throw new HindsightError('no-sample', 'Sample data is only available when Hindsight was started with --demo.');
      return this.startImport({ paths: [dir] }, 'Sample data');
    },
    sourceOf: async (i) => this.sourceOf(await this.engineFor('sourceOf'), i.id),
    startReindex: async () => this.startReindex(),
    cancelReindex: async () => {
      const job = this.reindexJob;
      job?.controller.abort();
      job?.resume?.();
      return { cancelled: !!job };
    },
    pauseReindex: async () => {
      const job = this.reindexJob;
      if (!job || job.paused) return { paused: !!job };
      job.paused = new Promise<void>((r) => (job.resume = r));
      return { paused: true };
    },
    resumeReindex: async () => {
      const job = this.reindexJob;
      if (!job?.resume) return { resumed: false };
      job.resume();
      job.resume = null;
      job.paused = null;
      return { resumed: true };
    },
    modelStatus: async () => {
      const search = this.modelSearch();
      const { state } = await locateModel(search);
      return { state, searched: search.roots, known: MODELS.map((m) => ({ name: m.name, dims: m.dims, bytes: m.weights[0]!.bytes })) };
    },
    installModel: async (i, ctx) => this.installModel(i, ctx),
    browse: async (i) => this.browse(await this.engineFor('browse'), i),
    listImports: async (i) => {
      const engine = await this.engineFor('listImports');
      const rows = await engine.store.imports.list(i.limit);
      return { imports: rows.map((r) => this.historyEntry(r)), total: await engine.store.imports.count() };
    },
    importIssues: async (i) => {
      const engine = await this.engineFor('importIssues');
      if (!(await engine.store.imports.get(i.importId))) throw new HindsightError('not-found', `There is no import #${i.importId}.`);
      const { issues, total } = await engine.store.imports.issues(i.importId, i.limit);
      return { issues: issues.map((x) => ({ outcome: x.outcome, source: x.source, record: x.record ?? null, code: x.code, reason: x.reason ?? null, message: x.message })), total };
    },
    deleteImport: async (i) => this.deleteImport(i.importId),
    reimport: async (i) => {
      const engine = await this.engineFor('reimport');
      const row = await engine.store.imports.history(i.importId);
      if (!row) throw new HindsightError('not-found', `There is no import #${i.importId}.`);
      const entry = this.historyEntry(row);
      if (!entry.reimport.possible) throw new HindsightError('not-found', entry.reimport.why);
      return this.startImport({ paths: row.paths, ...row.request }, entry.label);
    },
    useDatabase: async (i) => this.useDatabase(i.path),
  };

  /** Documents by filters alone, newest first, each with the opening of its summary (or first passage). */
  private async browse(engine: Engine, i: ApiRequest<'browse'>): Promise<BrowseResult> {
    const started = performance.now();
    const { limit, ...filters } = i;
    const { ids, total } = await engine.store.documents.browse(filters, limit);
    const summaries = await engine.store.documents.summaries(ids);
    const passages = await engine.store.passages.ofDocuments(ids);
    // The opening worth reading: a summary section of its own, else the first section with a heading
    // of its own, else the first passage (a ticket's first passage is its field list, a thread's its title).
    const rank = (p: Passage, title: string) => (p.heading !== title && p.role === 'summary' ? 0 : p.heading !== title ? 1 : 2);
    const opening = new Map<number, Passage>();
    for (const p of passages) {
      const title = summaries.get(p.documentId)?.title ?? '';
      const had = opening.get(p.documentId);
      if (!had || rank(p, title) < rank(had, title)) opening.set(p.documentId, p);
    }
    const hits: SearchHit[] = ids.flatMap((id) => {
      const d = summaries.get(id);
      if (!d) return [];
      const p = opening.get(id);
      const text = p ? clip(plainText(p.text), 260) : '';
      return [{ documentId: id, title: d.title, kind: d.kind, source: d.source, occurredAt: d.occurredAt, score: 0, matchedBy: [], snippets: p ? [{ text, highlights: [], heading: p.heading === d.title ? '' : p.heading, role: p.role }] : [] }];
    });
    return { total, hits, tookMs: Math.round(performance.now() - started) };
  }

  /** A stored import as the history shows it: by its name, without upload paths, with what re-import can do. */
  private historyEntry(r: ImportHistoryRow): ImportHistoryEntry {
    const uploads = r.paths.some((p) => isUpload(p, this.options.uploadDir));
    const active = this.imports.has(r.id);
    const status = r.status;
    const missing = uploads ? undefined : r.paths.find((p) => !existsSync(p));
    const reimport: ImportHistoryEntry['reimport'] = uploads
      ? { possible: false, why: 'These files were dropped into the browser and are not kept after their import: drop them again to re-import them.' }
      : active || status === 'queued' || status === 'running'
        ? { possible: false, why: 'This import is still running.' }
        : missing
          ? { possible: false, why: `${missing} is no longer there.` }
          : { possible: true };
    return {
      importId: r.id,
      label: r.label ?? importLabel(r.paths, this.options.uploadDir),
      paths: uploads ? [] : r.paths,
      status,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      filesTotal: r.filesTotal,
      filesSeen: r.filesSeen,
      filesFailed: r.filesFailed,
      filesSkipped: r.filesSkipped,
      documentsAdded: r.documentsAdded,
      documentsUpdated: r.documentsUpdated,
      documentsUnchanged: r.documentsUnchanged,
      documents: r.documents,
      issues: r.issues,
      reimport,
    };
  }

  /**
   * Removes an import with the documents it brought. Documents a later import rewrote belong to
   * that import and stay; their incidents are rebuilt from what is left.
   */
  private async deleteImport(importId: number): Promise<{ documentsRemoved: number }> {
    if (this.imports.has(importId)) throw new HindsightError('busy', `Import #${importId} is still running: cancel it first, then delete it.`);
    const engine = await this.engine('write');
    const row = await engine.store.imports.get(importId);
    if (!row) throw new HindsightError('not-found', `There is no import #${importId}.`);
    if (row.status === 'queued' || row.status === 'running') {
      throw new HindsightError('busy', `Import #${importId} is running in another Hindsight process; delete it when it has finished.`);
    }
    const ids = await engine.store.documents.idsOfImport(importId);
    await engine.deleteImport(importId, ids);
    return { documentsRemoved: ids.length };
  }

  /**
   * Switches to another database: an existing Hindsight database, or a new `.db` file. Any other
   * file is refused untouched (opening it for writing would add our tables to it). The new one is
   * opened before the old one is closed, so a refusal leaves everything as it was.
   */
  private async useDatabase(given: string): Promise<DatabaseInUse> {
    const path = resolve(given);
    if (this.imports.size || this.reindexJob) throw new HindsightError('busy', 'Wait for the running import or reindexing to finish before switching databases.');
    const kind = inspectDatabaseFile(path);
    if (kind === 'folder') throw new HindsightError('db-open', `${path} is a folder: choose a database file, or name a new one ending in .db.`);
    if (kind === 'not-sqlite' || kind === 'other-sqlite') {
      throw new HindsightError('db-open', `${path} is not a Hindsight database${kind === 'other-sqlite' ? ' (it belongs to another application)' : ''}; it was not opened or changed.`, {
        hint: 'Choose a Hindsight database, or name a new file ending in .db.',
      });
    }
    if (kind === 'missing' && extname(path).toLowerCase() !== '.db') {
      throw new HindsightError('db-open', `${path} does not exist: a new database must be a file ending in .db.`);
    }
    if (path === this.dbPath) {
      const engine = await this.engine('write');
      return { databasePath: path, documents: await engine.store.documents.count(), created: false };
    }
    const next = await Engine.open({ dbPath: path, models: this.options.models, mode: 'write' });
    const old = this.engineOpen;
    this.engineOpen = Promise.resolve(next);
    this.dbPath = path;
    await (await old?.catch(() => null))?.close();
    return { databasePath: path, documents: await next.store.documents.count(), created: kind === 'missing' || kind === 'empty' };
  }

  /** `<uploads>/<batch>/dir/file.md` → `dir/file.md`. */
  private readonly relabel = (path: string): string => {
    const root = this.options.uploadDir ? resolve(this.options.uploadDir) + sep : null;
    if (!root || !path.startsWith(root)) return path;
    const rest = path.slice(root.length);
    const at = rest.indexOf(sep);
    return at < 0 ? rest : rest.slice(at + 1) || rest;
  };

  private modelSearch(): ModelSearch {
    return this.options.models ?? modelSearchFromEnv();
  }

  /** Queues an import and answers with its id at once; it runs after the ones before it. */
  private async startImport(input: ApiRequest<'startImport'>, label?: string): Promise<{ importId: number }> {
    const engine = await this.engine('write');
    const importId = await engine.queueImport(input.paths);
    await engine.store.imports.describe(importId, {
      label: label ?? importLabel(input.paths, this.options.uploadDir),
      request: { ...(input.channels?.length ? { channels: input.channels } : {}), ...(input.csvMap ? { csvMap: input.csvMap } : {}) },
    });
    const controller = new AbortController();
    this.emit('importProgress', { importId, phase: 'queued', filesTotal: 0, filesDone: 0, filesFailed: 0, documents: 0, chunksEmbedded: 0, currentFile: null, currentRecords: 0, rate: 0, etaSeconds: null });
    const done = this.importQueue.then(async () => {
      try {
        const summary = await engine.import(input, { importId, signal: controller.signal, relabel: this.relabel, onProgress: (p) => this.emit('importProgress', p) });
        // The passages are searchable by their words now; their vectors follow in the background.
        if (engine.semantic && !engine.store.readOnly && !this.closing && (await engine.pendingCount()) > 0) this.runEmbedding(engine);
        this.emit('importDone', { importId, summary, failure: null });
      } catch (err) {
        const failure = toContractError(err);
        if (failure.code === 'cancelled') this.emit('importDone', { importId, summary: emptySummary(importId, 'cancelled'), failure: null });
        else this.emit('importDone', { importId, summary: null, failure });
      } finally {
        this.imports.delete(importId);
      }
    });
    this.imports.set(importId, { controller, done });
    this.importQueue = done;
    return { importId };
  }

  private async startReindex(): Promise<{ pending: number }> {
    if (this.reindexJob) throw new HindsightError('busy', 'Reindexing is already running.');
    const engine = await this.engine('write');
    if (!engine.semantic) {
      throw new HindsightError('no-model', 'No embedding model is installed, so there is nothing to embed with.', { hint: 'Install a model first (Settings → Model, or `hindsight model import <folder>`).' });
    }
    const pending = await engine.pendingCount();
    this.runEmbedding(engine);
    return { pending };
  }

  /**
   * Starts the embedding job unless it is running (a running job picks up new passages itself).
   * It yields to imports: between batches, while an import is queued or running, it lets go of
   * the database and waits for them.
   */
  private runEmbedding(engine: Engine): EmbedJob {
    if (this.reindexJob) return this.reindexJob;
    const controller = new AbortController();
    const job: EmbedJob = { controller, done: Promise.resolve(), resume: null, paused: null };
    const gate = () => {
      if (job.paused) return { why: 'paused' as const, until: job.paused };
      if (this.imports.size) return { why: 'waiting' as const, until: this.importQueue.then(() => {}) };
      return null;
    };
    // After the queued imports: they may add passages, and both write the database.
    job.done = this.importQueue.then(async () => {
      // A run that fails still reports what it wrote (kept: the next run goes on from there).
      let embedded = 0;
      const started = performance.now();
      try {
        const r = await engine.reindex({
          signal: controller.signal,
          gate,
          onProgress: (p) => {
            embedded = p.done;
            this.emit('indexProgress', p);
          },
        });
        this.emit('indexDone', { embedded: r.embedded, durationMs: r.durationMs, status: r.status, failure: null });
      } catch (err) {
        const failure = toContractError(err);
        const durationMs = Math.round(performance.now() - started);
        this.emit('indexDone', { embedded, durationMs, status: failure.code === 'cancelled' ? 'cancelled' : 'failed', failure: failure.code === 'cancelled' ? null : failure });
      } finally {
        this.reindexJob = null;
      }
    });
    this.reindexJob = job;
    return job;
  }

  /** True while the embedding job runs (or is queued behind imports). */
  get embedding(): boolean {
    return this.reindexJob !== null;
  }

  /** Resolves when the embedding job (if one runs) has ended: tests and the CLI wait for it. */
  async embeddingDone(): Promise<void> {
    await this.reindexJob?.done;
  }

  /**
   * Installs a model from a folder or by download (the only network access, and only when asked),
   * verified against the pins. The engine is reopened so that the next call uses it.
   */
  private async installModel(i: ApiRequest<'installModel'>, ctx: CallContext): Promise<ModelInstalled> {
    if (this.imports.size || this.reindexJob) throw new HindsightError('busy', 'Wait for the running import or reindexing to finish before installing a model.');
    const dest = this.options.modelsDir ?? userModelsDir();
    let path: string;
    let name: string;
    let verified: boolean;
    if (i.download !== undefined) {
      const spec = modelSpec(i.download || DEFAULT_MODEL);
      if (!spec) throw new HindsightError('not-found', `There is no known model "${i.download}".`, { hint: `Known models: ${MODELS.map((m) => m.name).join(', ')}.` });
      path = await fetchModel(spec, dest, {
        host: this.options.modelHost,
        signal: ctx.signal,
        onProgress: (p) => this.emit('modelProgress', { phase: 'downloading', file: p.file, received: p.received, total: p.total }),
      });
      name = spec.name;
      verified = (await inspectModelDir(spec, dest, false)).model?.verified ?? false;
    } else {
      this.emit('modelProgress', { phase: 'verifying', file: i.folder!, received: 0, total: null });
      const r = await importModelDir(i.folder!, dest, i.allowUnverified);
      ({ path, verified } = r);
      name = r.spec.name;
    }
    this.emit('modelProgress', { phase: 'done', file: path, received: 0, total: null });
    // The engine chose its model when it opened: open it again to use this one.
    const old = this.engineOpen;
    this.engineOpen = null;
    if (old) await (await old.catch(() => null))?.close();
    // Opened again as it was (a service that writes keeps its WAL from the start).
    const pending = existsSync(this.dbPath) ? await (await this.engine(old ? this.engineAccess : 'read')).pendingCount() : 0;
    return { name, path, verified, pending };
  }

  /** Where a document's original is: its URL, else the file it was read from. */
  private async sourceOf(engine: Engine, id: number): Promise<SourceLocation | null> {
    const row = await engine.store.documents.origin(id);
    if (!row) return null;
    if (row.url && /^https?:\/\//i.test(row.url)) return { kind: 'url', location: row.url };
    if (row.origin.toLowerCase().endsWith('.zip')) return { kind: 'archive-member', location: row.source };
    return { kind: 'file', location: row.origin };
  }

  /** Ids of the imports queued or running now. */
  get activeImports(): number[] {
    return [...this.imports.keys()];
  }

  /**
   * Stops cleanly: queued and running imports and reindexing are cancelled (what was written stays,
   * marked cancelled), then the database is checkpointed and closed.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const call of this.calls) call.abort();
    // Handlers still running may yet queue a job (a `startImport` past its timeout): let them
    // settle first, so that the jobs below include theirs.
    await Promise.allSettled([...this.handling]);
    for (const job of this.imports.values()) job.controller.abort();
    this.reindexJob?.controller.abort();
    this.reindexJob?.resume?.();
    await Promise.allSettled([...[...this.imports.values()].map((j) => j.done), this.reindexJob?.done, this.importQueue]);
    const engine = await this.engineOpen?.catch(() => null);
    this.engineOpen = null;
    await engine?.close();
  }
}

/** The first `max` characters of a passage, cut at a word, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const at = cut.lastIndexOf(' ');
  return `${cut.slice(0, at > max * 0.6 ? at : max)}…`;
}

/** A passage as plain words for a listing: no Markdown marks, no headings (the listing names the section), no field list. */
function plainText(markdown: string): string {
  const lines = markdown.split('\n').filter((l) => !/^#{1,6}\s/.test(l.trim()));
  const body = lines.filter((l) => !/^- \*\*[^*]+\*\*: /.test(l)).join('\n') || lines.join('\n');
  return body
    .replace(/```[^\n]*\n?/g, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|\s)[*_]([^*_\n]+)[*_](?=\s|[.,;:!?]|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/^\s*[-*+]\s+/gm, '')
    .replace(/^\s*>\s?/gm, '');
}
