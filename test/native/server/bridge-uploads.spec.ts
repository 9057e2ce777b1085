/**
 * The HTTP bridge against clients that misbehave: bodies over the limits (with and without a
 * content-length), uploads that collide or stop half-way, imports naming files that were never
 * dropped, and the clean-up of uploads. Each test asserts what a client or the disk observes.
 */
import type * as Fs from 'node:fs';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiEvents, Envelope, ImportSummary, IndexProgress } from '../../../native/contract.js';
import { startBridge, type Bridge } from '../../../native/server/http-server.js';
import { EngineService } from '../../../native/service/engine-service.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { buildPdf } from '../../support/pdf-writer.js';
import { tempDir } from '../../support/temp.js';

/** Folders whose removal fails as a folder in use does on Windows (EBUSY). */
const busyFolders = vi.hoisted(() => new Set<string>());
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  const rmdirSync: typeof Fs.rmdirSync = (path, ...rest) => {
    if ([...busyFolders].some((b) => String(path).endsWith(b))) throw Object.assign(new Error(`EBUSY: resource busy or locked, rmdir '${String(path)}'`), { code: 'EBUSY' });
    return fs.rmdirSync(path, ...rest);
  };
  return { ...fs, default: { ...fs, rmdirSync }, rmdirSync };
});

const dir = tempDir();
// Whole megabytes, so that the messages read as they do with the real limits.
const MiB = 1024 * 1024;
const LIMITS = { jsonBytes: MiB, uploadBytes: MiB };

interface Reply {
  status: number;
  body: string;
  /** Set when the server cut the connection while the client was still sending. */
  cut?: string;
  /** Whether the request went over a connection kept alive from an earlier one. */
  reused: boolean;
}

/**
 * A raw request: the body is written in `chunks` (no content-length unless `headers` give one, so
 * Node sends it chunked). Resolves with what the client read, noting whether the connection was
 * cut under the client's writes; rejects when there was no answer at all.
 */
function send(url: string, o: { method?: string; chunks?: Buffer[]; headers?: Record<string, string>; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    let cut: string | undefined;
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: o.method ?? 'POST', headers: o.headers, agent: o.agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts).toString('utf8'), reused: req.reusedSocket, ...(cut ? { cut } : {}) }));
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      cut = err.code ?? err.message;
      reject(err);
    });
    const chunks = o.chunks ?? [];
    // Written one after the other with a pause, as a browser streams a file.
    const next = (i: number) => {
      if (cut) return;
      if (i >= chunks.length) return void req.end();
      req.write(chunks[i], (err) => {
        if (err) cut = (err as NodeJS.ErrnoException).code ?? err.message;
        else setImmediate(() => next(i + 1));
      });
    };
    next(0);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Every file under a folder, relative to it ([] when the folder does not exist). */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

/** A bridge wired like `hindsight serve`: the service's events go to the bridge. */
async function open(name: string, o: { limits?: Partial<typeof LIMITS & { heldEvents: number; drainBytes: number }> } = {}) {
  const root = join(dir, name);
  const staticDir = join(root, 'static');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  const uploadDir = join(root, 'uploads');
  const done: Array<ApiEvents['importDone']> = [];
  let bridge: Bridge | null = null;
  const service = await EngineService.open({ dbPath: join(root, 'h.db'), shell: 'browser', version: 't', models: NO_MODEL, uploadDir, eager: true }, (event, payload) => {
    if (event === 'importDone') done.push(payload as ApiEvents['importDone']);
    bridge?.broadcast(event, payload);
  });
  bridge = await startBridge({ service, staticDir, uploadDir, port: 0, limits: { ...LIMITS, ...o.limits } });
  const b = bridge;
  return {
    bridge: b,
    service,
    uploadDir,
    done,
    api: (method: string, body: unknown) => send(`${b.url}api/${method}`, { chunks: [Buffer.from(JSON.stringify(body))], headers: { 'content-type': 'application/json' } }),
    upload: (batch: string, path: string, data: Buffer | string, headers?: Record<string, string>) =>
      send(`${b.url}api/upload?batch=${batch}&path=${encodeURIComponent(path)}`, { chunks: [Buffer.from(data)], headers }),
    async importAndWait(paths: string[]): Promise<ImportSummary> {
      const r = await this.api('startImport', { paths });
      const env = JSON.parse(r.body) as Envelope<{ importId: number }>;
      if (!env.ok) throw new Error(`startImport refused: ${r.body}`);
      await until('importDone', () => done.some((d) => d.importId === env.value.importId));
      return done.find((d) => d.importId === env.value.importId)!.summary!;
    },
    async close() {
      await b.close();
      await service.close();
    },
  };
}

