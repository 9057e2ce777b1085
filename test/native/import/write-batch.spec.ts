/**
 * Batched document writes (import/write-batch.ts, store `documents.writeMany`): many records in
 * one transaction, with the guarantees of a transaction per document — a record whose write
 * fails is reported and the others are written, a cancel or a kill -9 leaves only whole
 * documents, a re-import duplicates nothing. On the real ServiceNow event log of the shared
 * corpus (its first rows, cut at run time).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { HindsightError } from '../../../native/common/errors.js';
import { importPaths, type ImportContext } from '../../../native/import/importer.js';
import { WriteBatch } from '../../../native/import/write-batch.js';
import { SqliteStore } from '../../../native/store/sqlite/sqlite-store.js';
import type { DocumentWrite, Store } from '../../../native/store/store.js';
import { CORPUS } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const EVENT_LOG = join(CORPUS, 'servicenow/servicenow-incident-event-log/incident_event_log.csv');
/** The event log's first 1,200 lines: a few hundred incidents, each with its audit rows. */
const csv = join(dir, 'incident_event_log.csv');
writeFileSync(csv, readFileSync(EVENT_LOG, 'utf8').split('\n').slice(0, 1200).join('\n') + '\n');

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
function open(name: string): SqliteStore {
  const s = SqliteStore.open(join(dir, name));
  stores.push(s);
  return s;
}

/** Counts the store's write transactions of documents, and lets a test change a write. */
function instrument(store: Store, change: (w: DocumentWrite) => DocumentWrite = (w) => w) {
  const docs = store.documents;
  const counts = { many: 0, one: 0 };
  const writeMany = docs.writeMany.bind(docs);
  const write = docs.write.bind(docs);
  docs.writeMany = (ws) => {
    counts.many++;
    return writeMany(ws.map(change));
  };
  docs.write = (w) => {
    counts.one++;
    return write(change(w));
  };
  return counts;
}

async function run(store: SqliteStore, extra: Partial<ImportContext> = {}) {
  const importId = await store.imports.create([csv], process.pid);
  // Limits that no timing reaches: the counts below do not depend on the machine's speed.
  return importPaths({ store, importId, embedPassages: null, writeBatch: { records: 64, bytes: 64 * 2 ** 20, ms: 3_600_000 }, ...extra }, [csv]);
}

/** Every stored document is whole: its passages, its term statistics, one row per uid. */
function wholeness(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const q = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      documents: q('SELECT count(*) FROM documents'),
      uids: q('SELECT count(DISTINCT uid) FROM documents'),
      withoutPassages: q('SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)'),
      withoutStatistics: q('SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM rank_documents r WHERE r.document_id = d.id)'),
      passagesWithoutStatistics: q('SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM rank_passages r WHERE r.passage_id = c.id)'),
    };
  } finally {
    db.close();
  }
}

