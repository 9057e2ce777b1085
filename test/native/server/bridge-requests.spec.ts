/**
 * The HTTP bridge's answers to ordinary and odd requests: the page and its assets (types,
 * headers, paths that climb out), which hosts and origins it talks to, which methods, and the
 * event stream's life (a page that leaves, a bridge that closes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexProgress } from '../../../native/contract.js';
import { CONTENT_SECURITY_POLICY, safeRelativePath, startBridge, type Bridge } from '../../../native/server/http-server.js';
import { EngineService } from '../../../native/service/engine-service.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const staticDir = join(dir, 'static');
let service: EngineService;
let bridge: Bridge;
let port: string;

beforeAll(async () => {
  mkdirSync(join(staticDir, 'assets', 'sub'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Hindsight</title>');
  for (const [name, body] of [
    ['app.js', 'console.log(1)'],
    ['app.css', 'body{}'],
    ['logo.svg', '<svg/>'],
    ['logo.png', 'png'],
    ['favicon.ico', 'ico'],
    ['font.woff2', 'woff2'],
    ['manifest.json', '{}'],
    ['data.bin', 'bin'],
  ]) {
    writeFileSync(join(staticDir, 'assets', name!), body!);
  }
  writeFileSync(join(dir, 'secret.txt'), 'not for the page');
  service = await EngineService.open({ dbPath: join(dir, 'r.db'), shell: 'browser', version: 't', models: NO_MODEL, eager: true }, () => {});
  bridge = await startBridge({ service, staticDir, uploadDir: join(dir, 'uploads'), port: 0, token: 'fixed-token-for-tests-0123456789ab' });
  port = new URL(bridge.url).port;
});
afterAll(async () => {
  await bridge.close();
  await service.close();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with any method, path and headers (fetch would not send a foreign Host). */
function raw(path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const prefix = '/fixed-token-for-tests-0123456789ab/';

describe('the page and its assets', () => {
  it('uses the token it was given', () => {
    expect(bridge.token).toBe('fixed-token-for-tests-0123456789ab');
    expect(bridge.url).toBe(`http://127.0.0.1:${port}${prefix}`);
  });

  it('serves index.html at the root of its token, with the security headers', async () => {
    const r = await raw(prefix);
    expect(r.status).toBe(200);
    expect(r.body).toBe('<!doctype html><title>Hindsight</title>');
    expect(r.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(CONTENT_SECURITY_POLICY).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  });

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'],
    ['logo.svg', 'image/svg+xml'],
    ['logo.png', 'image/png'],
    ['favicon.ico', 'image/x-icon'],
    ['font.woff2', 'font/woff2'],
    ['manifest.json', 'application/json'],
    ['data.bin', 'application/octet-stream'],
  ])('serves assets/%s as %s', async (name, type) => {
    const r = await raw(`${prefix}assets/${name}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each([
    ['a missing file', 'assets/none.js'],
    ['a folder', 'assets/sub'],
    ['a file beside the static folder', '../secret.txt'],
    ['an encoded climb', '%2e%2e/secret.txt'],
    ['a climb through a folder', 'assets/../../secret.txt'],
  ])('answers 404 for %s', async (_, path) => {
    const r = await raw(`${prefix}${path}`);
    expect(r.status).toBe(404);
    expect(r.body).toBe('Not found');
    expect(r.body).not.toContain('not for the page');
  });

  it('answers 404, with nothing of the page, without the exact token', async () => {
    for (const path of ['/', '/index.html', `/fixed-token-for-tests-0123456789a/`, `/fixed-token-for-tests-0123456789abc/`, `/FIXED-TOKEN-FOR-TESTS-0123456789AB/`]) {
      const r = await raw(path);
      expect(r.status).toBe(404);
      expect(r.body).toBe('Not found');
    }
  });
});

describe('hosts, origins and methods', () => {
  it('talks to its own host names only', async () => {
    expect((await raw(prefix, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect((await raw(prefix, { headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
    for (const host of [`evil.example:${port}`, '127.0.0.1', `127.0.0.1:${Number(port) + 1}`, `localhost.evil:${port}`]) {
      expect((await raw(prefix, { headers: { host } })).status).toBe(404);
    }
  });

  it('answers API calls from its own page (or no page), and refuses other origins', async () => {
    const call = (origin?: string) => raw(`${prefix}api/stats`, { method: 'POST', body: '{}', headers: origin ? { origin } : {} });
    for (const ok of [undefined, `http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const r = await call(ok);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ ok: true });
      expect(r.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    }
    for (const bad of ['https://evil.example', `http://127.0.0.1:${Number(port) + 1}`, `https://127.0.0.1:${port}`, 'null']) {
      const r = await call(bad);
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'forbidden', message: 'Cross-origin request refused.' } });
    }
    // The event stream too.
    expect((await raw(`${prefix}api/events`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('takes calls by POST only', async () => {
    const r = await raw(`${prefix}api/stats`);
    expect(r.status).toBe(405);
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'invalid-input', message: 'Use POST.' } });
    expect((await raw(`${prefix}api/upload?batch=abcdef&path=a.md`)).status).toBe(405);
    // Events are a GET stream: a POST to it is just a call of a method that does not exist.
    expect(JSON.parse((await raw(`${prefix}api/events`, { method: 'POST', body: '{}' })).body)).toMatchObject({ ok: false, error: { reason: 'unknown-method' } });
  });

  it('reads an empty body as no input', async () => {
    const r = await raw(`${prefix}api/appInfo`, { method: 'POST' });
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { shell: 'browser' } });
  });

  it('answers unknown methods with an error envelope', async () => {
    const r = await raw(`${prefix}api/dropTables`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid-input', reason: 'unknown-method' } });
  });

  it('refuses an upload whose name the disk cannot hold with a 400 that says so, and goes on', async () => {
    const long = 'n'.repeat(300);
    for (const path of [`${long}.md`, `${long}/a.md`]) {
      const r = await raw(`${prefix}api/upload?batch=longnm&path=${encodeURIComponent(path)}`, { method: 'POST', body: 'x'.repeat(100_000) });
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'invalid-input', message: `Refused upload "${path.slice(0, 200)}": it cannot be saved (ENAMETOOLONG).` } });
    }
    expect((await raw(`${prefix}api/stats`, { method: 'POST', body: '{}' })).status).toBe(200);
  });

  it('refuses an upload without a batch or a path', async () => {
    for (const q of ['path=a.md', 'batch=abcdef', '']) {
      const r = await raw(`${prefix}api/upload?${q}`, { method: 'POST', body: 'x' });
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/^Refused upload path/) } });
    }
    expect((await raw(`${prefix}api/upload?batch=${'a'.repeat(6)}&path=ok.md`, { method: 'POST', body: 'x' })).status).toBe(200);
    expect((await raw(`${prefix}api/upload?batch=${'b'.repeat(64)}&path=ok.md`, { method: 'POST', body: 'x' })).status).toBe(200);
  });
});

