import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closeDatabase, migrate, openDatabase } from '../../../native/store/sqlite/database.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../native/store/sqlite/migrations/index.js';
import { SqliteStore } from '../../../native/store/sqlite/sqlite-store.js';
import { tempDir } from '../../support/temp.js';

/** The journal mode a fresh connection sees (closed again at once). */
function journal(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('journal_mode', { simple: true });
  } finally {
    db.close();
  }
}

describe('database migrations', () => {
  const dir = tempDir();

  it('creates the schema on a new database, in WAL mode with foreign keys on', () => {
    const { db } = openDatabase(join(dir, 'new.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['documents', 'chunks', 'chunks_fts', 'imports', 'import_issues', 'meta']));
    db.close();
  });

  it('a read command leaves the journal as it finds it, joins a writer\'s WAL, and tidies it when it closes last', () => {
    const path = join(dir, 'journal.db');
    const first = openDatabase(path);
    closeDatabase(first.db, first.readOnly);
    // Closed by its writer: a rollback journal again, no -wal file.
    expect(journal(path)).toBe('delete');
    const reader = openDatabase(path, { mode: 'read' });
    expect(reader.db.pragma('journal_mode', { simple: true })).toBe('delete');
    closeDatabase(reader.db, reader.readOnly);
    expect(existsSync(`${path}-wal`)).toBe(false);
    // A writer holds the database in WAL; a reader opened meanwhile reads through it.
    const writer = openDatabase(path);
    const joined = openDatabase(path, { mode: 'read' });
    expect(joined.db.pragma('journal_mode', { simple: true })).toBe('wal');
    writer.db.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'x')").run();
    expect(joined.db.prepare("SELECT value FROM meta WHERE key = 'probe'").pluck().get()).toBe('x');
    // The writer closes first (the reader still has it open, so it stays WAL); the reader, last, folds it back.
    closeDatabase(writer.db, writer.readOnly);
    closeDatabase(joined.db, joined.readOnly);
    expect(journal(path)).toBe('delete');
    expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0);
  });

  it('a store opened to read turns WAL on at its first write transaction, so that readers never wait for it', async () => {
    const path = join(dir, 'first-write.db');
    const created = openDatabase(path);
    closeDatabase(created.db, created.readOnly);
    expect(journal(path)).toBe('delete');
    const store = SqliteStore.open(path, 'read');
    expect(await store.meta.get('probe')).toBeNull();
    expect(journal(path)).toBe('delete');
    await store.meta.set('probe', 'x');
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    // A reader holding a read transaction does not hold this writer up.
    const reader = new Database(path, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM meta').get();
    store.db.pragma('busy_timeout = 0');
    await store.meta.set('probe', 'y');
    reader.exec('COMMIT');
    reader.close();
    await store.close();
    expect(journal(path)).toBe('delete');
  });

  it('is idempotent: opening again applies nothing', () => {
    const path = join(dir, 'again.db');
    openDatabase(path).db.close();
    const db = openDatabase(path).db;
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('applies pending migrations in one transaction: a failing step leaves the old schema', () => {
    const path = join(dir, 'atomic.db');
    const good = { version: 10, sql: 'CREATE TABLE a (x INTEGER);' };
    openDatabase(path, { migrations: [good] }).db.close();
    const broken = [good, { version: 20, sql: 'CREATE TABLE b (y INTEGER);' }, { version: 30, sql: 'CREATE TABLE broken (;' }];
    expect(() => openDatabase(path, { migrations: broken }).db).toThrow();
    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(10);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'b'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database written by a newer version, without modifying it', () => {
    const path = join(dir, 'newer.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1000}`);
    raw.close();
    const before = readFileSync(path);
    expect(() => openDatabase(path).db).toThrow(/newer version of Hindsight/);
    try {
      openDatabase(path);
    } catch (err) {
      expect(err).toMatchObject({ code: 'db-unavailable', reason: 'db-too-new' });
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('keeps the full-text index in step with passages through triggers, including cascades', () => {
    const { db } = openDatabase(join(dir, 'fts.db'));
    db.prepare(
      `INSERT INTO documents (id, uid, origin, kind, format, title, source, body, content_hash, imported_at)
       VALUES (1, 'u1', 'o', 'postmortem', 'markdown', 'Kafka outage', 's', 'b', 'h', 'now')`,
    ).run();
    db.prepare(`INSERT INTO chunks (document_id, ord, heading, role, text, start_offset, end_offset, tokens) VALUES (1, 0, 'Root cause', 'root_cause', 'the broker ran out of disk', 0, 1, 5)`).run();
    const hits = () => db.prepare(`SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?`).pluck().all('"disk"');
    expect(hits()).toHaveLength(1);
    // Title is indexed with the passage.
    expect(db.prepare(`SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '"kafka"'`).pluck().get()).toBe(1);
    db.prepare('DELETE FROM documents WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM chunks').pluck().get()).toBe(0);
    expect(hits()).toHaveLength(0);
    db.close();
  });

  it('keeps the passage count through inserts, deletes and cascades, and counts what an upgraded database holds', () => {
    const path = join(dir, 'count.db');
    // A database from before the count (schema 110), with passages in it.
    const before = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version < 120) }).db;
    const doc = (id: number) =>
      before.prepare(`INSERT INTO documents (id, uid, origin, kind, format, title, source, body, content_hash, imported_at) VALUES (?, ?, 'o', 'postmortem', 'markdown', 't', 's', 'b', 'h', 'now')`).run(id, `u${id}`);
    const chunk = (db: Database.Database, documentId: number, ord: number) =>
      db.prepare(`INSERT INTO chunks (document_id, ord, heading, role, text, start_offset, end_offset, tokens) VALUES (?, ?, 'h', 'other', 'the broker ran out of disk', 0, 1, 5)`).run(documentId, ord);
    doc(1);
    doc(2);
    for (let i = 0; i < 3; i++) chunk(before, 1, i);
    closeDatabase(before, false);
    const { db } = openDatabase(path);
    const kept = () => db.prepare('SELECT n FROM passage_count WHERE id = 1').pluck().get();
    const counted = () => db.prepare('SELECT count(*) FROM chunks').pluck().get();
    expect(kept()).toBe(3);
    for (let i = 0; i < 4; i++) chunk(db, 2, i);
    expect(kept()).toBe(7);
    db.prepare('DELETE FROM chunks WHERE document_id = 2 AND ord = 0').run();
    expect(kept()).toBe(6);
    // A document's passages go with it (ON DELETE CASCADE fires the chunks triggers too).
    db.prepare('DELETE FROM documents WHERE id = 1').run();
    expect(kept()).toBe(3);
    expect(kept()).toBe(counted());
    db.close();
  });
});
