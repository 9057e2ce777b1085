import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { HindsightError } from '../common/errors.js';

/** Who holds the lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  what: string;
  since: string;
}

const POLL_MS = 250;

/**
 * One writer at a time across processes: long writes (an import, reindexing) take this lock on
 * `<database>.writer.lock` for their whole run, so a second one waits for the first instead of
 * interleaving with it or failing on a locked database. Readers never take it. A lock whose
 * process is gone (kill -9, a crash) is taken over.
 *
 * SQLite serialises each transaction anyway; this lock is about whole jobs, and about telling the
 * waiting user who they are waiting for.
 */
export class WriterLock {
  private held = false;
  private readonly onExit = () => this.releaseSync();

  constructor(readonly path: string) {}

  /** Waits until the lock is ours; `onWait` hears who holds it (once per holder). */
  async acquire(what: string, o: { signal?: AbortSignal; onWait?: (holder: LockHolder) => void } = {}): Promise<void> {
    let told: string | null = null;
    for (;;) {
      if (o.signal?.aborted) throw new HindsightError('cancelled', 'Cancelled while waiting for another writer to finish.');
      if (this.tryTake(what)) return;
      const holder = this.holder();
      if (holder && holder.host === hostname() && holder.pid === process.pid && !this.held) {
        // Our own process holds it through another lock object (a second engine on the same file).
        if (told !== 'self') o.onWait?.(holder);
        told = 'self';
      } else if (holder && !alive(holder)) {
        rmSync(this.path, { force: true });
        continue;
      } else if (holder && told !== `${holder.host}:${holder.pid}`) {
        told = `${holder.host}:${holder.pid}`;
        o.onWait?.(holder);
      }
      await sleep(POLL_MS, o.signal);
    }
  }

  /** Takes the lock if it is free (or its holder is gone) and answers whether it did; never waits. */
  tryAcquire(what: string): boolean {
    if (this.tryTake(what)) return true;
    const holder = this.holder();
    if (!holder || alive(holder)) return false;
    rmSync(this.path, { force: true });
    return this.tryTake(what);
  }

  release(): void {
    this.releaseSync();
  }

  /** Who holds it now, if anyone. */
  holder(): LockHolder | null {
    try {
      const h = JSON.parse(readFileSync(this.path, 'utf8')) as LockHolder;
      return typeof h.pid === 'number' ? h : null;
    } catch {
      return null;
    }
  }

  private tryTake(what: string): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new HindsightError('db-unavailable', `Cannot create the writer lock ${this.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), what, since: new Date().toISOString() } satisfies LockHolder));
    } finally {
      closeSync(fd);
    }
    this.held = true;
    process.once('exit', this.onExit);
    return true;
  }

  private releaseSync(): void {
    if (!this.held) return;
    this.held = false;
    process.off('exit', this.onExit);
    const h = this.holder();
    if (h && h.pid === process.pid && h.host === hostname()) rmSync(this.path, { force: true });
  }
}

/** Whether the holder's process still runs (another host's process is assumed to). */
function alive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function processAlive(pid: number): boolean {
  return alive({ pid, host: hostname(), what: '', since: '' });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** How a waiting job says whom it waits for. */
export function describeHolder(h: LockHolder): string {
  const since = Math.max(0, Math.round((Date.now() - Date.parse(h.since)) / 1000));
  return `${h.what} in process ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ''} (running for ${since}s)`;
}