describe('HTTP bridge: limits and hostile uploads', () => {
  let h: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    h = await open('limits');
  });
  afterAll(() => h.close());

  it('answers a chunked upload over the limit with a 413 the client reads, keeps no file, and the connection goes on', async () => {
    // One kept-alive connection, as a browser uses for its calls to one origin.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await send(`${h.bridge.url}api/stats`, { chunks: [Buffer.from('{}')], agent })).status).toBe(200);
      // 64 × 64 KB = 4 MB against a 1 MB limit, with no content-length to check up front.
      const chunks = Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 0x61));
      const r = await send(`${h.bridge.url}api/upload?batch=big001&path=${encodeURIComponent('dump/huge.md')}`, { chunks, agent });
      expect(r).toMatchObject({ status: 413 });
      expect(r.cut).toBeUndefined();
      expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'refused-input', message: 'dump/huge.md is larger than 1 MB: import it with `hindsight import` instead.' } });
      expect(filesUnder(h.uploadDir)).toEqual([]);
      // The next call on the same connection is answered (a reset connection would fail it).
      const next = await send(`${h.bridge.url}api/stats`, { chunks: [Buffer.from('{}')], agent });
      expect(next).toMatchObject({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('answers an upload whose content-length is over the limit with a 413 before reading it', async () => {
    const body = Buffer.alloc(LIMITS.uploadBytes + 1, 0x61);
    const r = await h.upload('big002', 'declared.md', body, { 'content-length': String(body.length) });
    expect(r).toMatchObject({ status: 413 });
    expect(r.cut).toBeUndefined();
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'refused-input', message: 'declared.md is larger than 1 MB: import it with `hindsight import` instead.' } });
    expect(existsSync(join(h.uploadDir, 'big002', 'declared.md'))).toBe(false);
  });

  it('accepts an upload of exactly the limit, declared or not, and answers with its batch folder', async () => {
    const r = await h.upload('edge01', 'exact.md', Buffer.alloc(LIMITS.uploadBytes, 0x61));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, value: { path: join(h.uploadDir, 'edge01') } });
    expect(statSync(join(h.uploadDir, 'edge01', 'exact.md')).size).toBe(LIMITS.uploadBytes);
    const declared = await h.upload('edge02', 'exact.md', Buffer.alloc(LIMITS.uploadBytes, 0x61), { 'content-length': String(LIMITS.uploadBytes) });
    expect(declared.status).toBe(200);
    expect(statSync(join(h.uploadDir, 'edge02', 'exact.md')).size).toBe(LIMITS.uploadBytes);
  });

  it('answers a JSON body over the limit with a 413, with or without a content-length', async () => {
    const big = Buffer.from(JSON.stringify({ query: 'x'.repeat(2 * MiB) }));
    const pieces = Array.from({ length: 33 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536));
    const declared = await send(`${h.bridge.url}api/search`, { chunks: [big], headers: { 'content-length': String(big.length) } });
    expect(declared).toMatchObject({ status: 413 });
    expect(declared.cut).toBeUndefined();
    expect(JSON.parse(declared.body)).toEqual({ ok: false, error: { code: 'refused-input', message: 'The request is larger than 1 MB.' } });
    const chunked = await send(`${h.bridge.url}api/search`, { chunks: pieces });
    expect(chunked).toMatchObject({ status: 413 });
    expect(chunked.cut).toBeUndefined();
    // Just under the limit is an ordinary call (refused by the contract, not by the bridge).
    const small = await h.api('search', { query: 'x'.repeat(LIMITS.jsonBytes - 100) });
    expect(small.status).toBe(200);
    expect(JSON.parse(small.body)).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/^query must be at most 10000 characters long/) } });
  });

  it('refuses a body that is not JSON with a 400 and a plain message', async () => {
    const r = await send(`${h.bridge.url}api/stats`, { chunks: [Buffer.from('{not json')] });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'invalid-input', message: 'The request body is not JSON.' } });
  });

  it.each([
    ['a file, then a folder of the same name', ['a', 'a/b.md']],
    ['a folder, then a file of the same name', ['c/d.md', 'c']],
    ['the same file twice', ['e.md', 'e.md']],
  ])('refuses %s in one drop with a 400 naming the dropped path, never the upload folder', async (_, [first, second]) => {
    const batch = `coll${first!.charCodeAt(0)}x`;
    expect((await h.upload(batch, first!, '# first\n')).status).toBe(200);
    const r = await h.upload(batch, second!, '# second\n');
    expect(r.status).toBe(400);
    const env = JSON.parse(r.body) as Envelope<never>;
    expect(env).toMatchObject({ ok: false, error: { code: 'invalid-input', message: `Refused upload "${second}": a file and a folder of the same name (or the same file twice) in one drop.` } });
    expect(r.body).not.toContain(h.uploadDir);
    // The first file is untouched.
    expect(filesUnder(join(h.uploadDir, batch))).toEqual([first!.split('/').join('/')]);
  });

  it.each(['../../escape.md', '/etc/passwd', 'a/../../b.md', 'C:\\x.md'])('refuses the upload path %s with a 400', async (path) => {
    const r = await h.upload('paths1', path, 'x');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/^Refused upload path/) } });
  });

  it.each(['short', 'has/slash', '../up000', 'x'.repeat(65)])('refuses the batch id %s', async (batch) => {
    const r = await send(`${h.bridge.url}api/upload?batch=${encodeURIComponent(batch)}&path=a.md`, { chunks: [Buffer.from('x')] });
    expect(r.status).toBe(400);
    expect(filesUnder(h.uploadDir).some((f) => f.endsWith('a.md'))).toBe(false);
  });

  it('leaves no folder of a drop whose files were all refused, and such a batch cannot be imported', async () => {
    const over = Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 0x61)); // 1.25 MiB, no content-length
    expect((await h.upload('empty1', 'deep/down/huge.md', Buffer.concat(over))).status).toBe(413);
    expect(existsSync(join(h.uploadDir, 'empty1'))).toBe(false);
    const r = await h.api('startImport', { paths: [join(h.uploadDir, 'empty1')] });
    expect(r.status).toBe(403);
    // A refused file beside a kept one: only the refused file's own (now empty) folders go.
    expect((await h.upload('empty2', 'ok.md', '# Kept\n')).status).toBe(200);
    expect((await h.upload('empty2', 'sub/dir/huge.md', Buffer.concat(over))).status).toBe(413);
    expect(readdirSync(join(h.uploadDir, 'empty2'))).toEqual(['ok.md']);
    // A name the disk cannot hold is refused after its folders were made: they go too.
    expect((await h.upload('empty3', `a/${'n'.repeat(300)}.md`, '# x\n')).status).toBe(400);
    expect(existsSync(join(h.uploadDir, 'empty3'))).toBe(false);
  });

  it('still answers a refused upload whose empty folder cannot be removed (in use), and keeps serving', async () => {
    busyFolders.add('busy01');
    try {
      const over = Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 0x61));
      const r = await h.upload('busy01', 'huge.md', Buffer.concat(over));
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'refused-input' } });
      expect(filesUnder(join(h.uploadDir, 'busy01'))).toEqual([]);
      expect((await h.upload('busy02', 'ok.md', '# Kept\n')).status).toBe(200);
    } finally {
      busyFolders.clear();
    }
  });

  it('deletes a drop the page gives up (DELETE), not one still being imported, and such a batch cannot be imported', async () => {
    const del = (batch: string) => send(`${h.bridge.url}api/upload?batch=${encodeURIComponent(batch)}`, { method: 'DELETE' });
    expect((await h.upload('given01', 'a.md', '# A\n')).status).toBe(200);
    expect((await h.upload('given01', 'sub/b.md', '# B\n')).status).toBe(200);
    const r = await del('given01');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, value: { removed: true } });
    expect(existsSync(join(h.uploadDir, 'given01'))).toBe(false);
    expect((await h.api('startImport', { paths: [join(h.uploadDir, 'given01')] })).status).toBe(403);
    // Unknown (or already gone): nothing to do; not a batch id: refused.
    expect(JSON.parse((await del('never01')).body)).toEqual({ ok: true, value: { removed: false } });
    expect((await del('../x')).status).toBe(400);
    // A drop being imported stays until its import is done.
    expect((await h.upload('kept001', 'c.md', '# C\n\nA disk filled up.\n')).status).toBe(200);
    const started = JSON.parse((await h.api('startImport', { paths: [join(h.uploadDir, 'kept001')] })).body) as Envelope<{ importId: number }>;
    expect(started.ok).toBe(true);
    const busy = await del('kept001');
    expect([busy.status, (JSON.parse(busy.body) as Envelope<never> & { ok: false }).error.code]).toEqual([409, 'busy']);
    await until('its import to be done', () => h.done.some((d) => started.ok && d.importId === started.value.importId));
    await until('its upload to be removed', () => !existsSync(join(h.uploadDir, 'kept001')));
  });

  it('removes the partial file of a client that goes away mid-upload', async () => {
    const dest = join(h.uploadDir, 'gone01', 'half.md');
    const u = new URL(`${h.bridge.url}api/upload?batch=gone01&path=half.md`);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers: { 'content-length': String(LIMITS.uploadBytes) } });
    req.on('error', () => {}); // the reset is ours
    req.write(Buffer.alloc(20 * 1024, 0x61));
    // The server has started writing the file: it exists, with part of the body.
    await until('the partial file', () => existsSync(dest) && statSync(dest).size > 0);
    req.destroy();
    await until('the partial file to be removed', () => !existsSync(dest));
    // It was the batch's only file: the batch folder goes with it.
    await until('the empty batch folder to be removed', () => !existsSync(join(h.uploadDir, 'gone01')));
    // The server is still fine.
    expect((await h.api('stats', {})).status).toBe(200);
  });
});

