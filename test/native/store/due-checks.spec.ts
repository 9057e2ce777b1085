/**
 * The checks every open makes (store/sqlite/incidents.ts recordsToExtract, ranking.ts unanalysed):
 * counted from indexes when nothing is due, so they must still name exactly the documents that
 * are due — one missing among many, one whose fields are stale, one removed — and nothing when
 * none is. Real postmortems of the shared corpus, imported by the engine.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../native/engine.js';
import { EXTRACTION_VERSION } from '../../../native/incidents/build.js';
import type { SqliteStore } from '../../../native/store/sqlite/sqlite-store.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const postmortems = readdirSync(join(CORPUS, 'postmortems'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md'))
  .sort()
  .slice(0, 5)
  .map((f) => join(CORPUS, 'postmortems', f));

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

async function imported(name: string): Promise<{ store: SqliteStore; ids: number[] }> {
  engine = await Engine.open({ dbPath: join(dir, name), models: NO_MODEL });
  await engine.import({ paths: postmortems });
  await engine.corpusModelIdle();
  const store = engine.store as SqliteStore;
  const ids = store.db.prepare('SELECT id FROM documents ORDER BY id').pluck().all() as number[];
  expect(ids).toHaveLength(5);
  return { store, ids };
}

describe('what an open finds due', () => {
  it('is nothing once every document has current fields and term statistics', async () => {
    const { store } = await imported('none.db');
    expect(await store.incidents.recordsToExtract(EXTRACTION_VERSION, 100)).toEqual([]);
    expect(await store.ranking.unanalysed(100)).toEqual([]);
  });

  it('names the one document whose fields are missing, and the one whose fields are stale', async () => {
    const { store, ids } = await imported('fields.db');
    store.db.prepare('DELETE FROM record_fields WHERE document_id = ?').run(ids[2]);
    expect(await store.incidents.recordsToExtract(EXTRACTION_VERSION, 100)).toEqual([ids[2]]);
    store.db.prepare('UPDATE record_fields SET version = ? WHERE document_id = ?').run(EXTRACTION_VERSION - 1, ids[4]);
    expect(await store.incidents.recordsToExtract(EXTRACTION_VERSION, 100)).toEqual([ids[2], ids[4]]);
    // Fields written by a newer extraction are current, not due.
    store.db.prepare('UPDATE record_fields SET version = ? WHERE document_id = ?').run(EXTRACTION_VERSION + 1, ids[0]);
    expect(await store.incidents.recordsToExtract(EXTRACTION_VERSION, 100)).toEqual([ids[2], ids[4]]);
  });

  it('names the one document without term statistics, and nothing after a document is removed', async () => {
    const { store, ids } = await imported('terms.db');
    store.db.prepare('DELETE FROM rank_documents WHERE document_id = ?').run(ids[1]);
    expect(await store.ranking.unanalysed(100)).toEqual([ids[1]]);
    // Removing that document removes what was due; its statistics cascade with any other's.
    store.db.prepare('DELETE FROM documents WHERE id IN (?, ?)').run(ids[1], ids[3]);
    expect(await store.ranking.unanalysed(100)).toEqual([]);
    expect(await store.incidents.recordsToExtract(EXTRACTION_VERSION, 100)).toEqual([]);
  });
});
