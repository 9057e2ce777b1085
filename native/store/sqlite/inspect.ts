import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { Database, sqliteBinding, type Db } from './better-sqlite3.js';

/** What a file is, before Hindsight agrees to open it as its database (and migrate it). */
export type DatabaseFileKind = 'missing' | 'empty' | 'hindsight' | 'other-sqlite' | 'not-sqlite' | 'folder';

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/**
 * Tells a Hindsight database from any other file without changing it: opening another
 * application's SQLite file for writing would migrate it, that is, add our tables to it. A
 * Hindsight database has a schema version (`user_version`) and a `documents` table.
 */
export function inspectDatabaseFile(path: string): DatabaseFileKind {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'folder';
    size = st.size;
  } catch {
    return 'missing';
  }
  if (size === 0) return 'empty';
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) return 'not-sqlite';
  let db: Db | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, ...sqliteBinding() });
    const version = db.pragma('user_version', { simple: true }) as number;
    const documents = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'documents'`).pluck().get() as number;
    return version > 0 && documents === 1 ? 'hindsight' : 'other-sqlite';
  } catch {
    return 'not-sqlite';
  } finally {
    db?.close();
  }
}