/**
 * A client that keeps sending a body and never ends it (up to `total` bytes, then it waits).
 * Resolves when the server answers or closes the connection, with how much had been written;
 * rejects when the server is still reading `ms` after the client stopped writing.
 */
function endless(url: string, o: { headers?: Record<string, string>; total: number; ms?: number }): Promise<{ status?: number; body?: string; cut?: string; written: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    let written = 0;
    let over = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (r: { status?: number; body?: string; cut?: string }) => {
      if (over) return;
      over = true;
      clearTimeout(idle);
      req.destroy();
      resolve({ ...r, written });
    };
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers: o.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => finish({ status: res.statusCode!, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', (err: NodeJS.ErrnoException) => finish({ status: res.statusCode!, cut: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ cut: err.code ?? err.message }));
    req.on('close', () => finish({ cut: 'closed' }));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const next = () => {
      if (over) return;
      if (written >= o.total) {
        idle = setTimeout(() => {
          if (over) return;
          over = true;
          req.destroy();
          reject(new Error(`the server was still reading after ${written} bytes`));
        }, o.ms ?? 3_000);
        return;
      }
      written += chunk.length;
      req.write(chunk, (err) => (err ? finish({ cut: (err as NodeJS.ErrnoException).code ?? err.message }) : setImmediate(next)));
    };
    next();
  });
}

