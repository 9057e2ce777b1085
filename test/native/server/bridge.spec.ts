import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeRelativePath, startBridge, type Bridge } from '../../../native/server/http-server.js';
import { EngineService } from '../../../native/service/engine-service.js';
import { tempDir } from '../../support/temp.js';
import { NO_MODEL } from '../../support/generated-models.js';

const dir = tempDir();

describe('upload paths', () => {
  it.each([
    ['report.md', 'report.md'],
    ['export/general/2024-01-01.json', join('export', 'general', '2024-01-01.json')],
    ['../etc/passwd', null],
    ['/etc/passwd', null],
    ['C:\\Windows\\x', null],
    ['a/../../b', null],
    // Hidden files are kept: the import lists them as skipped rather than refusing the whole drop.
    ['.hidden/x', join('.hidden', 'x')],
    ['', null],
    ['a\0b', null],
  ])('%s → %s', (input, out) => expect(safeRelativePath(input)).toBe(out));
});

describe('engine service and HTTP bridge', () => {
  let service: EngineService;
  let bridge: Bridge;
  const events: string[] = [];
  beforeAll(async () => {
    const stat = join(dir, 'static');
    mkdirSync(stat);
    writeFileSync(join(stat, 'index.html'), '<!doctype html><title>t</title>');
    service = await EngineService.open({ dbPath: join(dir, 'b.db'), shell: 'browser', version: '1.2.3', models: NO_MODEL, eager: true }, (e) => events.push(e));
    bridge = await startBridge({ service, staticDir: stat, uploadDir: join(dir, 'uploads'), port: 0 });
  });
  afterAll(async () => {
    await bridge.close();
    await service.close();
  });

  it('answers unknown methods and bad input with error envelopes, never a stack', async () => {
    expect(await service.call('dropTables', {})).toMatchObject({ ok: false, error: { code: 'invalid-input', reason: 'unknown-method' } });
    expect(await service.call('__proto__', {})).toMatchObject({ ok: false, error: { code: 'invalid-input', reason: 'unknown-method' } });
    const bad = await service.call('search', { query: 7 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(JSON.stringify(bad)).not.toMatch(/at .*\.ts:\d+/);
    expect(await service.call('appInfo', {})).toMatchObject({ ok: true, value: { version: '1.2.3', shell: 'browser', demo: false } });
    expect(await service.call('importSample', {})).toMatchObject({ ok: false, error: { code: 'not-found', reason: 'no-sample' } });
  });

  it('serves the page and the API only under its token, on 127.0.0.1', async () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}\/$/);
    const page = await fetch(bridge.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const origin = new URL(bridge.url).origin;
    expect((await fetch(`${origin}/`)).status).toBe(404);
    // A token one character off (never equal to the real one, whatever its last character).
    const wrongLast = bridge.token.endsWith('x') ? 'y' : 'x';
    expect((await fetch(`${origin}/${bridge.token.slice(0, -1)}${wrongLast}/`)).status).toBe(404);
    expect((await fetch(`${bridge.url}../../etc/passwd`)).status).toBe(404);
    const stats = await (await fetch(`${bridge.url}api/stats`, { method: 'POST', body: '{}' })).json();
    expect(stats).toMatchObject({ ok: true, value: { documents: 0 } });
  });

  it('refuses other Host headers (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const u = new URL(bridge.url);
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: u.port, path: u.pathname, headers: { host: `evil.example:${u.port}` } }, (res) => resolve(res.statusCode!));
      req.end();
    });
    expect(status).toBe(404);
  });

  it('imports uploaded files, with progress events (the browser test covers their SSE transport)', async () => {
    const up = (await (await fetch(`${bridge.url}api/upload?batch=batch01&path=${encodeURIComponent('pm/outage.md')}`, { method: 'POST', body: '# Redis outage\n\n## Root cause\n\nmaxmemory reached, keys evicted.' })).json()) as { ok: boolean; value: { path: string } };
    expect(up.ok).toBe(true);
    expect(readFileSync(join(up.value.path, 'pm', 'outage.md'), 'utf8')).toContain('Redis outage');
    const evil = await fetch(`${bridge.url}api/upload?batch=batch01&path=${encodeURIComponent('../../escape.md')}`, { method: 'POST', body: 'x' });
    expect(evil.status).toBe(400);
    const started = await (await fetch(`${bridge.url}api/startImport`, { method: 'POST', body: JSON.stringify({ paths: [up.value.path] }) })).json();
    expect(started).toMatchObject({ ok: true, value: { importId: expect.any(Number) } });
    for (let i = 0; i < 100 && !events.includes('importDone'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(events).toContain('importProgress');
    expect(events).toContain('importDone');
    const found = (await (await fetch(`${bridge.url}api/search`, { method: 'POST', body: JSON.stringify({ query: 'maxmemory evicted' }) })).json()) as { value: { hits: Array<{ title: string }> } };
    expect(found.value.hits[0]?.title).toBe('Redis outage');
  });
});
