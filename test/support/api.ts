/**
 * The engine as tests use it: through the one door (EngineService), like every real caller, with
 * the contract's inputs and defaults. Imports and reindexing are jobs there; `import()` and
 * `reindex()` start one and wait for its end, so that tests read like the operations they check.
 * `db` is a separate connection to the same file, for assertions on what was stored.
 */
import Database from 'better-sqlite3';
import type { ApiEvent, ApiEvents, ApiInput, ApiMethod, ApiResults, ImportProgress, ImportSummary } from '../../native/contract.js';
import { fromContractError } from '../../native/common/errors.js';
import type { ModelSearch } from '../../native/embed/model-locator.js';
import { EngineService, type ServiceOptions } from '../../native/service/engine-service.js';

type Listener = (payload: unknown) => void;

export class TestApi {
  private listeners = new Map<ApiEvent, Set<Listener>>();
  private raw: Database.Database | null = null;
  readonly service!: EngineService;

  private constructor(readonly dbPath: string) {}

  static async open(o: { dbPath: string; models?: ModelSearch } & Partial<ServiceOptions>): Promise<TestApi> {
    const api = new TestApi(o.dbPath);
    const service = await EngineService.open({ shell: 'browser', version: '0.0.0-test', eager: o.eager ?? true, ...o }, (event, payload) => api.emit(event, payload));
    (api as { service: EngineService }).service = service;
    return api;
  }

  private emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  on<E extends ApiEvent>(event: E, fn: (p: ApiEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener);
    return () => set.delete(fn as Listener);
  }

  invoke<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiResults[M]> {
    return this.service.invoke(method, input);
  }

  /**
   * Starts an import and waits for its end, and for the embedding job it starts (unless
   * `background`: then it returns while the passages are still being embedded); `signal` cancels it.
   */
  async import(input: ApiInput<'startImport'>, o: { signal?: AbortSignal; onProgress?: (p: ImportProgress) => void; background?: boolean } = {}): Promise<ImportSummary> {
    let id = 0;
    const ended = new Map<number, ApiEvents['importDone']>();
    let wake: () => void = () => {};
    const offDone = this.on('importDone', (d) => {
      ended.set(d.importId, d);
      wake();
    });
    const offProgress = this.on('importProgress', (p) => {
      if (!id || p.importId === id) o.onProgress?.(p);
    });
    try {
      id = (await this.invoke('startImport', input)).importId;
      const cancel = () => void this.invoke('cancelImport', { importId: id });
      if (o.signal?.aborted) cancel();
      o.signal?.addEventListener('abort', cancel, { once: true });
      while (!ended.has(id)) await new Promise<void>((r) => (wake = r));
      o.signal?.removeEventListener('abort', cancel);
      const d = ended.get(id)!;
      if (d.failure) throw fromContractError(d.failure);
      if (!o.background) await this.service.embeddingDone();
      return d.summary!;
    } finally {
      offDone();
      offProgress();
    }
  }

  async reindex(): Promise<ApiEvents['indexDone']> {
    const done = new Promise<ApiEvents['indexDone']>((r) => {
      const off = this.on('indexDone', (d) => {
        off();
        r(d);
      });
    });
    await this.invoke('startReindex', {});
    const d = await done;
    if (d.failure) throw fromContractError(d.failure);
    return d;
  }

  search(input: ApiInput<'search'>) {
    return this.invoke('search', input);
  }
  similar(input: ApiInput<'similar'>) {
    return this.invoke('similar', input);
  }
  patterns(input: ApiInput<'patterns'> = {}) {
    return this.invoke('patterns', input);
  }
  experts(input: ApiInput<'experts'>) {
    return this.invoke('experts', input);
  }
  show(id: number) {
    return this.invoke('show', { id });
  }
  stats() {
    return this.invoke('stats', {});
  }

  /** Another connection to the database, for assertions (and for tests that tamper with it). */
  get db(): Database.Database {
    this.raw ??= new Database(this.dbPath);
    return this.raw;
  }

  async close(): Promise<void> {
    this.raw?.close();
    await this.service.close();
  }
}