describe('HTTP bridge: a refused body is drained only up to a bound', () => {
  // 256 KiB of a refused body are read (so that the client can read the answer); past that the
  // connection is closed. Without a bound, a client could keep the server reading forever.
  const drainBytes = 256 * 1024;
  let h: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    h = await open('drain', { limits: { drainBytes } });
  });
  afterAll(() => h.close());

  // The client would send 16 MiB, far past limit + bound, and waits (never ending the body).
  const total = 16 * MiB;

  it('a chunked upload that never ends: the server stops reading past the limit plus the bound, and keeps no file', async () => {
    const r = await endless(`${h.bridge.url}api/upload?batch=drain1&path=flood.md`, { total });
    expect(r.written).toBeLessThan(total);
    // Either the 413 got through before the close, or the close came first: never a 200, never a hang.
    if (r.status !== undefined) expect(r.status).toBe(413);
    await until('the partial file to be removed', () => !existsSync(join(h.uploadDir, 'drain1', 'flood.md')));
    expect((await h.api('stats', {})).status).toBe(200);
  });

  it('an upload declared over the limit: the server reads at most the bound of it', async () => {
    const r = await endless(`${h.bridge.url}api/upload?batch=drain2&path=declared.md`, { total, headers: { 'content-length': String(64 * MiB) } });
    expect(r.written).toBeLessThan(total);
    if (r.status !== undefined) expect(r.status).toBe(413);
    expect(existsSync(join(h.uploadDir, 'drain2', 'declared.md'))).toBe(false);
  });

  it('a refused upload path: the server reads at most the bound of its body', async () => {
    const r = await endless(`${h.bridge.url}api/upload?batch=drain3&path=${encodeURIComponent('../x.md')}`, { total });
    expect(r.written).toBeLessThan(total);
    if (r.status !== undefined) expect(r.status).toBe(400);
  });

  it('a JSON call over its limit: the server reads at most the limit plus the bound', async () => {
    const r = await endless(`${h.bridge.url}api/search`, { total, headers: { 'content-type': 'application/json' } });
    expect(r.written).toBeLessThan(total);
    if (r.status !== undefined) expect(r.status).toBe(413);
  });

  it('a body just over the limit, within the bound, still gets an answer the client reads', async () => {
    const chunks = Array.from({ length: 18 }, () => Buffer.alloc(64 * 1024, 0x61)); // 1 MiB + 128 KiB
    const r = await send(`${h.bridge.url}api/upload?batch=drain4&path=near.md`, { chunks });
    expect(r).toMatchObject({ status: 413 });
    expect(r.cut).toBeUndefined();
    expect(existsSync(join(h.uploadDir, 'drain4', 'near.md'))).toBe(false);
  });
});

