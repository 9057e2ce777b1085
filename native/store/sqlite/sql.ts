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

  constructor(readonly db: Db) {}

  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  /** The first column of every row. */
  column<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).pluck().all(...params) as T[];
  }

  value<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).pluck().get(...params) as T | undefined;
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.stmt(sql).run(...params);
  }

  /** A write transaction that takes the write lock up front (BEGIN IMMEDIATE), so that a busy
   * database makes it wait for the lock (busy_timeout) instead of failing half-way. */
  write<T>(fn: () => T): T {
    this.generation++;
    return this.db.transaction(fn).immediate();
  }
}

/** A list of ids as the one parameter of `json_each(?)`. */
export const ids = (list: readonly number[]): string => JSON.stringify(list);
