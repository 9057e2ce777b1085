import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../../native/common/hash.js';
import { fetchModel, importModelDir } from '../../../native/embed/model-install.js';
import { modelSpec, type ModelSpec } from '../../../native/embed/model-registry.js';
import { ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const source = ensureTinyModel(join(dir, 'source'));
const gte = modelSpec('gte-small')!;

/** A local stand-in for the model host (127.0.0.1 only), serving the generated model's files. */
let server: Server;
let host = '';
const requests: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const m = /^\/Supabase\/gte-small\/resolve\/main\/(.+)$/.exec(req.url ?? '');
    const file = m && join(source, 'gte-small', m[1]!.replace('model_quantized', 'model'));
    if (!file || !existsSync(file)) return void res.writeHead(404).end();
    const body = readFileSync(file);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

describe('model fetch', () => {
  it('refuses weights that do not match the pins and installs nothing', async () => {
    const root = join(dir, 'fetch-refused');
    await expect(fetchModel(gte, root, { host })).rejects.toThrow(/sha256 .* expected 34440558/);
    expect(existsSync(join(root, 'gte-small'))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    expect(requests.some((u) => u.endsWith('onnx/model_quantized.onnx'))).toBe(true);
  });

  it('installs and reports progress when the files match their pins', async () => {
    const weights = readFileSync(join(source, 'gte-small', 'onnx', 'model.onnx'));
    const pinned: ModelSpec = { ...gte, weights: [{ ...gte.weights[0]!, sha256: sha256(weights), bytes: weights.length }] };
    const root = join(dir, 'fetch-ok');
    const seen = new Set<string>();
    const path = await fetchModel(pinned, root, { host, onProgress: (p) => seen.add(p.file) });
    expect(path).toBe(join(root, 'gte-small'));
    expect(readFileSync(join(path, 'onnx', 'model_quantized.onnx')).equals(weights)).toBe(true);
    expect(seen).toContain('onnx/model_quantized.onnx');
  });

  it('reports a missing file on the host plainly', async () => {
    const broken: ModelSpec = { ...gte, files: [...gte.files, 'missing.json'] };
    await expect(fetchModel(broken, join(dir, 'fetch-404'), { host })).rejects.toThrow(/HTTP 404/);
  });
});

describe('model import', () => {
  it('refuses an unknown model folder unless unverified weights are allowed', async () => {
    await expect(importModelDir(join(source, 'gte-small'), join(dir, 'import-refused'))).rejects.toThrow(/match none of the known models/);
    const r = await importModelDir(join(source, 'gte-small'), join(dir, 'import-ok'), true);
    expect(r).toMatchObject({ verified: false, path: join(dir, 'import-ok', 'gte-small') });
    expect(existsSync(join(r.path, 'onnx', 'model.onnx'))).toBe(true);
  });

  it('refuses a folder that is not a model', async () => {
    await expect(importModelDir(dir, join(dir, 'x'))).rejects.toThrow(/not a model folder/);
  });
});
