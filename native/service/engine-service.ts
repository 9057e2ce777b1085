import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
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
  type Envelope,
  type ModelInstalled,
  type SourceLocation,
} from '../contract.js';
import { inspectModelDir, locateModel, modelSearchFromEnv, type ModelSearch } from '../embed/model-locator.js';
import { DEFAULT_MODEL, MODELS, modelSpec } from '../embed/model-registry.js';
import { fetchModel, importModelDir } from '../embed/model-install.js';
import { emptySummary, Engine } from '../engine.js';
import { previewImport } from '../import/importer.js';
import { userModelsDir } from '../store/paths.js';
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
  private readonly imports = new Map<number, Job>();
  private importQueue: Promise<void> = Promise.resolve();
  private reindexJob: Job | null = null;
  private closing = false;
  private readonly closed = new AbortController();

  private constructor(
    private readonly options: ServiceOptions,
    private readonly emit: Emit,
  ) {}

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
    const controller = new AbortController();
    const onClose = () => controller.abort();
    this.closed.signal.addEventListener('abort', onClose, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new HindsightError('timeout', `${method} took longer than ${Math.round(ms / 1000)} s and was stopped.`, { hint: 'Narrow the request (fewer results, a shorter text) or try again.' }));
      }, ms);
    });
    try {
      const handler = this.handlers[method] as (i: ApiRequest<M>, ctx: CallContext) => Promise<ApiResults[M]>;
      return await Promise.race([handler(input, { signal: controller.signal }), timeout]);
    } finally {
      clearTimeout(timer);
      this.closed.signal.removeEventListener('abort', onClose);
    }
  }

  /**
   * The engine, opened on first need: `read` refuses a missing database and works on a read-only
   * one; `write` creates it. An engine opened for reading serves writes too when its file is writable.
   */
  private async engine(access: 'read' | 'write'): Promise<Engine> {
    if (!this.engineOpen) {
      const opening = Engine.open({ dbPath: this.options.dbPath, models: this.options.models, mode: access });
      this.engineOpen = opening;
      opening.catch(() => {
        if (this.engineOpen === opening) this.engineOpen = null;
      });
    }
    return this.engineOpen;
  }

  private async engineFor<M extends ApiMethod>(method: M): Promise<Engine> {
    const access = API_ACCESS[method];
    return this.engine(access === 'write' ? 'write' : 'read');
  }

  private readonly handlers: Handlers = {
    appInfo: async () => ({ version: this.options.version, shell: this.options.shell, demo: !!this.options.sampleDir, databasePath: this.options.dbPath }),
    stats: async () => (await this.engineFor('stats')).stats(),
    search: async (i) => (await this.engineFor('search')).search(i),
    show: async (i) => (await this.engineFor('show')).show(i.id),
    incident: async (i) => (await this.engineFor('incident')).incident(i.id),
    playbook: async (i, ctx) => (await this.engineFor('playbook')).playbook(i, { signal: ctx.signal }),
    similar: async (i, ctx) => (await this.engineFor('similar')).similar(i, { signal: ctx.signal }),
    patterns: async (i, ctx) => (await this.engineFor('patterns')).patterns(i, { signal: ctx.signal }),
    experts: async (i, ctx) => (await this.engineFor('experts')).experts(i, { signal: ctx.signal }),
    previewImport: async (i) => previewImport(i.paths, i.channels),
    startImport: async (i) => this.startImport(i),
    cancelImport: async (i) => {
      const job = this.imports.get(i.importId);
      job?.controller.abort();
      return { cancelled: !!job };
    },
    importSample: async () => {
      const dir = this.options.sampleDir;
      if (!dir || !existsSync(dir)) throw new HindsightError('no-sample', 'Sample data is only available when Hindsight was started with --demo.');
      return this.startImport({ paths: [dir] });
    },
    sourceOf: async (i) => this.sourceOf(await this.engineFor('sourceOf'), i.id),
    startReindex: async () => this.startReindex(),
    cancelReindex: async () => {
      const job = this.reindexJob;
      job?.controller.abort();
      return { cancelled: !!job };
    },
    modelStatus: async () => {
      const search = this.modelSearch();
      const { state } = await locateModel(search);
      return { state, searched: search.roots, known: MODELS.map((m) => ({ name: m.name, dims: m.dims, bytes: m.weights[0]!.bytes })) };
    },
    installModel: async (i, ctx) => this.installModel(i, ctx),
  };

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
  private async startImport(input: ApiRequest<'startImport'>): Promise<{ importId: number }> {
    const engine = await this.engine('write');
    const importId = await engine.queueImport(input.paths);
    const controller = new AbortController();
    this.emit('importProgress', { importId, phase: 'queued', filesTotal: 0, filesDone: 0, filesFailed: 0, documents: 0, chunksEmbedded: 0, currentFile: null, currentRecords: 0, rate: 0, etaSeconds: null });
    const done = this.importQueue.then(async () => {
      try {
        const summary = await engine.import(input, { importId, signal: controller.signal, relabel: this.relabel, onProgress: (p) => this.emit('importProgress', p) });
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
    const controller = new AbortController();
    // After the queued imports: they may add passages, and both write the database.
    const done = this.importQueue.then(async () => {
      try {
        const r = await engine.reindex({ signal: controller.signal, onProgress: (p) => this.emit('indexProgress', p) });
        this.emit('indexDone', { embedded: r.embedded, durationMs: r.durationMs, status: r.status, failure: null });
      } catch (err) {
        const failure = toContractError(err);
        this.emit('indexDone', { embedded: 0, durationMs: 0, status: failure.code === 'cancelled' ? 'cancelled' : 'failed', failure: failure.code === 'cancelled' ? null : failure });
      } finally {
        this.reindexJob = null;
      }
    });
    this.reindexJob = { controller, done };
    return { pending };
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
    const pending = existsSync(this.options.dbPath) ? await (await this.engine('read')).pendingCount() : 0;
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
    for (const job of this.imports.values()) job.controller.abort();
    this.reindexJob?.controller.abort();
    this.closed.abort();
    await Promise.allSettled([...[...this.imports.values()].map((j) => j.done), this.reindexJob?.done, this.importQueue]);
    const engine = await this.engineOpen?.catch(() => null);
    this.engineOpen = null;
    await engine?.close();
  }
}