describe('HTTP bridge: imports may name only this run\'s uploads', () => {
  let h: Awaited<ReturnType<typeof open>>;
  let batchDir: string;
  beforeAll(async () => {
    h = await open('doors');
    const r = await h.upload('mine01', 'pm/outage.md', '# Disk full\n\n## Root cause\n\nAudit logs filled the disk.\n');
    batchDir = (JSON.parse(r.body) as Envelope<{ path: string }>).ok ? (JSON.parse(r.body) as { value: { path: string } }).value.path : '';
    expect(batchDir).toBe(join(h.uploadDir, 'mine01'));
    // A folder in the upload area that no upload of this run made (a leftover, or planted).
    mkdirSync(join(h.uploadDir, 'other1'), { recursive: true });
    writeFileSync(join(h.uploadDir, 'other1', 'x.md'), '# planted\n');
  });
  afterAll(() => h.close());

  const refused = { ok: false, error: { code: 'forbidden', message: expect.stringMatching(/only files dropped into the page/) } };

  it.each([
    ['a system file', () => ['/etc/hostname']],
    ['the upload folder itself', () => [h.uploadDir]],
    ['a folder no upload of this run made', () => [join(h.uploadDir, 'other1')]],
    ['a path that climbs out of a batch with ..', () => [`${batchDir}/../../../../etc`]],
    ['a path that climbs from a batch into another', () => [`${batchDir}/../other1`]],
    ['a relative path', () => ['pm/outage.md']],
    ['one good path beside a bad one', () => [batchDir, '/etc/hostname']],
  ])('startImport and previewImport naming %s → 403', async (_, paths) => {
    for (const method of ['startImport', 'previewImport']) {
      const r = await h.api(method, { paths: paths() });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject(refused);
    }
    expect(h.done).toHaveLength(0);
  });

  it('previews and imports a batch of this run, or a folder inside it', async () => {
    const preview = await h.api('previewImport', { paths: [join(batchDir, 'pm')] });
    expect(preview.status).toBe(200);
    expect(JSON.parse(preview.body)).toMatchObject({ ok: true });
    const s = await h.importAndWait([batchDir]);
    expect(s).toMatchObject({ status: 'done', documentsAdded: 1 });
  });

  it('names dropped files as they were dropped in previews and in the import history, never by the upload folder', async () => {
    expect((await h.upload('shown1', 'drop/pm/a.md', '# A\n\n## Summary\n\nDisk full.\n')).status).toBe(200);
    const preview = await h.api('previewImport', { paths: [join(h.uploadDir, 'shown1')] });
    expect(JSON.parse(preview.body)).toMatchObject({ ok: true, value: { sources: [expect.objectContaining({ format: expect.any(String) })] } });
    const history = await h.api('listImports', {});
    expect(JSON.parse(history.body)).toMatchObject({ ok: true });
    for (const body of [preview.body, history.body]) {
      expect(body).not.toContain(h.uploadDir);
      expect(body).not.toContain('shown1');
    }
  });

  it('deletes a batch once its import has ended, and then refuses it as any other path', async () => {
    await until('the batch to be removed', () => !existsSync(batchDir));
    const again = await h.api('startImport', { paths: [batchDir] });
    expect(again.status).toBe(403);
    // The planted folder was never imported and is left alone until the bridge closes.
    expect(existsSync(join(h.uploadDir, 'other1', 'x.md'))).toBe(true);
  });

  it('deletes the batch of a cancelled import too', async () => {
    for (let i = 0; i < 40; i++) await h.upload('cancel', `many/pm-${i}.md`, `# Outage ${i}\n\n## Summary\n\nWorker ${i} ran out of memory.\n`);
    const r = JSON.parse((await h.api('startImport', { paths: [join(h.uploadDir, 'cancel')] })).body) as { value: { importId: number } };
    await h.api('cancelImport', { importId: r.value.importId });
    await until('importDone', () => h.done.some((d) => d.importId === r.value.importId));
    await until('the batch to be removed', () => !existsSync(join(h.uploadDir, 'cancel')));
  });
});