describe('import inputs of the wrong shape', () => {
  // The bridge checks the paths an import names before the call; input that is not a list of
  // paths is left to the contract, which answers with its sentence (never a 500, never a 403).
  it.each([
    ['no input at all (null)', 'null', /^Invalid input|must be an object|is required/],
    ['paths that are one string, not a list', '{"paths":"/etc"}', /^paths must be a list \(got "\/etc"\)\.$/],
  ])('startImport with %s gets the contract\'s refusal', async (_, body, message) => {
    for (const method of ['startImport', 'previewImport']) {
      const r = await raw(`${prefix}api/${method}`, { method: 'POST', body });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(message) } });
    }
  });

  it('a path that is not text is refused as any path that is not an upload (403), not a failure inside', async () => {
    const r = await raw(`${prefix}api/startImport`, { method: 'POST', body: '{"paths":[7]}' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('only the import methods have their paths checked: others refuse paths as an unknown option', async () => {
    const r = await raw(`${prefix}api/stats`, { method: 'POST', body: '{"paths":["/etc"]}' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid-input', message: 'paths is not an option here.' } });
  });

  it('a refused upload names at most 200 characters of what it was given', async () => {
    const name = `../${'x'.repeat(600)}.md`;
    const r = await raw(`${prefix}api/upload?batch=abcdef&path=${encodeURIComponent(name)}`, { method: 'POST', body: 'x' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'invalid-input', message: `Refused upload path "${name.slice(0, 200)}".` } });
  });
});

describe('upload paths', () => {
  it.each([
    ['a//b.md', join('a', 'b.md')],
    ['a\\b\\c.md', join('a', 'b', 'c.md')],
    ['./a.md', null],
    ['a/./b.md', null],
    ['\\\\server\\share\\x.md', null],
    ['d:relative.md', null],
    ['//', null],
    ['a'.repeat(1024), 'a'.repeat(1024)],
    ['a'.repeat(1025), null],
  ])('%s → %s', (input, out) => expect(safeRelativePath(input)).toBe(out));
});

describe('the event stream', () => {
  const progress = (done: number): IndexProgress => ({ phase: 'embedding', done, total: 10, rate: 0, etaSeconds: null });

  it('says it is connected, and holds events again once the last page has gone', async () => {
    const ac = new AbortController();
    const res = await fetch(`${bridge.url}api/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(': connected\n\n');
    ac.abort();
    await new Promise((r) => setTimeout(r, 200));
    // No page now: this one is held for the next.
    bridge.broadcast('indexProgress', progress(42));
    const next = await fetch(`${bridge.url}api/events`);
    const r2 = next.body!.getReader();
    let text = '';
    while (!text.includes('"done":42')) text += new TextDecoder().decode((await r2.read()).value);
    expect(text).toBe(`: connected\n\nevent: indexProgress\ndata: ${JSON.stringify(progress(42))}\n\n`);
    await r2.cancel();
  });

  it('ends the pages\' streams when the bridge closes', async () => {
    const other = await startBridge({ service, staticDir, uploadDir: join(dir, 'uploads-2'), port: 0 });
    const res = await fetch(`${other.url}api/events`);
    const reader = res.body!.getReader();
    await reader.read();
    await other.close();
    let ended = false;
    for (let i = 0; i < 5 && !ended; i++) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  });
});

