import { statSync } from 'node:fs';
import type { MetaStore, Store } from '../store.js';
import { closeDatabase, openDatabase, useWal, type Db, type OpenMode } from './database.js';
import { documentStore } from './documents.js';
import { entityStore, linkStore } from './entities.js';
import { importStore } from './imports.js';
import { incidentStore } from './incidents.js';
import { lexicalStore } from './lexical.js';
import { passageStore } from './passages.js';
import { SqliteRanking } from './ranking.js';
import { Sql } from './sql.js';

/** The store in one SQLite file (WAL), through better-sqlite3. */
export class SqliteStore implements Store {
  readonly meta: MetaStore;
  readonly imports: Store['imports'];
  readonly documents: Store['documents'];
  readonly passages: Store['passages'];
  readonly lexical: Store['lexical'];
  readonly entities: Store['entities'];
  readonly links: Store['links'];
  readonly incidents: Store['incidents'];
  readonly ranking: SqliteRanking;
  private readonly sql: Sql;

  private constructor(
    readonly location: string,
    readonly db: Db,
    readonly readOnly: boolean,
  ) {
    const sql = (this.sql = new Sql(db, readOnly ? undefined : () => useWal(db)));
    this.meta = {
      get: async (key) => sql.value<string>('SELECT value FROM meta WHERE key = ?', key) ?? null,
      set: async (key, value) => void sql.write(() => sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value)),
      delete: async (key) => void sql.write(() => sql.run('DELETE FROM meta WHERE key = ?', key)),
    };
    this.imports = importStore(sql);
    this.ranking = new SqliteRanking(sql, location, readOnly);
    this.documents = documentStore(sql, this.ranking);
    this.passages = passageStore(sql);
    this.lexical = lexicalStore(sql);
    this.entities = entityStore(sql);
    this.links = linkStore(sql);
    this.incidents = incidentStore(sql);
  }

  static open(path: string, mode: OpenMode = 'write'): SqliteStore {
    const { db, readOnly } = openDatabase(path, { mode });
    return new SqliteStore(path, db, readOnly);
  }

  async size(): Promise<number> {
    let bytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        bytes += statSync(this.location + suffix).size;
      } catch {
        // no such file
      }
    }
    return bytes;
  }

  async close(): Promise<void> {
    this.ranking.close();
    closeDatabase(this.db, this.readOnly);
  }
}

/** Tells a Hindsight database from another file before opening it (the engine's factory needs it too). */
export { inspectDatabaseFile, type DatabaseFileKind } from './inspect.js';
