import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiEvents, ImportProgress } from '../../../native/contract.js';
import { EngineService } from '../../../native/service/engine-service.js';
import { TestApi } from '../../support/api.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();

/** A folder of many small postmortems: an import long enough to cancel or queue behind. */
function manyPostmortems(name: string, n: number): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < n; i++) {
    writeFileSync(join(folder, `pm-${String(i).padStart(4, '0')}.md`), `# Outage ${i}\n\n## Summary\n\nThe queue worker ${i} ran out of memory and restarted.\n\n## Root cause\n\nA leak in batch ${i}.\n`);
  }
  return folder;
}

describe('the one door', () => {
  it('formats every refusal in one sentence, with the caller\'s names for the fields', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'names.db'), models: NO_MODEL });
    const cli = (path: ReadonlyArray<PropertyKey>) => (path[0] === 'limit' ? '--limit' : String(path[0]));
    await expect(api.service.invoke('similar', { text: 'x', limit: 150 }, { name: cli })).rejects.toMatchObject({ code: 'invalid-input', message: '--limit must be between 1 and 100 (got 150).' });
    await expect(api.service.invoke('search', { query: 'x', limit: 0 })).rejects.toMatchObject({ message: 'limit must be between 1 and 200 (got 0).' });
    const env = await api.service.call('search', { query: 'x', limit: 'ten' });
    expect(env).toEqual({ ok: false, error: { code: 'invalid-input', message: 'limit must be a number (got "ten").' } });
    expect(await api.service.call('constructor', {})).toMatchObject({ ok: false, error: { code: 'invalid-input', reason: 'unknown-method' } });
    await api.close();
  });

  it('gives every call a time limit: a slow call fails with `timeout`, not a hang', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'slow.db'), models: NO_MODEL, timeouts: { patterns: 1 } });
    await api.import({ paths: [join(CORPUS, 'postmortems', 'dfds')] });
    await expect(api.patterns()).rejects.toMatchObject({ code: 'timeout', message: /patterns took longer than/ });
    // The engine is still fine afterwards.
    expect((await api.stats()).documents).toBe(39);
    await api.close();
  });

  it('read commands refuse a database that does not exist, and create nothing', async () => {
    const path = join(dir, 'no', 'such', 'place.db');
    const service = await EngineService.open({ dbPath: path, shell: 'browser', version: 't', models: NO_MODEL }, () => {});
    for (const m of ['stats', 'search', 'patterns'] as const) {
      const r = await service.call(m, m === 'search' ? { query: 'x' } : {});
      expect(r).toMatchObject({ ok: false, error: { code: 'not-found', hint: expect.stringMatching(/Import something first/) } });
    }
    expect(existsSync(join(dir, 'no'))).toBe(false);
    // A method that needs no database works all the same.
    expect(await service.call('appInfo', {})).toMatchObject({ ok: true });
    await service.close();
  });
});

