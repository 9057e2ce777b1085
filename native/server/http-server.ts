import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import getRawBody from 'raw-body';
import { API_EVENTS, type ApiEvent, type ApiEvents, type Envelope } from '../contract.js';
import type { EngineService } from '../service/engine-service.js';

export interface BridgeOptions {
  service: EngineService;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  /** Where files dropped into the browser are saved before they are imported; emptied at start. */
  uploadDir: string;
  port: number;
  /** Fixed token (tests); random per run otherwise. */
  token?: string;
  /** Limits (tests); defaults otherwise. */
  limits?: Partial<typeof LIMITS>;
}

export interface Bridge {
  url: string;
  token: string;
  server: Server;
  /** Pushes an event to every connected page (held until a page connects). */
  broadcast<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void;
  close(): Promise<void>;
}

const LIMITS = {
  /** A call's JSON body. */
  jsonBytes: 2 * 1024 * 1024,
  /** One uploaded file. */
  uploadBytes: 512 * 1024 * 1024,
  /** Events kept while no page is connected. */
  heldEvents: 2_000,
  /** How much of a refused body is read and thrown away so that the client gets to read the answer. */
  drainBytes: 1024 * 1024 * 1024,
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
/** The page may load only its own scripts, styles and images, and talk only to this server. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Methods whose input names files on this machine: in browser mode they may only name uploads. */
const PATH_METHODS = new Set(['startImport', 'previewImport']);

/**
 * Browser mode: the built renderer and the contract over HTTP + Server-Sent Events, on
 * 127.0.0.1 only, behind a random per-run token that every path carries
 * (`http://127.0.0.1:PORT/<token>/…`): the page, its assets, the API and the event stream.
 * Requests with another Host (DNS rebinding) or a foreign Origin are refused. Files reach the
 * engine only by upload: an import may name only this run's upload batches, which are deleted
 * once imported (and at start and stop).
 */
export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const limits = { ...LIMITS, ...o.limits };
  const token = o.token ?? randomBytes(24).toString('base64url');
  const prefix = `/${token}/`;
  const clients = new Set<ServerResponse>();
  const held: string[] = [];
  const uploadRoot = resolve(o.uploadDir);
  /** Upload batches of this run, and the imports that read them (deleted when those end). */
  const batches = new Set<string>();
  const importBatches = new Map<number, string[]>();
  /** Uploads being received, per batch, and the batches where one was refused or broke off. */
  const receiving = new Map<string, number>();
  const refused = new Set<string>();
  let port = o.port;

  // Uploads of an earlier run that ended without cleaning up (a crash, kill -9).
  rmSync(uploadRoot, { recursive: true, force: true });

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, error('internal', 'The request failed inside Hindsight.'));
      else res.destroy();
    });
  });

  const hostOk = (req: IncomingMessage) => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
  const originOk = (req: IncomingMessage) => !req.headers.origin || req.headers.origin === `http://127.0.0.1:${port}` || req.headers.origin === `http://localhost:${port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!hostOk(req) || !tokenOk(url.pathname, prefix)) return void send(res, 404, 'Not found');
    const path = url.pathname.slice(prefix.length);
    if (path.startsWith('api/')) {
      if (!originOk(req)) return void send(res, 403, error('forbidden', 'Cross-origin request refused.'));
      if (path === 'api/events' && req.method === 'GET') return events(req, res);
      if (path === 'api/upload' && req.method === 'POST') return upload(req, res, url);
      if (path === 'api/upload' && req.method === 'DELETE') return discard(res, url.searchParams.get('batch') ?? '');
      const method = path.slice(4);
      if (req.method !== 'POST') return void send(res, 405, error('invalid-input', 'Use POST.'));
      const body = await readJson(req, limits.jsonBytes, limits.drainBytes);
      if (!body.ok) return void send(res, body.status, error(body.status === 413 ? 'refused-input' : 'invalid-input', body.message));
      if (PATH_METHODS.has(method)) {
        const refused = outsideUploads(body.value);
        if (refused) return void send(res, 403, error('forbidden', refused));
      }
      const envelope = await o.service.call(method, body.value);
      if (method === 'startImport' && envelope.ok) {
        const paths = (body.value as { paths: string[] }).paths.map((p) => resolve(p));
        importBatches.set((envelope.value as { importId: number }).importId, paths);
      }
      // A model folder dropped into the page was copied into the model folder (or refused): its upload goes.
      const folder = method === 'installModel' ? (body.value as { folder?: unknown } | null)?.folder : undefined;
      if (typeof folder === 'string') removeBatchOf(resolve(folder));
      return void send(res, 200, shownPaths(envelope));
    }
    return serveStatic(res, path);
  }

  /** Why an import input is refused: it names something other than this run's uploads. */
  function outsideUploads(body: unknown): string | null {
    const paths = (body as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths)) return null; // the contract refuses it with a proper message
    for (const p of paths) {
      const abs = typeof p === 'string' ? resolve(p) : '';
      const batch = relative(uploadRoot, abs).split(sep)[0] ?? '';
      if (!abs.startsWith(uploadRoot + sep) || !batches.has(batch)) {
        return 'In browser mode Hindsight imports only files dropped into the page (or `hindsight import <path>` on the command line).';
      }
    }
    return null;
  }

  function events(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', ...securityHeaders() });
    res.write(': connected\n\n');
    // Events pushed while no page was listening (an import started before the page loaded).
    for (const e of held.splice(0)) res.write(e);
    clients.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      clients.delete(res);
    });
  }

  /**
   * Saves one dropped file (raw body) under its batch folder, streamed with a hard size limit:
   * over it, or if the page goes away mid-upload, the partial file is removed.
   */
  async function upload(req: IncomingMessage, res: ServerResponse, url: URL) {
    const batch = url.searchParams.get('batch') ?? '';
    const name = url.searchParams.get('path') ?? '';
    const rel = safeRelativePath(name);
    if (!BATCH_ID.test(batch) || !rel) {
      return void drainThen(req, limits.drainBytes, () => send(res, 400, error('invalid-input', `Refused upload path "${name.slice(0, 200)}".`)));
    }
    const tooLarge = () => error('refused-input', `${name} is larger than ${Math.round(limits.uploadBytes / 1048576)} MB: import it with \`hindsight import\` instead.`);
    if (Number(req.headers['content-length'] ?? 0) > limits.uploadBytes) return void drainThen(req, limits.drainBytes, () => send(res, 413, tooLarge()));
    const dir = join(uploadRoot, batch);
    const dest = join(dir, rel);
    receiving.set(batch, (receiving.get(batch) ?? 0) + 1);
    try {
      await receive(req, res, name, batch, dir, dest, tooLarge);
    } finally {
      const left = receiving.get(batch)! - 1;
      if (left) receiving.set(batch, left);
      else {
        receiving.delete(batch);
        // Only once no upload of the batch is under way: one may just have made a folder.
        if (refused.delete(batch)) pruneEmpty(batch);
      }
    }
  }

  async function receive(req: IncomingMessage, res: ServerResponse, name: string, batch: string, dir: string, dest: string, tooLarge: () => Envelope<never>) {
    let file: WriteStream;
    try {
      mkdirSync(dirname(dest), { recursive: true });
      if (existsSync(dest)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
      // Opened before the body is read: a name the disk refuses (too long, say) is answered, not a failed stream.
      file = await openNew(dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file and a folder of the same name (or the same file twice) in one drop' : `it cannot be saved (${code ?? 'error'})`;
      refused.add(batch);
      return void drainThen(req, limits.drainBytes, () => send(res, 400, error('invalid-input', `Refused upload "${name.slice(0, 200)}": ${why}.`)));
    }
    batches.add(batch);
    let received = 0;
    let over = false;
    // Past the limit the rest of the body is read and thrown away (up to a bound), not refused
    // mid-stream: failing the pipeline would destroy the request, and with it the connection the
    // client may reuse for its next call (it would read the 413, then a reset).
    const limit = new Transform({
      transform(chunk: Buffer, _enc, next) {
        received += chunk.length;
        if (received <= limits.uploadBytes) return next(null, chunk);
        over = true;
        if (received > limits.uploadBytes + limits.drainBytes) return next(new Error('too large'));
        next();
      },
    });
    try {
      await pipeline(req, limit, file);
    } catch {
      removeUpload(batch, dest);
      // The connection is gone or going (an aborted upload, or one far past the limit): answer if it can still be read.
      if (over) return void send(res, 413, tooLarge(), { close: true });
      if (!req.destroyed) send(res, 400, error('invalid-input', `The upload of ${name.slice(0, 200)} was interrupted.`), { close: true });
      return;
    }
    if (over) {
      removeUpload(batch, dest);
      return void send(res, 413, tooLarge());
    }
    send(res, 200, { ok: true, value: { path: dir } } satisfies Envelope<{ path: string }>);
  }

  /** Removes a refused or broken upload; its empty folders go once the batch's uploads are over. */
  function removeUpload(batch: string, dest: string) {
    rmSync(dest, { force: true });
    refused.add(batch);
  }

  /**
   * Removes the batch's empty folders, and the batch itself when nothing is left in it: a drop
   * whose files were all refused leaves no folder behind, and can no longer be imported.
   */
  function pruneEmpty(batch: string) {
    const prune = (d: string): boolean => {
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) prune(join(d, e.name));
      if (readdirSync(d).length) return false;
      rmdirSync(d);
      return true;
    };
    const dir = join(uploadRoot, batch);
    try {
      if (existsSync(dir) && prune(dir)) batches.delete(batch);
    } catch {
      // Tidying only: a folder in use (EBUSY on Windows) or refilled meanwhile stays, and goes with
      // the rest of the upload area when the server stops or next starts. The answer stands.
    }
  }

  function serveStatic(res: ServerResponse, path: string) {
    const rel = path === '' ? 'index.html' : path;
    const file = resolve(o.staticDir, normalize(rel));
    if (!file.startsWith(resolve(o.staticDir) + sep) || !existsSync(file) || !statSync(file).isFile()) return void send(res, 404, 'Not found');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...securityHeaders() });
    res.end(readFileSync(file));
  }

  /** Results and events name dropped files as the user named them, never by their upload path. */
  function shownPaths<T>(value: T): T {
    const text = JSON.stringify(value);
    if (!text.includes(uploadRoot)) return value;
    const escaped = JSON.stringify(uploadRoot + sep).slice(1, -1);
    return JSON.parse(text.replace(new RegExp(`${escapeRegExp(escaped)}[A-Za-z0-9_-]+${escapeRegExp(JSON.stringify(sep).slice(1, -1))}?`, 'g'), '')) as T;
  }

  /**
   * The page gave a drop up (a file refused, or Cancel before the import started): its batch goes
   * now, not when the server stops. A batch still receiving files or being imported stays.
   */
  function discard(res: ServerResponse, batch: string) {
    if (!BATCH_ID.test(batch)) return void send(res, 400, error('invalid-input', `Refused upload batch "${batch.slice(0, 80)}".`));
    const dir = join(uploadRoot, batch);
    const importing = [...importBatches.values()].some((paths) => paths.some((p) => p === dir || p.startsWith(dir + sep)));
    if (receiving.has(batch) || importing) return void send(res, 409, error('busy', 'That drop is still being uploaded or imported.'));
    const removed = batches.has(batch);
    removeBatchOf(dir);
    send(res, 200, { ok: true, value: { removed } } satisfies Envelope<{ removed: boolean }>);
  }

  function removeBatchesOf(importId: number) {
    const paths = importBatches.get(importId);
    if (!paths) return;
    importBatches.delete(importId);
    for (const p of paths) removeBatchOf(p);
  }

  function removeBatchOf(path: string) {
    const batch = relative(uploadRoot, path).split(sep)[0];
    if (!batch || batch.startsWith('..') || !batches.has(batch)) return;
    batches.delete(batch);
    rmSync(join(uploadRoot, batch), { recursive: true, force: true });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port, '127.0.0.1', () => ok());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    token,
    server,
    broadcast(event, payload) {
      if (!API_EVENTS.includes(event)) return;
      const data = `event: ${event}\ndata: ${JSON.stringify(shownPaths(payload))}\n\n`;
      if (event === 'importDone') removeBatchesOf((payload as ApiEvents['importDone']).importId);
      if (!clients.size) {
        held.push(data);
        if (held.length > limits.heldEvents) held.splice(0, held.length - limits.heldEvents);
      }
      for (const c of clients) c.write(data);
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const c of clients) c.end();
        server.close(() => ok());
        server.closeAllConnections();
        rmSync(uploadRoot, { recursive: true, force: true });
      }),
  };
}

