import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { HindsightError } from '../../common/errors.js';
import { Database, sqliteBinding, type Db } from './better-sqlite3.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type { Db };

/**
 * How a database is opened. `write` creates it (and its folder) and migrates it; `read` refuses a
 * database that does not exist (a mistyped --db must not create an empty one) and opens a file it
 * cannot write read-only, so every read command works on it.
 */
export type OpenMode = 'read' | 'write';

export interface OpenOptions {
  mode?: OpenMode;
  /** For tests of the migration runner. */
  migrations?: readonly Migration[];
}

/** Long enough for another process's per-document write to finish; writes take the lock up front. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Opens a Hindsight database and brings its schema up to date. A database written by a newer
 * Hindsight is refused untouched; so is an older one that cannot be written (it cannot be migrated).
 */
export function openDatabase(path: string, options: OpenOptions = {}): { db: Db; readOnly: boolean } {
  const mode = options.mode ?? 'write';
  const memory = path === ':memory:';
  if (!memory && mode === 'read' && !existsSync(path)) {
    throw new HindsightError('db-missing', `There is no Hindsight database at ${path}.`, {
      hint: 'Import something first (`hindsight import <path>`), or name the right file with --db.',
    });
  }
  if (!memory && mode === 'write') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new HindsightError('db-open', `Cannot create the folder for the database ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
  }
  const readOnly = !memory && existsSync(path) && !writable(path);
  if (readOnly && mode === 'write') {
    throw new HindsightError('db-readonly', `The database ${path} is read-only: it can be searched, not changed.`, {
      hint: 'Make the file (and its folder) writable to import or reindex.',
    });
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: readOnly, fileMustExist: mode === 'read' && !memory, ...sqliteBinding() });
  } catch (err) {
    throw new HindsightError('db-open', `Cannot open the database ${path}: ${(err as Error).message}`);
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const migrations = options.migrations ?? MIGRATIONS;
    const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
    if (version > latest) {
      throw new HindsightError(
        'db-too-new',
        `The database ${path} was written by a newer version of Hindsight (schema ${version}, this app knows ${latest}). The file was not modified.`,
        { hint: 'Update Hindsight to open it.' },
      );
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (readOnly) {
      if (version < latest) {
        throw new HindsightError('db-readonly', `The database ${path} is from an older version of Hindsight and is read-only, so it cannot be upgraded.`, {
          hint: 'Open it once with write access (any command) to upgrade it.',
        });
      }
    } else {
      // A writer turns WAL on, so that readers never wait for it. A connection opened to read
      // leaves the journal as it finds it until its first write transaction (`Sql.write` calls
      // `useWal`): switching to WAL and back at close cost a cold search at 100,000 passages
      // 10–75 ms more in a probe on this (loaded) machine, about its FTS query's own time, and
      // it joins a writer's WAL anyway.
      if (mode === 'write') useWal(db);
      migrate(db, migrations);
    }
    db.pragma('foreign_keys = ON');
    return { db, readOnly };
  } catch (err) {
    db.close();
    if (err instanceof HindsightError) throw err;
    throw new HindsightError('db-open', `Cannot open the database ${path}: ${(err as Error).message}`);
  }
}

/** Write-ahead logging, so that readers never wait for this connection's writes (a no-op once on). */
export function useWal(db: Db): void {
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    // WAL needs its -wal and -shm files beside the database.
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Applies every pending migration in one transaction: all or nothing. Foreign keys are off while
 * it runs (a table rebuild must not cascade deletes) and checked before it commits.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return current;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of pending) {
        if (m.sql) db.exec(m.sql);
        m.up?.(db);
        db.pragma(`user_version = ${Math.trunc(m.version)}`);
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length) throw new Error(`migration left ${broken.length} rows that break a foreign key`);
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
  return pending[pending.length - 1]!.version;
}

/**
 * Ends a connection cleanly: the WAL is folded back into the database file, and when this was the
 * last connection the file goes back to a rollback journal, so that it is whole on its own — it can
 * be copied, and opened read-only where its folder is not writable (WAL needs a -shm file beside
 * it). The next writer turns WAL on again. Neither step waits for another connection.
 */
export function closeDatabase(db: Db, readOnly: boolean): void {
  if (!db.open) return;
  if (!readOnly) {
    try {
      // Whoever closes last tidies up, a reader that joined a writer's WAL included.
      if (db.pragma('journal_mode', { simple: true }) === 'wal') {
        db.pragma('busy_timeout = 0');
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.pragma('journal_mode = DELETE');
      }
    } catch {
      // Another connection has it open: it stays in WAL mode, and SQLite checkpoints later.
    }
  }
  db.close();
}
