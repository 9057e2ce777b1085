/**
 * What each method needs of the database (the contract's API_ACCESS), as a caller sees it on a
 * machine without one: methods that need none work and create nothing, reads refuse with
 * "not found" and create nothing, writes create it. And the job methods' answers about jobs
 * that are not there.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ACCESS, type ApiMethod } from '../../../native/contract.js';
import { EngineService } from '../../../native/service/engine-service.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const docs = join(dir, 'docs');
mkdirSync(docs);
writeFileSync(join(docs, 'pm.md'), '# Disk full\n\n## Root cause\n\nLogs filled the disk.\n');

async function fresh(name: string) {
  const dbPath = join(dir, name, 'h.db');
  const service = await EngineService.open({ dbPath, shell: 'browser', version: 't', models: NO_MODEL, modelsDir: join(dir, name, 'models') }, () => {});
  return { dbPath, service };
}

const INPUTS: Record<ApiMethod, unknown> = {
  appInfo: {},
  stats: {},
  search: { query: 'disk' },
  show: { id: 1 },
  incident: { id: 1 },
  similar: { text: 'disk full' },
  playbook: { text: 'disk full' },
  patterns: {},
  experts: { text: 'disk full' },
  previewImport: { paths: [docs] },
  startImport: { paths: [docs] },
  cancelImport: { importId: 1 },
  importSample: {},
  sourceOf: { id: 1 },
  startReindex: {},
  cancelReindex: {},
  pauseReindex: {},
  resumeReindex: {},
  modelStatus: {},
  installModel: { folder: join(dir, 'no-such-model') },
  browse: {},
  listImports: {},
  importIssues: { importId: 1 },
  deleteImport: { importId: 1 },
  reimport: { importId: 1 },
  useDatabase: { path: join(dir, 'elsewhere.db') },
};

/** The methods by the access the contract declares for them, as the tests below exercise them. */
const NONE = ['appInfo', 'previewImport', 'cancelImport', 'cancelReindex', 'pauseReindex', 'resumeReindex', 'modelStatus', 'installModel', 'useDatabase'] as const;
const READ = ['stats', 'search', 'show', 'incident', 'similar', 'playbook', 'patterns', 'experts', 'sourceOf', 'browse', 'listImports', 'importIssues'] as const;
// deleteImport and reimport are tested with imports to act on (import-history.spec.ts).
const WRITE = ['startImport', 'startReindex', 'importSample', 'deleteImport', 'reimport'] as const;

describe('database access per method, on a machine without a database', () => {
  it('every method declares none, read or write, as this file tests it', () => {
    const declared = (level: string) => Object.entries(API_ACCESS).filter(([, a]) => a === level).map(([m]) => m).sort();
    expect(declared('none')).toEqual([...NONE].sort());
    expect(declared('read')).toEqual([...READ].sort());
    expect(declared('write')).toEqual([...WRITE].sort());
    expect(Object.keys(API_ACCESS).sort()).toEqual(Object.keys(INPUTS).sort());
  });

  it.each(NONE.filter((m) => m !== 'installModel' && m !== 'useDatabase'))('%s works without one and creates none', async (method) => {
    const { dbPath, service } = await fresh(`none-${method}`);
    const r = await service.call(method, INPUTS[method]);
    expect(r).toMatchObject({ ok: true });
    expect(existsSync(dbPath)).toBe(false);
    await service.close();
  });

  it('installModel refuses a folder that is not a model without creating a database', async () => {
    const { dbPath, service } = await fresh('none-installModel');
    expect(await service.call('installModel', INPUTS.installModel)).toMatchObject({ ok: false, error: { code: 'model-failed', message: expect.stringContaining(join(dir, 'no-such-model')) } });
    expect(existsSync(dbPath)).toBe(false);
    await service.close();
  });

  it.each(READ)('%s refuses with not-found and creates none', async (method) => {
    const { dbPath, service } = await fresh(`read-${method}`);
    const r = await service.call(method, INPUTS[method]);
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringContaining(dbPath) } });
    expect(existsSync(dbPath)).toBe(false);
    await service.close();
  });

  it('startImport creates the database and imports', async () => {
    const { dbPath, service } = await fresh('write-startImport');
    expect(await service.call('startImport', INPUTS.startImport)).toMatchObject({ ok: true, value: { importId: 1 } });
    expect(existsSync(dbPath)).toBe(true);
    await service.close();
  });

  it('startReindex creates the database, then says there is no model to embed with', async () => {
    const { dbPath, service } = await fresh('write-startReindex');
    expect(await service.call('startReindex', {})).toMatchObject({ ok: false, error: { code: 'no-model', hint: expect.stringMatching(/Install a model/) } });
    expect(existsSync(dbPath)).toBe(true);
    await service.close();
  });

  it('importSample without --demo says so, and creates nothing', async () => {
    const { dbPath, service } = await fresh('write-importSample');
    expect(await service.call('importSample', {})).toMatchObject({ ok: false, error: { code: 'not-found', reason: 'no-sample', message: expect.stringMatching(/--demo/) } });
    expect(existsSync(dbPath)).toBe(false);
    await service.close();
  });
});

describe('job methods about jobs that are not there', () => {
  it('cancelImport and cancelReindex answer false for nothing to cancel', async () => {
    const { service } = await fresh('jobs');
    expect(await service.call('cancelImport', { importId: 99 })).toEqual({ ok: true, value: { cancelled: false } });
    expect(await service.call('cancelReindex', {})).toEqual({ ok: true, value: { cancelled: false } });
    await service.close();
  });

  it('a finished import can no longer be cancelled', async () => {
    const events: string[] = [];
    const dbPath = join(dir, 'finished', 'h.db');
    let resolveDone: () => void = () => {};
    const ended = new Promise<void>((r) => (resolveDone = r));
    const service = await EngineService.open({ dbPath, shell: 'browser', version: 't', models: NO_MODEL }, (event) => {
      events.push(event);
      if (event === 'importDone') resolveDone();
    });
    const started = (await service.call('startImport', { paths: [docs] })) as { ok: true; value: { importId: number } };
    await ended;
    expect(await service.call('cancelImport', { importId: started.value.importId })).toEqual({ ok: true, value: { cancelled: false } });
    expect(service.activeImports).toEqual([]);
    await service.close();
  });

  it('refuses calls once closing, with a plain reason', async () => {
    const { service } = await fresh('closing');
    await service.close();
    expect(await service.call('appInfo', {})).toEqual({ ok: false, error: { code: 'engine-unavailable', message: 'Hindsight is shutting down.' } });
  });
});
