import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { API_EVENTS, type ApiEvent, type ApiEvents } from '../contract.js';
import type { EngineService } from '../service/engine-service.js';

export interface BridgeOptions {
  service: EngineService;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  /** Where files dropped into the browser are saved before they are imported. */
  uploadDir: string;
  port: number;
  /** Fixed token (tests); random per run otherwise. */
  token?: string;
}

export interface Bridge {
  url: string;
  token: string;
  server: Server;
  /** Pushes an event to every connected page. */
  broadcast<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void;
  close(): Promise<void>;
}

const MAX_JSON_BODY = 2 * 1024 * 1024;
const MAX_UPLOAD = 512 * 1024 * 1024;
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

/**
 * Browser mode: the built renderer and the contract over HTTP + Server-Sent Events, on
 * 127.0.0.1 only, behind a random per-run token that every path carries
 * (`http://127.0.0.1:PORT/<token>/…`): the page, its assets, the API and the event stream.
 * Requests with another Host (DNS rebinding) or a foreign Origin are refused.
 */
export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const token = o.token ?? randomBytes(24).toString('base64url');
  const prefix = `/${token}/`;
  const clients = new Set<ServerResponse>();
  let port = o.port;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'internal', message: (err as Error).message } });
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
      if (!originOk(req)) return void send(res, 403, { ok: false, error: { code: 'forbidden', message: 'Cross-origin request refused.' } });
      if (path === 'api/events' && req.method === 'GET') return events(req, res);
      if (path === 'api/upload' && req.method === 'POST') return upload(req, res, url);
      const method = path.slice(4);
      if (req.method !== 'POST') return void send(res, 405, { ok: false, error: { code: 'method-not-allowed', message: 'Use POST.' } });
      const body = await readJson(req);
      if (body === undefined) return void send(res, 400, { ok: false, error: { code: 'invalid-input', message: 'The body is not JSON (or is too large).' } });
      return void send(res, 200, await o.service.call(method, body));
    }
    return serveStatic(res, path);
  }

  function events(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', ...securityHeaders() });
    res.write(': connected\n\n');
    clients.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      clients.delete(res);
    });
  }

  /** Saves one dropped file (raw body) under the upload folder; its relative path is sanitised. */
  async function upload(req: IncomingMessage, res: ServerResponse, url: URL) {
    const batch = url.searchParams.get('batch') ?? '';
    const name = url.searchParams.get('path') ?? '';
    const rel = safeRelativePath(name);
    if (!/^[A-Za-z0-9_-]{6,64}$/.test(batch) || !rel) {
      return void send(res, 400, { ok: false, error: { code: 'invalid-input', message: `Refused upload path "${name}".` } });
    }
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > MAX_UPLOAD) return void send(res, 413, { ok: false, error: { code: 'too-large', message: `${name} is larger than ${MAX_UPLOAD / 1048576} MB.` } });
    const dest = join(o.uploadDir, batch, rel);
    mkdirSync(dirname(dest), { recursive: true });
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_UPLOAD) req.destroy(new Error('too large'));
    });
    await pipeline(req, createWriteStream(dest));
    send(res, 200, { ok: true, value: { path: join(o.uploadDir, batch) } });
  }

  function serveStatic(res: ServerResponse, path: string) {
    const rel = path === '' ? 'index.html' : path;
    const file = resolve(o.staticDir, normalize(rel));
    if (!file.startsWith(resolve(o.staticDir) + sep) || !existsSync(file) || !statSync(file).isFile()) return void send(res, 404, 'Not found');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...securityHeaders() });
    res.end(readFileSync(file));
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
      const data = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
      for (const c of clients) c.write(data);
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const c of clients) c.end();
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function tokenOk(pathname: string, prefix: string): boolean {
  const given = Buffer.from(pathname.slice(0, prefix.length));
  const want = Buffer.from(prefix);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** "folder/sub/file.md" stays; absolute paths, "..", drive letters and odd characters are refused. */
export function safeRelativePath(p: string): string | null {
  if (!p || p.length > 1024 || p.includes('\0') || /^[a-zA-Z]:/.test(p) || p.startsWith('/') || p.startsWith('\\')) return null;
  const parts = p.split(/[\\/]+/).filter(Boolean);
  if (!parts.length || parts.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return null;
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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'cache-control': 'no-store', ...securityHeaders() });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((ok) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_JSON_BODY) {
        ok(undefined);
        req.destroy();
      } else parts.push(c);
    });
    req.on('end', () => {
      try {
        const text = Buffer.concat(parts).toString('utf8');
        ok(text ? JSON.parse(text) : {});
      } catch {
        ok(undefined);
      }
    });
    req.on('error', () => ok(undefined));
  });
}
