import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../../native/server/http-server.js';
import { EngineService } from '../../../native/service/engine-service.js';
import { ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

describe('installing a model folder dropped into browser mode', () => {
  let service: EngineService;
  let bridge: Bridge;
  const uploads = join(dir, 'uploads');
  const models = join(dir, 'models');
  const progress: string[] = [];

  beforeAll(async () => {
    const stat = join(dir, 'static');
    mkdirSync(stat);
    writeFileSync(join(stat, 'index.html'), '<!doctype html><title>t</title>');
    service = await EngineService.open(
      { dbPath: join(dir, 'm.db'), shell: 'browser', version: '1.0.0', models: { roots: [models], preferred: 'gte-small', allowUnverified: true }, modelsDir: models, uploadDir: uploads, eager: true },
      (e, p) => e === 'modelProgress' && progress.push((p as { phase: string }).phase),
    );
    bridge = await startBridge({ service, staticDir: stat, uploadDir: uploads, port: 0 });
  });
  afterAll(async () => {
    await bridge.close();
    await service.close();
  });

  const post = async (method: string, body: unknown) => (await fetch(`${bridge.url}api/${method}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;

  it('uploads the folder, installs it into the model folder, removes the upload, and the engine uses it', async () => {
    const source = ensureTinyModel(join(dir, 'downloaded'));
    let batchPath = '';
    for (const rel of filesUnder(source)) {
      const up = (await (await fetch(`${bridge.url}api/upload?batch=modelbatch1&path=${encodeURIComponent(rel)}`, { method: 'POST', body: readFileSync(join(source, rel)) })).json()) as { value: { path: string } };
      batchPath = up.value.path;
    }
    expect(existsSync(join(batchPath, 'gte-small', 'onnx', 'model.onnx'))).toBe(true);
    // Without consent to unverified weights, a folder that matches no pin is refused, and nothing is installed.
    const refused = await post('installModel', { folder: join(batchPath, 'gte-small') });
    expect(refused).toMatchObject({ ok: false, error: { code: 'model-failed' } });
    expect(existsSync(join(models, 'gte-small'))).toBe(false);
    // The refused upload is gone too: the page uploads again when the user agrees.
    expect(existsSync(batchPath)).toBe(false);
    for (const rel of filesUnder(source)) {
      await fetch(`${bridge.url}api/upload?batch=modelbatch2&path=${encodeURIComponent(rel)}`, { method: 'POST', body: readFileSync(join(source, rel)) });
    }
    const second = join(uploads, 'modelbatch2');
    const installed = await post('installModel', { folder: join(second, 'gte-small'), allowUnverified: true });
    expect(installed).toMatchObject({ ok: true, value: { name: 'gte-small', verified: false, path: join(models, 'gte-small') } });
    expect(existsSync(join(models, 'gte-small', 'onnx', 'model.onnx'))).toBe(true);
    expect(existsSync(second)).toBe(false);
    expect(progress).toContain('done');
    const status = await post('modelStatus', {});
    expect(status).toMatchObject({ ok: true, value: { state: { state: 'ready', name: 'gte-small', verified: false } } });
    const stats = (await post('stats', {})) as { value: { model: { state: string } } };
    expect(stats.value.model.state).toBe('ready');
    // The engine opened again for the new model writes as the server's did: in WAL, so that a
    // reader never holds its imports up.
    const look = new Database(join(dir, 'm.db'), { readonly: true });
    try {
      expect(look.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      look.close();
    }
  });
});
