import type Database from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * A connection with its statements prepared once. Lists of ids travel as one JSON parameter
 * (`IN (SELECT value FROM json_each(?))`): no limit on their length, one plan for every length.
 */
export class Sql {
  private statements = new Map<string, Database.Statement>();
  /** Bumped on every write that changes passages: caches of term statistics drop their contents. */
  generation = 0;
  /** HINDSIGHT_SQL_PROFILE=1: time spent per statement, printed to stderr at exit (slowest first). */
  private readonly profile = process.env.HINDSIGHT_SQL_PROFILE === '1' ? new Map<string, { n: number; ms: number }>() : null;

  /**
   * `beforeFirstWrite` runs once, before the first write transaction: a connection opened to
   * read turns WAL on there (`useWal`), only if it comes to write.
   */
  constructor(
    readonly db: Db,
    private beforeFirstWrite?: () => void,
  ) {
    if (this.profile) process.once('exit', () => this.report());
  }

  private timed<T>(sql: string, fn: () => T): T {
    if (!this.profile) return fn();
    const t = performance.now();
    try {
      return fn();
    } finally {
      const p = this.profile.get(sql) ?? { n: 0, ms: 0 };
      p.n++;
      p.ms += performance.now() - t;
      this.profile.set(sql, p);
    }
  }

  private report(): void {
    const rows = [...this.profile!.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
    for (const [sql, p] of rows) process.stderr.write(`${p.ms.toFixed(0).padStart(7)} ms ${String(p.n).padStart(7)}× ${sql.replace(/\s+/g, ' ').slice(0, 140)}\n`);
  }

  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.timed(sql, () => this.stmt(sql).all(...params) as T[]);
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.timed(sql, () => this.stmt(sql).get(...params) as T | undefined);
  }

  /** The first column of every row. */
  column<T>(sql: string, ...params: unknown[]): T[] {
    return this.timed(sql, () => this.stmt(sql).pluck().all(...params) as T[]);
  }

  value<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.timed(sql, () => this.stmt(sql).pluck().get(...params) as T | undefined);
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.timed(sql, () => this.stmt(sql).run(...params));
  }

  /**
   * A write transaction that takes the write lock up front (BEGIN IMMEDIATE), so that a busy
   * database makes it wait for the lock (busy_timeout) instead of failing half-way. Nested calls
   * join the transaction they are in.
   */
  write<T>(fn: () => T): T {
    this.generation++;
    if (this.db.inTransaction) return fn();
    if (this.beforeFirstWrite) {
      this.beforeFirstWrite();
      this.beforeFirstWrite = undefined;
    }
    const hooks: Array<() => void> = [];
    this.transaction++;
    this.commitHooks = hooks;
    let result: T;
    try {
      result = this.timed('COMMIT (write transaction)', () => this.db.transaction(fn).immediate());
    } finally {
      this.commitHooks = null;
    }
    for (const hook of hooks) hook();
    return result;
  }

  /** Counts write transactions: work joined to "this transaction" can tell a new one from it. */
  transaction = 0;
  private commitHooks: Array<() => void> | null = null;

  /**
   * Runs `fn` once the current write transaction has committed (at once outside one); dropped if
   * it rolls back. Caches of what the transaction wrote (the posting lists) change only then.
   */
  afterCommit(fn: () => void): void {
    if (this.commitHooks) this.commitHooks.push(fn);
    else fn();
  }
}

/** A list of ids as the one parameter of `json_each(?)`. */
export const ids = (list: readonly number[]): string => JSON.stringify(list);
