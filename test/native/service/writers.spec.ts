/**
 * A second writer while another process writes (issue 9: a second `hindsight import` started
 * while one ran took over 90 s to open — it did the open-time upkeep of the first one's documents
 * beside it — so its `startImport` timed out, and the import it then queued was left "queued" on a
 * closed database with its extraction worker keeping the process alive).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../native/engine.js';
import { EngineService } from '../../../native/service/engine-service.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();

function folder(name: string, n: number): string {
  const f = join(dir, name);
  mkdirSync(f, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(f, `${name}-${i}.md`), `# ${name} outage ${i}\n\n## Root cause\n\nThe ${name} pool of worker ${i} was exhausted.\n`);
  return f;
}

const rows = (db: string, sql: string): unknown[] => {
  const raw = new Database(db, { readonly: true });
  try {
    return raw.prepare(sql).pluck().all();
  } finally {
    raw.close();
  }
};

describe('opening for writing while another process writes', () => {
  it('leaves the upkeep of its documents to that process, and does what is owed with its own next import', async () => {
    const db = join(dir, 'upkeep.db');
    const first = await Engine.open({ dbPath: db, models: NO_MODEL });
    await first.import({ paths: [folder('alpha', 6)] });
    await first.close();
    // What another process's running import leaves queued until it ends: its documents' expansion.
    const raw = new Database(db);
    raw.exec('INSERT INTO rank_expansion_queue (document_id) SELECT id FROM documents');
    raw.close();
    const queued = rows(db, 'SELECT document_id FROM rank_expansion_queue ORDER BY 1');
    expect(queued).toHaveLength(6);
    // That process (alive: our parent) holds the writer lock.
    const lock = `${db}.writer.lock`;
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), what: 'an import', since: new Date().toISOString() }));
    const second = await Engine.open({ dbPath: db, models: NO_MODEL });
    try {
      expect(await second.store.ranking.expansionQueue(100)).toEqual(queued);
      rmSync(lock);
      await second.import({ paths: [folder('beta', 2)] });
      expect(await second.store.ranking.expansionQueue(100)).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('an import being started when the service closes (its call timed out, say) is cancelled, not left queued', async () => {
    const db = join(dir, 'closing.db');
    const events: string[] = [];
    const service = await EngineService.open({ dbPath: db, shell: 'browser', version: 't', models: NO_MODEL }, (event, p) => {
      if (event === 'importDone') events.push((p as { summary: { status: string } | null }).summary?.status ?? 'failed');
    });
    // The handler is still opening the database when close() begins: as after a timed-out call.
    const started = service.invoke('startImport', { paths: [folder('gamma', 3)] });
    await service.close();
    expect(await started).toEqual({ importId: 1 });
    expect(rows(db, 'SELECT status FROM imports')).toEqual(['cancelled']);
    expect(rows(db, 'SELECT count(*) FROM documents')).toEqual([0]);
    expect(events).toEqual(['cancelled']);
  });
});
