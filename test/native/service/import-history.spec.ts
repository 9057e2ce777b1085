import Database from 'better-sqlite3';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const DEMO = fileURLToPath(new URL('../../../demo/', import.meta.url));

describe('import history: list, issues, delete, re-import', () => {
  const dir = tempDir();
  const uploads = join(dir, 'uploads');
  const pms = join(dir, 'postmortems');
  const slack = join(dir, 'slack-export');
  let api: TestApi;

  beforeAll(async () => {
    mkdirSync(pms);
    cpSync(join(CORPUS, 'postmortems/posthog'), pms, { recursive: true });
    // Junk beside the postmortems: skipped (an unknown JSON) and failed (a broken PDF), each listed.
    writeFileSync(join(pms, 'notes.json'), '{"hello": "world"}');
    writeFileSync(join(pms, 'broken.pdf'), 'not a pdf');
    cpSync(join(DEMO, 'slack'), slack, { recursive: true });
    api = await TestApi.open({ dbPath: join(dir, 'h.db'), models: NO_MODEL, uploadDir: uploads });
  });
  afterAll(() => api.close());

  it('lists each import by the name of what was imported, newest first, with counts, documents held and issues', async () => {
    const first = await api.import({ paths: [pms] });
    const second = await api.import({ paths: [slack], channels: ['inc-payments'] });
    const { imports, total } = await api.invoke('listImports', {});
    expect(total).toBe(2);
    expect(imports.map((i) => i.importId)).toEqual([second.importId, first.importId]);
    const pm = imports[1]!;
    expect(pm).toMatchObject({
      label: 'postmortems',
      paths: [pms],
      status: 'done',
      documentsAdded: first.documentsAdded,
      documents: first.documentsAdded,
      filesFailed: 1,
      // notes.json and the corpus folder's own _index.json.
      filesSkipped: 2,
      issues: 3,
      reimport: { possible: true },
    });
    expect(first.documentsAdded).toBeGreaterThan(3);
    const { issues } = await api.invoke('importIssues', { importId: first.importId });
    expect(issues.map((i) => [i.outcome, i.source])).toEqual(
      expect.arrayContaining([
        ['failed', join(pms, 'broken.pdf')],
        ['skipped', join(pms, 'notes.json')],
      ]),
    );
    expect(issues.find((i) => i.outcome === 'failed')!.message).toMatch(/broken\.pdf/);
    expect(issues.find((i) => i.outcome === 'skipped')!.message.length).toBeGreaterThan(5);
  });

  it('re-imports with the same channel choice: nothing new, nothing from other channels', async () => {
    const { imports } = await api.invoke('listImports', {});
    const slackImport = imports[0]!;
    const before = (await api.stats()).documents;
    const done = new Promise<number>((resolve) => {
      const off = api.on('importDone', (d) => {
        off();
        resolve(d.summary!.documentsUnchanged);
      });
    });
    const { importId } = await api.invoke('reimport', { importId: slackImport.importId });
    expect(importId).toBeGreaterThan(slackImport.importId);
    expect(await done).toBe(slackImport.documentsAdded);
    expect((await api.stats()).documents).toBe(before);
    const again = (await api.invoke('listImports', {})).imports[0]!;
    expect(again).toMatchObject({ importId, label: 'slack-export', documentsUnchanged: slackImport.documentsAdded, documents: 0 });
  });

  it('deletes an import with the documents it brought, and only those', async () => {
    const { imports } = await api.invoke('listImports', {});
    const pm = imports.find((i) => i.label === 'postmortems')!;
    const slackDocs = (await api.search({ query: 'payments pool', kinds: ['slack-thread'] })).total;
    expect(slackDocs).toBeGreaterThan(0);
    const before = (await api.stats()).documents;
    const incidentsBefore = api.db.prepare('SELECT count(*) FROM incidents').pluck().get() as number;
    const r = await api.invoke('deleteImport', { importId: pm.importId });
    expect(r.documentsRemoved).toBe(pm.documents);
    // Their incidents went with them: none is left without records, in the store or in patterns.
    expect(api.db.prepare('SELECT count(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM incident_records r WHERE r.incident_id = i.id)').pluck().get()).toBe(0);
    expect(api.db.prepare('SELECT count(*) FROM incidents').pluck().get()).toBeLessThan(incidentsBefore);
    const patterns = await api.invoke('patterns', {});
    expect(patterns.patterns.flatMap((p) => p.incidents).filter((i) => i.records.length === 0)).toEqual([]);
    expect((await api.stats()).documents).toBe(before - pm.documents);
    expect((await api.search({ query: 'posthog' })).hits.filter((h) => h.source.startsWith(pms))).toEqual([]);
    expect((await api.search({ query: 'payments pool', kinds: ['slack-thread'] })).total).toBe(slackDocs);
    const after = await api.invoke('listImports', {});
    expect(after.imports.map((i) => i.importId)).not.toContain(pm.importId);
    expect(api.db.prepare('SELECT count(*) FROM import_issues WHERE import_id = ?').pluck().get(pm.importId)).toBe(0);
    await expect(api.invoke('deleteImport', { importId: pm.importId })).rejects.toMatchObject({ code: 'not-found' });
    await expect(api.invoke('importIssues', { importId: pm.importId })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('names a browser drop by the names it was dropped with, shows no upload path and cannot re-import it', async () => {
    const batch = join(uploads, 'batch123');
    mkdirSync(join(batch, 'my-postmortems'), { recursive: true });
    writeFileSync(join(batch, 'my-postmortems', 'db.md'), '# Database failover\n\n## Summary\n\nThe primary failed over.\n');
    writeFileSync(join(batch, 'incident.md'), '# Queue stuck\n\n## Summary\n\nThe queue stopped.\n');
    // Dropped beside them by the file manager, not by the user: not part of the name.
    writeFileSync(join(batch, '.DS_Store'), Buffer.from([0, 0, 0, 1, 66, 117, 100, 49]));
    const s = await api.import({ paths: [batch] });
    expect(s.documentsAdded).toBe(2);
    const entry = (await api.invoke('listImports', {})).imports[0]!;
    expect(entry.label).toBe('incident.md, my-postmortems');
    expect(entry.paths).toEqual([]);
    expect(JSON.stringify(entry)).not.toContain(uploads);
    expect(entry.reimport).toMatchObject({ possible: false, why: expect.stringMatching(/drop them again/) });
    await expect(api.invoke('reimport', { importId: entry.importId })).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('choosing the database', () => {
  const dir = tempDir();
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.open({ dbPath: join(dir, 'first.db'), models: NO_MODEL });
    await api.import({ paths: [join(DEMO, 'postmortems')] });
  });
  afterAll(() => api.close());

  it('creates a new .db file, uses it for everything that follows, and switches back', async () => {
    const second = join(dir, 'team', 'second.db');
    const r = await api.invoke('useDatabase', { path: second });
    expect(r).toEqual({ databasePath: second, documents: 0, created: true });
    expect((await api.invoke('appInfo', {})).databasePath).toBe(second);
    expect((await api.stats()).documents).toBe(0);
    expect((await api.search({ query: 'kafka' })).total).toBe(0);
    const back = await api.invoke('useDatabase', { path: join(dir, 'first.db') });
    expect(back).toMatchObject({ created: false });
    expect(back.documents).toBeGreaterThan(3);
    expect((await api.search({ query: 'kafka' })).total).toBeGreaterThan(0);
  });

  it("refuses another application's SQLite file and any other file, without changing them", async () => {
    const foreign = join(dir, 'browser-history.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE visits (url TEXT)');
    db.close();
    const bytes = readFileSync(foreign);
    await expect(api.invoke('useDatabase', { path: foreign })).rejects.toMatchObject({ code: 'db-unavailable', message: expect.stringMatching(/another application/) });
    expect(readFileSync(foreign).equals(bytes)).toBe(true);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello');
    const refused = (await api.invoke('useDatabase', { path: text }).catch((e: Error) => e)) as Error;
    expect(refused.message).toMatch(/not a Hindsight database/);
    // A text file is no other application's database: the message does not say so.
    expect(refused.message).not.toMatch(/another application/);
    await expect(api.invoke('useDatabase', { path: join(dir, 'new-file.txt') })).rejects.toMatchObject({ message: expect.stringMatching(/ending in \.db/) });
    await expect(api.invoke('useDatabase', { path: dir })).rejects.toMatchObject({ message: expect.stringMatching(/is a folder/) });
    // Still on the first database.
    expect((await api.invoke('appInfo', {})).databasePath).toBe(join(dir, 'first.db'));
  });
});
