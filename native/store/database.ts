import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { HindsightError } from '../common/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** For tests of the migration runner. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating if needed) a Hindsight database and brings its schema up to date.
 * A database written by a newer Hindsight is refused untouched.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    // In the desktop app's development run, better-sqlite3 is built for Electron's ABI beside the
    // Node build the CLI uses (scripts/electron-native.mjs); packaged apps have only the Electron one.
    const nativeBinding = process.env.HINDSIGHT_SQLITE_BINDING || undefined;
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false, ...(nativeBinding ? { nativeBinding } : {}) });
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
        `The database ${path} was written by a newer version of Hindsight (schema ${version}, this app knows ${latest}). ` +
          'Update Hindsight to open it; the file was not modified.',
      );
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof HindsightError) throw err;
    throw new HindsightError('db-open', `Cannot open the database ${path}: ${(err as Error).message}`);
  }
}

/** Applies every pending migration in one transaction: all or nothing. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return current;
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    }
  })();
  return pending[pending.length - 1]!.version;
}


export function getMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}