function tokenOk(pathname: string, prefix: string): boolean {
  const given = Buffer.from(pathname.slice(0, prefix.length));
  const want = Buffer.from(prefix);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * "folder/sub/file.md" stays; absolute paths, "..", drive letters and odd characters are refused.
 * Hidden names (".LICENSE") are kept: the import lists them as skipped instead of refusing the drop.
 */
export function safeRelativePath(p: string): string | null {
  if (!p || p.length > 1024 || p.includes('\0') || /^[a-zA-Z]:/.test(p) || p.startsWith('/') || p.startsWith('\\')) return null;
  const parts = p.split(/[\\/]+/).filter(Boolean);
  if (!parts.length || parts.some((s) => s === '..' || s === '.')) return null;
  return parts.join(sep);
}

function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** An upload batch's id, as the page makes them (one folder per drop under the upload area). */
const BATCH_ID = /^[A-Za-z0-9_-]{6,64}$/;

function error(code: 'internal' | 'invalid-input' | 'refused-input' | 'forbidden' | 'busy', message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

/** `close`: the request was not read to its end, so the connection cannot carry another one. */
function send(res: ServerResponse, status: number, body: unknown, o: { close?: boolean } = {}): void {
  if (res.headersSent) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'cache-control': 'no-store', ...securityHeaders(), ...(o.close ? { connection: 'close' } : {}) });
  res.end(text);
}