describe('imports as jobs', () => {
  it('answers with the ids of several imports at once, runs them one after the other, and both complete', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'queue.db'), models: NO_MODEL });
    const a = manyPostmortems('q-a', 120);
    const b = manyPostmortems('q-b', 5);
    const phases = new Map<number, string[]>();
    const done = new Map<number, ApiEvents['importDone']>();
    api.on('importProgress', (p: ImportProgress) => phases.set(p.importId, [...(phases.get(p.importId) ?? []), p.phase]));
    const finished = new Promise<void>((resolve) =>
      api.on('importDone', (d) => {
        done.set(d.importId, d);
        if (done.size === 2) resolve();
      }),
    );
    const t = performance.now();
    const first = await api.invoke('startImport', { paths: [a] });
    const second = await api.invoke('startImport', { paths: [b] });
    // Both ids arrive before the first import has finished (it has 120 files to read).
    expect(done.size).toBe(0);
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(second.importId).toBeGreaterThan(first.importId);
    await finished;
    expect(done.get(first.importId)!.summary).toMatchObject({ status: 'done', documentsAdded: 120 });
    expect(done.get(second.importId)!.summary).toMatchObject({ status: 'done', documentsAdded: 5 });
    // The second waited in the queue: it started (scanning) only after the first was done.
    expect(phases.get(second.importId)![0]).toBe('queued');
    const rows = api.db.prepare('SELECT id, status FROM imports ORDER BY id').all();
    expect(rows).toEqual([{ id: first.importId, status: 'done' }, { id: second.importId, status: 'done' }]);
    await api.close();
  });

  it('cancels a running import: it stops, says how far it got, keeps what it wrote, and a re-run finishes it', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'cancel.db'), models: NO_MODEL });
    const folder = manyPostmortems('c', 300);
    const ac = new AbortController();
    const s = await api.import({ paths: [folder] }, { onProgress: (p) => p.phase === 'importing' && p.filesDone >= 20 && ac.abort(), signal: ac.signal });
    expect(s.status).toBe('cancelled');
    expect(s.filesTotal).toBe(300);
    expect(s.filesSeen).toBeGreaterThanOrEqual(20);
    expect(s.filesSeen).toBeLessThan(300);
    const kept = (await api.stats()).documents;
    expect(kept).toBe(s.documentsAdded);
    expect(api.db.prepare('SELECT status FROM imports WHERE id = ?').pluck().get(s.importId)).toBe('cancelled');
    const again = await api.import({ paths: [folder] });
    expect(again).toMatchObject({ status: 'done', documentsUnchanged: kept, documentsAdded: 300 - kept });
    await api.close();
  });

  it('cancels an import while it is still queued', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'cancel-queued.db'), models: NO_MODEL });
    const ended: Array<ApiEvents['importDone']> = [];
    const both = new Promise<void>((r) => api.on('importDone', (d) => ended.push(d) === 2 && r()));
    await api.invoke('startImport', { paths: [manyPostmortems('cq-a', 80)] });
    const queued = await api.invoke('startImport', { paths: [manyPostmortems('cq-b', 10)] });
    expect(await api.invoke('cancelImport', queued)).toEqual({ cancelled: true });
    await both;
    expect(ended.find((d) => d.importId === queued.importId)!.summary).toMatchObject({ status: 'cancelled', filesSeen: 0, documentsAdded: 0 });
    expect(api.db.prepare('SELECT status FROM imports WHERE id = ?').pluck().get(queued.importId)).toBe('cancelled');
    await api.close();
  });

  it('closing mid-import cancels it cleanly: marked cancelled, the journal folded back into the file', async () => {
    const dbPath = join(dir, 'close.db');
    const api = await TestApi.open({ dbPath, models: NO_MODEL });
    const started = new Promise<void>((r) => api.on('importProgress', (p) => p.phase === 'importing' && p.filesDone > 5 && r()));
    await api.invoke('startImport', { paths: [manyPostmortems('close', 200)] });
    await started;
    await api.close();
    const raw = new Database(dbPath, { readonly: true });
    expect(raw.prepare('SELECT status FROM imports').pluck().all()).toEqual(['cancelled']);
    raw.close();
    expect(existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0).toBe(0);
  });

  it('an import whose process died is interrupted, not running forever', async () => {
    const dbPath = join(dir, 'stale.db');
    const api = await TestApi.open({ dbPath, models: NO_MODEL });
    await api.close();
    const raw = new Database(dbPath);
    // A pid that cannot be alive (above the kernel's pid_max).
    raw.prepare(`INSERT INTO imports (started_at, status, paths, pid) VALUES ('2024-01-01T00:00:00Z', 'running', '[]', 99999999)`).run();
    raw.close();
    const again = await TestApi.open({ dbPath, models: NO_MODEL });
    expect(again.db.prepare('SELECT status FROM imports').pluck().all()).toEqual(['interrupted']);
    await again.close();
  });
});
