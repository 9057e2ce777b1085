import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Served {
  url: string;
  origin: string;
  /** The server's own folder (HINDSIGHT_HOME): its database, uploads and model folder. */
  home: string;
  stop(): Promise<void>;
}

/**
 * Starts `hindsight serve` (built CLI) on a free port and waits for the URL it prints: with the
 * demo company (`demo`), or on an empty database. No model is found unless one is installed
 * through the app (into `home/models`); `env` adds variables (HINDSIGHT_ALLOW_UNVERIFIED_MODEL).
 */
export async function serve(o: { demo?: boolean; env?: Record<string, string> } = {}): Promise<Served> {
  const home = mkdtempSync(join(tmpdir(), 'hindsight-e2e-'));
  const args = ['bin/hindsight.js', 'serve', ...(o.demo ? ['--demo'] : []), '--port', '0', '--db', join(home, 'e2e.db')];
  const proc: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, HINDSIGHT_HOME: home, HINDSIGHT_MODEL_DIR: join(home, 'no-models'), ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
      if (line) resolve(line.trim());
    });
    proc.once('exit', (code) => reject(new Error(`hindsight serve exited (${code}): ${stderr}`)));
    setTimeout(() => reject(new Error(`hindsight serve printed no URL: ${stderr}`)), 30_000);
  });
  // The demo data is imported in the background: tests start once that import has ended, so that
  // its last documents (and the incidents built from them) do not change a page mid-test.
  const deadline = Date.now() + 120_000;
  while (o.demo) {
    const r = (await (await fetch(`${url}api/stats`, { method: 'POST', body: '{}' })).json()) as { ok: boolean; value?: { lastImport: { finishedAt: string | null } | null } };
    if (r.ok && r.value?.lastImport?.finishedAt) break;
    if (Date.now() > deadline) throw new Error(`the demo import did not finish: ${stderr}`);
    await new Promise((done) => setTimeout(done, 250));
  }
  return {
    url,
    origin: new URL(url).origin,
    home,
    stop: async () => {
      proc.kill('SIGINT');
      await new Promise((r) => proc.once('exit', r));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** `hindsight serve --demo`. */
export const serveDemo = () => serve({ demo: true });