/** A new file for writing, once it is open (`wx`: never an existing one). */
function openNew(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(path, { flags: 'wx' });
    file.once('open', () => {
      file.off('error', reject);
      resolve(file);
    });
    file.once('error', reject);
  });
}

/**
 * Answers only after the request body has been read and thrown away (up to a bound): a client
 * that is still sending when the answer comes would see a reset connection, not the answer.
 */
function drainThen(req: IncomingMessage, bound: number, then: () => void): void {
  let answered = false;
  const answer = () => {
    if (!answered) {
      answered = true;
      then();
    }
  };
  if (req.readableEnded || req.destroyed) return answer();
  let drained = 0;
  req.on('data', (c: Buffer) => {
    drained += c.length;
    if (drained > bound) req.destroy();
  });
  req.once('end', answer);
  req.once('close', answer);
  req.resume();
}

async function readJson(req: IncomingMessage, limit: number, drainBytes: number): Promise<{ ok: true; value: unknown } | { ok: false; status: number; message: string }> {
  let text: string;
  try {
    text = await getRawBody(req, { limit, encoding: 'utf-8' });
  } catch (err) {
    const e = err as { type?: string };
    if (e.type === 'entity.too.large') {
      await new Promise<void>((ok) => drainThen(req, drainBytes, ok));
      return { ok: false, status: 413, message: `The request is larger than ${Math.round(limit / 1048576)} MB.` };
    }
    return { ok: false, status: 400, message: 'The request body could not be read.' };
  }
  try {
    return { ok: true, value: text ? (JSON.parse(text) as unknown) : {} };
  } catch {
    return { ok: false, status: 400, message: 'The request body is not JSON.' };
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
