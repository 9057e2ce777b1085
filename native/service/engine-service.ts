import { existsSync } from 'node:fs';
import { HindsightError, toContractError } from '../common/errors.js';
import {
  API_INPUTS,
  type ApiEvent,
  type ApiEvents,
  type ApiMethod,
  type ApiResults,
  type AppInfo,
  type Envelope,
  type ImportInput,
  type SourceLocation,
} from '../contract.js';
import type { ModelSearch } from '../embed/model-locator.js';
import { Engine } from '../engine.js';
import type { z } from 'zod';

export interface ServiceOptions {
  dbPath: string;
  shell: AppInfo['shell'];
  version: string;
  models?: ModelSearch;
  /** A folder of sample data that "import sample data" imports (`--demo`). */
  sampleDir?: string;
}

type Emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;
type Handlers = { [M in ApiMethod]: (input: z.output<(typeof API_INPUTS)[M]>) => Promise<ApiResults[M]> };

/**
 * The engine behind the contract: one entry point, `call(method, input)`, used by the HTTP bridge
 * and by the desktop app's engine process. It checks the method name, parses the input with the
 * contract's schema (whoever the caller), and answers with an envelope: a value, or
 * `{ code, message }` — never a stack. Imports run one at a time in the background and report
 * through events.
 */
export class EngineService {
  private imports = new Map<number, AbortController>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly engine: Engine,
    private readonly options: ServiceOptions,
    private readonly emit: Emit,
  ) {}

  static async open(options: ServiceOptions, emit: Emit): Promise<EngineService> {
    const engine = await Engine.open({ dbPath: options.dbPath, models: options.models });
    return new EngineService(engine, options, emit);
  }

  async call(method: string, input: unknown): Promise<Envelope<unknown>> {
    if (!Object.hasOwn(API_INPUTS, method)) return { ok: false, error: { code: 'unknown-method', message: `There is no method "${method}".` } };
    const m = method as ApiMethod;
    const parsed = API_INPUTS[m].safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, error: { code: 'invalid-input', message: `Invalid input for ${m}: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'rejected'}.` } };
    }
    try {
      const handler = this.handlers[m] as (i: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      return { ok: false, error: toContractError(err) };
    }
  }

  private handlers: Handlers = {
    appInfo: async () => ({ version: this.options.version, shell: this.options.shell, demo: !!this.options.sampleDir, databasePath: this.engine.dbPath }),
    stats: async () => this.engine.stats(),
    search: (i) => this.engine.search(i),
    show: async (i) => this.engine.show(i.id),
    similar: (i) => this.engine.similar(i),
    patterns: (i) => this.engine.patterns(i),
    experts: (i) => this.engine.experts(i),
    previewImport: (i) => this.engine.previewImport(i),
    startImport: (i) => this.startImport(i),
    cancelImport: async (i) => {
      const ac = this.imports.get(i.importId);
      ac?.abort();
      return { cancelled: !!ac };
    },
    importSample: async () => {
      const dir = this.options.sampleDir;
      if (!dir || !existsSync(dir)) throw new HindsightError('no-sample', 'Sample data is only available when Hindsight was started with --demo.');
      return this.startImport({ paths: [dir] });
    },
    sourceOf: async (i) => this.sourceOf(i.id),
  };

  /** Starts an import (after any running one) and answers with its id once it has one. */
  private startImport(input: ImportInput): Promise<{ importId: number }> {
    const ac = new AbortController();
    return new Promise((resolve, reject) => {
      let id = 0;
      const run = this.queue.then(async () => {
        try {
          const summary = await this.engine.import(input, {
            signal: ac.signal,
            onProgress: (p) => {
              if (!id) {
                id = p.importId;
                this.imports.set(id, ac);
                resolve({ importId: id });
              }
              this.emit('importProgress', p);
            },
          });
          this.emit('importDone', { importId: summary.importId, summary, failure: null });
        } catch (err) {
          const failure = toContractError(err);
          if (!id) reject(err);
          else this.emit('importDone', { importId: id, summary: null, failure });
        } finally {
          this.imports.delete(id);
        }
      });
      this.queue = run.catch(() => {});
    });
  }

  /** Where a document's original is: its URL, else the file it was read from. */
  private sourceOf(id: number): SourceLocation | null {
    const row = this.engine.db.prepare('SELECT source, url, origin FROM documents WHERE id = ?').get(id) as { source: string; url: string | null; origin: string } | undefined;
    if (!row) return null;
    if (row.url && /^https?:\/\//i.test(row.url)) return { kind: 'url', location: row.url };
    if (row.origin.toLowerCase().endsWith('.zip')) return { kind: 'archive-member', location: row.source };
    return { kind: 'file', location: row.origin };
  }

  async close(): Promise<void> {
    for (const ac of this.imports.values()) ac.abort();
    await this.queue;
    await this.engine.close();
  }
}
