import { HindsightError } from '../common/errors.js';
import type { DocumentWrite, Store, WriteResult } from '../store/store.js';

/**
 * How many parsed documents wait to be written together. A commit costs more than the rows of a
 * small record (a tracker row is a few KB), so an export of many records is written in batches;
 * the limits keep memory bounded (bytes), and what a kill -9 costs — the batch not yet committed,
 * which the next import reads again — short (records, age).
 */
export interface WriteBatchLimits {
  records: number;
  /** Rough size of the batch's text (bodies and passages). */
  bytes: number;
  /** Age of the oldest waiting document, checked when the next one arrives. */
  ms: number;
}

export const WRITE_BATCH: WriteBatchLimits = { records: 256, bytes: 8 * 2 ** 20, ms: 1_000 };

/**
 * The limits, with `HINDSIGHT_IMPORT_BATCH=N` capping the records per transaction: 1 is the old
 * transaction per document, which the benchmark measures beside the default.
 */
export function writeBatchLimits(env: string | undefined = process.env.HINDSIGHT_IMPORT_BATCH): WriteBatchLimits {
  const n = env === undefined ? NaN : Number(env);
  return Number.isInteger(n) && n >= 1 ? { ...WRITE_BATCH, records: n } : WRITE_BATCH;
}

/** A document waiting for its write, with what names it if the write fails. */
export interface PendingWrite<T> {
  write: DocumentWrite;
  tag: T;
}

export interface WriteBatchHandlers<T> {
  /** After the document's transaction committed (in order of arrival). */
  committed(p: PendingWrite<T>, result: WriteResult): Promise<void>;
  /** The document could not be written; the others were. */
  failed(p: PendingWrite<T>, err: unknown): Promise<void>;
}

/**
 * Collects document writes and commits them in one transaction when a limit is reached or when
 * flushed (at the end of a source, before its vanished documents are removed, on cancel). Each
 * document is whole or absent: a transaction holds whole documents only. When one document's
 * write fails, the batch is rolled back and written again one document per transaction, so that
 * only the failing one is lost — unless the database itself failed (busy, read-only, full, I/O),
 * which is thrown, as every write would fail alike.
 */
export class WriteBatch<T> {
  private pending: Array<PendingWrite<T>> = [];
  private bytes = 0;
  private since = 0;

  constructor(
    private readonly store: Store,
    private readonly handlers: WriteBatchHandlers<T>,
    private readonly limits: WriteBatchLimits = writeBatchLimits(),
  ) {}

  get size(): number {
    return this.pending.length;
  }

  async add(write: DocumentWrite, tag: T): Promise<void> {
    if (!this.pending.length) this.since = performance.now();
    this.pending.push({ write, tag });
    this.bytes += sizeOf(write);
    if (this.pending.length >= this.limits.records || this.bytes >= this.limits.bytes || performance.now() - this.since >= this.limits.ms) await this.flush();
  }

  /** Drops what waits (a cancelled import keeps what it committed, and stops at once). */
  discard(): void {
    this.pending = [];
    this.bytes = 0;
  }

  async flush(): Promise<void> {
    const list = this.pending;
    if (!list.length) return;
    this.pending = [];
    this.bytes = 0;
    let results: WriteResult[];
    try {
      results = await this.store.documents.writeMany(list.map((p) => p.write));
    } catch (err) {
      if (isDatabaseFault(err)) throw err;
      if (list.length === 1) return this.handlers.failed(list[0]!, err);
      for (const p of list) {
        let result: WriteResult;
        try {
          result = await this.store.documents.write(p.write);
        } catch (e) {
          if (isDatabaseFault(e)) throw e;
          await this.handlers.failed(p, e);
          continue;
        }
        await this.handlers.committed(p, result);
      }
      return;
    }
    for (let i = 0; i < list.length; i++) await this.handlers.committed(list[i]!, results[i]!);
  }
}

function sizeOf(w: DocumentWrite): number {
  let n = w.doc.body.length + w.doc.title.length;
  for (const c of w.chunks) n += c.text.length;
  // UTF-16 in memory, and the analysis and entities beside the text.
  return n * 3;
}

/** SQLite result codes that belong to one record's values, not to the database. */
const RECORD_FAULTS = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

/**
 * A fault of the database, not of the record: our own errors (busy, read-only, as the store
 * reports them) and SQLite's other result codes (I/O, full disk, corruption, locks).
 */
function isDatabaseFault(err: unknown): boolean {
  if (err instanceof HindsightError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') && !RECORD_FAULTS.test(code);
}
