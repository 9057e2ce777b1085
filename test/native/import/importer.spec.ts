import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import type { ImportProgress } from '../../../native/contract.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';


describe('importing postmortems', () => {
  const dir = tempDir();
  const folder = join(dir, 'pms');
  let engine: TestApi;

  beforeAll(async () => {
    mkdirSync(folder);
    cpSync(join(CORPUS, 'postmortems/dfds'), join(folder, 'dfds'), { recursive: true });
    engine = await TestApi.open({ dbPath: join(dir, 'i.db'), models: NO_MODEL });
  });
  afterAll(() => engine.close());

  it('imports a folder recursively with progress', async () => {
    const events: ImportProgress[] = [];
    const s = await engine.import({ paths: [folder] }, { onProgress: (p) => events.push(p) });
    expect(s.filesFailed).toBe(0);
    expect(s.documentsAdded).toBe(39);
    // The folder's _index.json is no export Hindsight knows: skipped, not an error.
    expect(s.skipped.map((x) => x.source)).toEqual([join(folder, 'dfds', '_index.json')]);
    expect(s.byFormat).toEqual({ markdown: 39 });
    expect(s.semantic).toBe(false);
    expect(s.chunksWritten).toBeGreaterThan(39 * 3);
    expect(events.slice(0, 2).map((e) => e.phase)).toEqual(['queued', 'scanning']);
    expect(events.at(-1)).toMatchObject({ phase: 'done', filesDone: 40, filesTotal: 40, documents: 39 });
    const done = events.filter((e) => e.phase === 'importing').map((e) => e.filesDone);
    expect(done[0]).toBe(0);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1]!)).toBe(true);
    expect(new Set(done).size).toBe(40);
  });

  it('is idempotent: re-importing the same content changes nothing', async () => {
    const chunkIds = () => engine.db.prepare('SELECT id FROM chunks ORDER BY id').pluck().all();
    const before = chunkIds();
    const s = await engine.import({ paths: [folder] });
    expect(s).toMatchObject({ documentsAdded: 0, documentsUpdated: 0, documentsUnchanged: 39, chunksWritten: 0 });
    expect(chunkIds()).toEqual(before);
  });

  it('replaces a changed file: old passages leave the index, new ones enter it', async () => {
    const file = join(folder, 'dfds', 'PM2021-005_-_All_services_returning_503_in_Kubernetes.md');
    const id = engine.db.prepare('SELECT id FROM documents WHERE source = ?').pluck().get(file);
    writeFileSync(file, '# All services returning 503 in Kubernetes\n\n## Root cause\n\nA zebracorn misconfigured the flux capacitor.\n');
    const s = await engine.import({ paths: [file] });
    expect(s).toMatchObject({ documentsUpdated: 1, documentsAdded: 0 });
    expect(engine.db.prepare('SELECT id FROM documents WHERE source = ?').pluck().get(file)).toBe(id);
    expect((await engine.search({ query: 'zebracorn' })).hits.map((h) => h.documentId)).toEqual([id]);
    // Words only the old version had no longer find it.
    const old = await engine.search({ query: 'refactoring cleanup EKS add-ons native Terraform' });
    expect(old.hits.map((h) => h.documentId)).not.toContain(id);
    expect((await engine.stats()).documents).toBe(39);
  });

  it('writes each document atomically: a failure while embedding stores nothing of it', async () => {
    const file = join(dir, 'atomic.md');
    writeFileSync(file, '# Atomic\n\n## Summary\n\nShould never be stored.\n');
    const { importPaths } = await import('../../../native/import/importer.js');
    const { SqliteStore } = await import('../../../native/store/sqlite/sqlite-store.js');
    const store = SqliteStore.open(engine.dbPath);
    const importId = await store.imports.create([file], process.pid);
    const s = await importPaths({ store, importId, embedPassages: async () => { throw new Error('model crashed'); } }, [file]);
    await store.close();
    expect(s.errors[0]).toMatchObject({ source: file });
    expect(s.errors[0]!.message).toMatch(/model crashed/);
    expect(engine.db.prepare('SELECT count(*) FROM documents WHERE source = ?').pluck().get(file)).toBe(0);
  });

  it('names and identifies a relabelled file by its given name: the same file dropped twice is one document', async () => {
    // Browser mode reads dropped files from a folder per drop (`<uploads>/<batch>/…`) but names them as dropped.
    const uploads = join(dir, 'uploads');
    const { importPaths } = await import('../../../native/import/importer.js');
    const { SqliteStore } = await import('../../../native/store/sqlite/sqlite-store.js');
    const relabel = (p: string) => (p.startsWith(uploads) ? p.slice(uploads.length + 1).split('/').slice(1).join('/') : p);
    const store = SqliteStore.open(engine.dbPath);
    try {
      const summaries = [];
      for (const batch of ['drop1', 'drop2']) {
        const file = join(uploads, batch, 'notes', 'disk.md');
        mkdirSync(join(uploads, batch, 'notes'), { recursive: true });
        writeFileSync(file, '# Disk full on the build agents\n\n## Summary\n\nAudit logs filled the disk.\n');
        summaries.push(await importPaths({ store, importId: await store.imports.create([file], process.pid), embedPassages: null, relabel }, [file]));
      }
      expect(summaries.map((s) => [s.documentsAdded, s.documentsUnchanged])).toEqual([[1, 0], [0, 1]]);
      expect(engine.db.prepare("SELECT source FROM documents WHERE title = 'Disk full on the build agents'").pluck().all()).toEqual(['notes/disk.md']);
    } finally {
      await store.close();
    }
  });

  it('refuses a folder of more files than an import may walk, naming it; exactly the limit is walked', async () => {
    const { walkPaths } = await import('../../../native/import/walk.js');
    const { IMPORTABLE_EXTENSIONS } = await import('../../../native/import/detect-format.js');
    const big = join(dir, 'too-many');
    mkdirSync(join(big, 'sub'), { recursive: true });
    for (const name of ['a.md', 'b.md', 'sub/c.md']) writeFileSync(join(big, name), '# x\n');
    expect((await walkPaths([big], IMPORTABLE_EXTENSIONS, 3)).files).toHaveLength(3);
    writeFileSync(join(big, 'sub', 'd.md'), '# x\n');
    const refused = walkPaths([big], IMPORTABLE_EXTENSIONS, 3);
    await expect(refused).rejects.toMatchObject({ code: 'refused-input', reason: 'too-many-files', message: expect.stringContaining(big) });
    await expect(refused).rejects.toThrow(/\b3\b/);
  });

  it('records each import with its counts', () => {
    const rows = engine.db.prepare('SELECT status, files_seen AS seen, documents_added AS added FROM imports ORDER BY id').all();
    expect(rows[0]).toEqual({ status: 'done', seen: 40, added: 39 });
  });

  it('stops between files when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const s = await engine.import({ paths: [folder] }, { signal: ac.signal });
    expect(s.filesSeen).toBe(0);
    expect(engine.db.prepare('SELECT status FROM imports WHERE id = ?').pluck().get(s.importId)).toBe('cancelled');
  });
});