describe('batched document writes', () => {
  it('writes the records of one export in a few transactions, and a re-import changes nothing', async () => {
    const store = open('batched.db');
    const counts = instrument(store);
    const s = await run(store);
    expect(s.errors).toEqual([]);
    expect(s.documentsAdded).toBeGreaterThan(150);
    // 64 records a transaction at most: a few commits, not one per record.
    expect(counts.many).toBe(Math.ceil(s.documentsAdded / 64));
    expect(counts.one).toBe(0);
    expect(s.byFormat).toEqual({ 'servicenow-csv': s.documentsAdded });
    expect(wholeness(join(dir, 'batched.db'))).toEqual({ documents: s.documentsAdded, uids: s.documentsAdded, withoutPassages: 0, withoutStatistics: 0, passagesWithoutStatistics: 0 });
    // The full-text index holds every passage written in a batch.
    expect(store.db.prepare('SELECT count(*) FROM chunks_fts').pluck().get()).toBe(store.db.prepare('SELECT count(*) FROM chunks').pluck().get());

    const again = await run(store);
    expect(again).toMatchObject({ documentsAdded: 0, documentsUpdated: 0, documentsUnchanged: s.documentsAdded, errors: [] });
    expect(wholeness(join(dir, 'batched.db')).documents).toBe(s.documentsAdded);
  });

  it('reports a record whose write fails, with its position, and writes the others of its batch', async () => {
    const store = open('one-bad.db');
    let bad: string | null = null;
    // A value SQLite refuses (NOT NULL), in the 10th record: the batch rolls back and is written again record by record.
    let seen = 0;
    const counts = instrument(store, (w) => {
      if (bad === null && ++seen === 10) bad = w.doc.uid;
      return w.doc.uid === bad ? { ...w, entities: [...w.entities, { type: 'service', key: null as unknown as string, name: 'x', mentions: 1, fromField: false }] } : w;
    });
    const s = await run(store);
    expect(s.errors).toHaveLength(1);
    const e = s.errors[0]!;
    expect(e).toMatchObject({ source: csv, code: 'internal', reason: 'record-write', record: expect.stringMatching(/^10 \(INC\d+\)$/) });
    expect(e.message).toContain(`${csv} record 10 (`);
    expect(e.message).toMatch(/NOT NULL/);
    expect(counts.one).toBeGreaterThan(1);
    const whole = wholeness(join(dir, 'one-bad.db'));
    expect(whole).toMatchObject({ withoutPassages: 0, withoutStatistics: 0, passagesWithoutStatistics: 0 });
    expect(whole.documents).toBe(s.documentsAdded);
    expect(store.db.prepare('SELECT count(*) FROM documents WHERE uid = ?').pluck().get(bad)).toBe(0);
    // The issue is kept with the import.
    const issues = await store.imports.issues(s.importId, 10);
    expect(issues.issues.map((i) => i.record)).toEqual([e.record]);

    // The next import writes the record that failed, and only it.
    const fixed = open('one-bad.db');
    const again = await run(fixed);
    expect(again).toMatchObject({ documentsAdded: 1, documentsUnchanged: s.documentsAdded, errors: [] });
  });

  it('stops a file at a fault of the database itself instead of failing every record', async () => {
    const store = open('busy.db');
    const docs = store.documents;
    docs.writeMany = () => Promise.reject(new HindsightError('busy', 'Another Hindsight process is writing the database; try again when it has finished.'));
    docs.write = docs.writeMany as never;
    const s = await run(store);
    expect(s.filesFailed).toBe(1);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ code: 'busy', source: csv });
    expect(s.documentsAdded).toBe(0);
  });

  it('a cancel keeps what was committed, drops what waited, and the next import adds the rest once', async () => {
    const store = open('cancel.db');
    const abort = new AbortController();
    let committed = 0;
    const s = await run(store, {
      signal: abort.signal,
      // Cancelled while the first batch is being taken in: the records read after it wait and are dropped.
      onWritten: () => {
        if (++committed === 64) abort.abort();
      },
    });
    expect(s.status).toBe('cancelled');
    expect(s.documentsAdded).toBe(64);
    expect(wholeness(join(dir, 'cancel.db'))).toEqual({ documents: 64, uids: 64, withoutPassages: 0, withoutStatistics: 0, passagesWithoutStatistics: 0 });
    const rest = await run(store);
    expect(rest.documentsUnchanged).toBe(64);
    expect(rest.documentsAdded).toBeGreaterThan(0);
    const whole = wholeness(join(dir, 'cancel.db'));
    expect(whole.documents).toBe(64 + rest.documentsAdded);
    expect(whole.uids).toBe(whole.documents);
  });

  it('a process killed (SIGKILL) while importing leaves only whole documents, and a re-import completes it', async () => {
    const dbPath = join(dir, 'killed.db');
    const script = join(dir, 'import-child.mts');
    const root = join(import.meta.dirname, '../../..');
    writeFileSync(
      script,
      `import { SqliteStore } from ${JSON.stringify(join(root, 'native/store/sqlite/sqlite-store.ts'))};
import { importPaths } from ${JSON.stringify(join(root, 'native/import/importer.ts'))};
const store = SqliteStore.open(${JSON.stringify(dbPath)});
const importId = await store.imports.create([${JSON.stringify(csv)}], process.pid);
await importPaths({ store, importId, embedPassages: null, onWritten: () => process.stdout.write('.') }, [${JSON.stringify(csv)}]);
`,
    );
    // Small batches: several commits happen before the kill, which lands between or inside them.
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HINDSIGHT_IMPORT_BATCH: '16' } });
    let written = 0;
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        written += b.length;
        if (written >= 40 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`the import ended before it was killed: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const whole = wholeness(dbPath);
    expect(whole.documents).toBeGreaterThanOrEqual(40);
    expect(whole).toMatchObject({ uids: whole.documents, withoutPassages: 0, withoutStatistics: 0, passagesWithoutStatistics: 0 });

    const store = open('killed.db');
    const s = await run(store);
    expect(s.documentsUnchanged).toBe(whole.documents);
    const after = wholeness(dbPath);
    expect(after.documents).toBe(whole.documents + s.documentsAdded);
    expect(after.uids).toBe(after.documents);
    expect(after.withoutPassages).toBe(0);
  }, 120_000);
});

describe('WriteBatch limits', () => {
  const write = (uid: string, body: string): DocumentWrite => ({
    doc: { uid, kind: 'ticket', format: 'csv', title: uid, source: uid, url: null, externalId: null, occurredAt: null, resolvedAt: null, severity: null, status: null, metadata: {}, body, refs: [], links: [], fields: [] },
    origin: 'x', contentHash: uid, chunks: [], vectors: null, importId: null, entities: [], refs: [], links: [], analysis: null,
  });
  function fakeStore(batches: string[][]): Store {
    return { documents: { writeMany: async (ws: DocumentWrite[]) => (batches.push(ws.map((w) => w.doc.uid)), ws.map((_, i) => ({ documentId: i, status: 'added', chunkIds: [], removedChunkIds: [] }))) } } as unknown as Store;
  }

  it('commits at the record limit, at the byte limit, and on flush, in order', async () => {
    const batches: string[][] = [];
    const committed: string[] = [];
    const batch = new WriteBatch<null>(fakeStore(batches), { committed: async (p) => void committed.push(p.write.doc.uid), failed: async () => {} }, { records: 3, bytes: 3_000, ms: 60_000 });
    for (const uid of ['a', 'b', 'c', 'd']) await batch.add(write(uid, 'x'), null);
    expect(batches).toEqual([['a', 'b', 'c']]);
    // 1,000 characters is ~3,000 bytes by the batch's estimate: the batch is full with it.
    await batch.add(write('e', 'y'.repeat(1_000)), null);
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    await batch.add(write('f', 'z'), null);
    expect(batch.size).toBe(1);
    await batch.flush();
    await batch.flush();
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e'], ['f']]);
    expect(committed).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});