describe('HTTP bridge: the upload folder is emptied at start and at close', () => {
  it('removes what an earlier run left, and everything at close', async () => {
    const uploads = join(dir, 'cleanup', 'uploads');
    mkdirSync(join(uploads, 'old001', 'sub'), { recursive: true });
    writeFileSync(join(uploads, 'old001', 'sub', 'left.md'), '# left over by a crash\n');
    const h = await open('cleanup');
    expect(filesUnder(uploads)).toEqual([]);
    expect((await h.upload('new001', 'kept/until-close.md', '# dropped\n')).status).toBe(200);
    expect(filesUnder(uploads)).toEqual(['new001/kept/until-close.md']);
    await h.close();
    expect(existsSync(uploads)).toBe(false);
  });
});

/** Reads a page's event stream until `enough` says so; returns the events seen. */
async function readEvents(url: string, enough: (events: Array<{ event: string; data: unknown }>) => boolean, ms = 5_000): Promise<Array<{ event: string; data: unknown }>> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const res = await fetch(`${url}api/events`, { signal: ac.signal });
  const events: Array<{ event: string; data: unknown }> = [];
  let text = '';
  const reader = res.body!.getReader();
  try {
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      let at: number;
      while ((at = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, at);
        text = text.slice(at + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

const progress = (done: number): IndexProgress => ({ phase: 'embedding', done, total: 10, rate: 0, etaSeconds: null });

describe('HTTP bridge: events and the names of dropped files', () => {
  let h: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    h = await open('events', { limits: { heldEvents: 3 } });
  });
  afterAll(() => h.close());

  it('holds events broadcast before any page connected for the first page, and only the latest few', async () => {
    for (let i = 1; i <= 5; i++) h.bridge.broadcast('indexProgress', progress(i));
    const first = await readEvents(h.bridge.url, (e) => e.length >= 3);
    expect(first.map((e) => (e.data as IndexProgress).done)).toEqual([3, 4, 5]);
    // They were delivered once: the next page starts with what happens from then on.
    const second = readEvents(h.bridge.url, (e) => e.length >= 1);
    await sleep(200);
    h.bridge.broadcast('indexProgress', progress(6));
    expect((await second).map((e) => (e.data as IndexProgress).done)).toEqual([6]);
  });

  it('drops events that are not in the contract', async () => {
    const page = readEvents(h.bridge.url, (e) => e.length >= 1);
    await sleep(200);
    h.bridge.broadcast('notAnEvent' as never, { secret: 1 } as never);
    h.bridge.broadcast('indexProgress', progress(1));
    expect((await page).map((e) => e.event)).toEqual(['indexProgress']);
  });

  it('lists skipped and failed files of a dropped folder by the names they were dropped with', async () => {
    const batch = 'names1';
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
    for (const [path, data] of [
      ['incident/.LICENSE', 'MIT License\n'],
      ['incident/diagram.png', png],
      ['incident/broken.pdf', buildPdf([[{ text: 'cut short', size: 12 }]]).subarray(0, 40)],
      ['incident/report.md', '# Cache stampede\n\n## Root cause\n\nAll keys expired at once.\n'],
    ] as const) {
      expect((await h.upload(batch, path, data)).status).toBe(200);
    }
    const page = readEvents(h.bridge.url, (e) => e.some((x) => x.event === 'importDone'), 20_000);
    await sleep(200);
    const started = await h.api('startImport', { paths: [join(h.uploadDir, batch)] });
    expect(started.status).toBe(200);
    const events = await page;
    const done = events.find((e) => e.event === 'importDone')!.data as ApiEvents['importDone'];
    expect(done.summary).toMatchObject({ status: 'done', documentsAdded: 1, filesFailed: 1 });
    expect(done.summary!.skipped).toEqual(
      expect.arrayContaining([
        { source: 'incident/.LICENSE', reason: 'a hidden file' },
        { source: 'incident/diagram.png', reason: 'not a kind of file Hindsight imports (.png)' },
      ]),
    );
    expect(done.summary!.errors).toEqual([expect.objectContaining({ source: 'incident/broken.pdf', message: expect.stringContaining('incident/broken.pdf') })]);
    // Neither the result nor any progress event the page saw names the upload folder.
    const seen = JSON.stringify(events);
    expect(seen).not.toContain(h.uploadDir);
    expect(seen).not.toContain(batch);
    expect(events.some((e) => e.event === 'importProgress' && (e.data as { currentFile: string | null }).currentFile === 'incident/report.md')).toBe(true);
  });
});
