/**
 * The engine process entry (what Electron's utilityProcess runs), driven through a fake parent
 * port: it says ready, answers calls by id, posts events, answers `{ shutdown }` with `{ closed }`
 * only after a clean stop, and reports a start that fails as `fatal`.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineMessage, EngineRequest } from '../../../native/service/engine-process.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();

/** Stands in for `process.parentPort`: records what the process posts, delivers what main sends. */
class FakeParentPort {
  readonly posted: EngineMessage[] = [];
  private listener: ((e: { data: unknown }) => void) | null = null;
  private waiters: Array<() => void> = [];
  on(_event: 'message', listener: (e: { data: unknown }) => void) {
    this.listener = listener;
  }
  postMessage(m: EngineMessage) {
    this.posted.push(m);
    for (const w of this.waiters.splice(0)) w();
  }
  send(m: EngineRequest) {
    this.listener!({ data: m });
  }
  async next(match: (m: EngineMessage) => boolean, ms = 20_000): Promise<EngineMessage> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.posted.find(match);
      if (found) return found;
      if (Date.now() > end) throw new Error(`no matching message; got ${JSON.stringify(this.posted.slice(-3))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

const argv = process.argv;
const env = { ...process.env };

/** Loads a fresh copy of the entry module as if started with these arguments. */
async function startProcess(dbPath: string, version = '9.9.9'): Promise<{ port: FakeParentPort; exit: ReturnType<typeof vi.fn> }> {
  const port = new FakeParentPort();
  (process as unknown as { parentPort?: FakeParentPort }).parentPort = port;
  process.argv = [argv[0]!, 'engine-process.js', dbPath, version, ''];
  // No model anywhere the process looks: the user folder is ours.
  process.env.HINDSIGHT_HOME = join(dir, 'home');
  delete process.env.HINDSIGHT_MODEL_DIR;
  const exit = vi.fn();
  vi.spyOn(process, 'exit').mockImplementation(((code?: number) => exit(code)) as never);
  vi.resetModules();
  await import('../../../native/service/engine-process.js');
  return { port, exit };
}

afterEach(() => {
  delete (process as unknown as { parentPort?: unknown }).parentPort;
  process.argv = argv;
  process.env = { ...env };
  vi.restoreAllMocks();
});

describe('engine process entry', () => {
  it('refuses to run outside a utility process', async () => {
    vi.resetModules();
    await expect(import('../../../native/service/engine-process.js')).rejects.toThrow(/must run in an Electron utilityProcess/);
  });

  it('says ready, then answers each call by its id, refusals as error envelopes', async () => {
    const dbPath = join(dir, 'calls.db');
    const { port } = await startProcess(dbPath);
    await port.next((m) => 'ready' in m);
    port.send({ id: 41, method: 'appInfo', input: {} });
    port.send({ id: 42, method: 'search', input: { query: 7 } });
    port.send({ id: 43, method: 'dropTables', input: {} });
    const a = await port.next((m) => 'id' in m && m.id === 41);
    expect(a).toEqual({ id: 41, envelope: { ok: true, value: { version: '9.9.9', shell: 'desktop', demo: false, databasePath: dbPath } } });
    expect(await port.next((m) => 'id' in m && m.id === 42)).toMatchObject({ envelope: { ok: false, error: { code: 'invalid-input', message: 'query must be text (got 7).' } } });
    expect(await port.next((m) => 'id' in m && m.id === 43)).toMatchObject({ envelope: { ok: false, error: { code: 'invalid-input', reason: 'unknown-method' } } });
    // The database was created at start (eager), so the first call does not pay for it.
    expect(existsSync(dbPath)).toBe(true);
    port.send({ shutdown: true });
    await port.next((m) => 'closed' in m);
  });

  it('answers `{ shutdown }` only after a clean stop: imports cancelled, the database checkpointed and closed, then exits 0', async () => {
    const dbPath = join(dir, 'shutdown.db');
    const folder = join(dir, 'many');
    mkdirSync(folder);
    for (let i = 0; i < 300; i++) writeFileSync(join(folder, `pm-${i}.md`), `# Outage ${i}\n\n## Summary\n\nWorker ${i} ran out of memory.\n`);
    const { port, exit } = await startProcess(dbPath);
    await port.next((m) => 'ready' in m);
    port.send({ id: 1, method: 'startImport', input: { paths: [folder] } });
    const started = (await port.next((m) => 'id' in m && m.id === 1)) as { envelope: { ok: true; value: { importId: number } } };
    // Events go to main as they happen.
    await port.next((m) => 'event' in m && m.event === 'importProgress' && (m.payload as { phase: string }).phase === 'importing');
    port.send({ shutdown: true });
    await port.next((m) => 'closed' in m);
    expect(exit).toHaveBeenCalledWith(0);
    // `closed` came after the import's end was reported, never before.
    const order = port.posted.map((m) => ('closed' in m ? 'closed' : 'event' in m ? m.event : 'other'));
    expect(order.indexOf('importDone')).toBeGreaterThan(-1);
    expect(order.indexOf('importDone')).toBeLessThan(order.indexOf('closed'));
    const done = port.posted.find((m) => 'event' in m && m.event === 'importDone') as { payload: { importId: number; summary: { status: string } } };
    expect(done.payload).toMatchObject({ importId: started.envelope.value.importId, summary: { status: 'cancelled' } });
    // Closed means closed: no write-ahead log left behind, and the import is marked as it ended.
    expect(existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0).toBe(0);
    const raw = new Database(dbPath, { readonly: true });
    expect(raw.prepare('SELECT status FROM imports').pluck().all()).toEqual(['cancelled']);
    raw.close();
  });

  it('reports a start that fails as `fatal` with the reason, and never says ready', async () => {
    const notADb = join(dir, 'not-a.db');
    writeFileSync(notADb, 'this is a text file, not SQLite '.repeat(200));
    const { port } = await startProcess(notADb);
    const fatal = (await port.next((m) => 'fatal' in m)) as { fatal: string };
    expect(fatal.fatal).toBe(`Cannot open the database ${notADb}: file is not a database`);
    expect(port.posted.some((m) => 'ready' in m)).toBe(false);
  });
});
