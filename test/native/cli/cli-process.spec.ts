/**
 * The CLI as separate processes, as users run it: two imports into one database at once, Ctrl+C
 * and SIGTERM during an import, and a database the user cannot write.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { CORPUS } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = tempDir();

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI from source and lets the test act while it runs. */
function startCli(args: string[], o: { uid?: number } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'native/cli/bin.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', HINDSIGHT_HOME: join(dir, 'home') },
    ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  const seen: Array<{ re: RegExp; resolve: () => void }> = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of seen.splice(0)) (w.re.test(stderr) ? w.resolve : () => seen.push(w))();
  });
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    done,
    /** Resolves once stderr has shown the pattern. */
    waitFor: (re: RegExp) => new Promise<void>((resolve) => (re.test(stderr) ? resolve() : seen.push({ re, resolve }))),
  };
}

function folderOf(name: string, n: number): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < n; i++) {
    writeFileSync(join(folder, `${name}-${String(i).padStart(4, '0')}.md`), `# ${name} outage ${i}\n\n## Summary\n\nWorker ${i} of ${name} ran out of memory.\n\n## Root cause\n\nA leak in batch ${i}.\n`);
  }
  return folder;
}

const count = (db: string, sql: string) => {
  const raw = new Database(db, { readonly: true });
  try {
    return raw.prepare(sql).pluck().all();
  } finally {
    raw.close();
  }
};

describe('hindsight CLI processes', () => {
  it('two imports into one database at once: the second waits for the first, both complete', async () => {
    const db = join(dir, 'two.db');
    const a = folderOf('alpha', 1500);
    const b = folderOf('beta', 300);
    const first = startCli(['--db', db, 'import', a, '--json']);
    await first.waitFor(/Scanning/);
    const second = startCli(['--db', db, 'import', b, '--json']);
    const [ra, rb] = await Promise.all([first.done, second.done]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(JSON.parse(ra.stdout)).toMatchObject({ status: 'done', documentsAdded: 1500, errors: [] });
    expect(JSON.parse(rb.stdout)).toMatchObject({ status: 'done', documentsAdded: 300, errors: [] });
    expect(`${ra.stderr}${rb.stderr}`).not.toMatch(/locked|SQLITE_BUSY/i);
    expect(rb.stderr).toMatch(/Waiting for an import in process \d+/);
    expect(count(db, 'SELECT count(*) FROM documents')).toEqual([1800]);
    expect(count(db, 'SELECT status FROM imports ORDER BY id')).toEqual(['done', 'done']);
  }, 180_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during an import stops it cleanly: marked cancelled, an honest summary, exit %i, and it resumes', async (signal, exit) => {
    const db = join(dir, `${signal}.db`);
    const folder = folderOf(signal.toLowerCase(), 1500);
    const run = startCli(['--db', db, 'import', folder]);
    await run.waitFor(/Scanning/);
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill(signal);
    const r = await run.done;
    expect(r.code).toBe(exit);
    expect(r.stdout).toMatch(/^Cancelled after (\d+) of 1500 files/);
    const after = Number(/^Cancelled after (\d+)/.exec(r.stdout)![1]);
    expect(after).toBeLessThan(1500);
    expect(count(db, 'SELECT status FROM imports')).toEqual(['cancelled']);
    const stored = count(db, 'SELECT count(*) FROM documents')[0] as number;
    expect(stored).toBeGreaterThan(0);
    const again = runCli(['--db', db, 'import', folder, '--json', '-q']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ documentsUnchanged: stored, documentsAdded: 1500 - stored });
  }, 180_000);

  it('a database the user cannot write serves every read command, and refuses imports plainly', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const db = join(ro, 'ro.db');
    expect(runCli(['--db', db, 'import', join(CORPUS, 'postmortems/kubernetes-test-infra'), '-q']).code).toBe(0);
    // As root the permission bits do not bind: run the commands as nobody.
    const asRoot = process.getuid?.() === 0;
    chmodSync(db, 0o444);
    chmodSync(ro, 0o555);
    chmodSync(dir, 0o755);
    const as = asRoot ? { uid: 65534 } : {};
    if (asRoot) mkdirSync(join(dir, 'home'), { recursive: true, mode: 0o777 });
    const search = await startCli(['--db', db, 'search', 'boskos', '--json', '-q'], as).done;
    expect(search.stderr).toBe('');
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).hits[0].title).toMatch(/Boskos/);
    const stats = await startCli(['--db', db, 'stats', '--json'], as).done;
    expect(JSON.parse(stats.stdout)).toMatchObject({ readOnly: true, documents: 5 });
    const similar = await startCli(['--db', db, 'similar', '--text', 'boskos outage', '--json', '-q'], as).done;
    expect(similar.code).toBe(0);
    const imp = await startCli(['--db', db, 'import', join(CORPUS, 'postmortems/zalando-kubernetes-on-aws')], as).done;
    expect(imp.code).toBe(74);
    expect(imp.stderr).toMatch(/read-only: it can be searched, not changed/);
    chmodSync(ro, 0o755);
    chmodSync(db, 0o644);
  }, 120_000);

  it('a read command on a database that does not exist says so, exits 66, and creates nothing', () => {
    const db = join(dir, 'nowhere', 'x.db');
    const r = runCli(['--db', db, 'stats']);
    expect(r.code).toBe(66);
    expect(r.stderr).toMatch(/There is no Hindsight database at .*x\.db/);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
    const imp = runCli(['--db', db, 'import', '/nonexistent-path', '--json', '-q']);
    expect(imp.code).toBe(2);
    expect(JSON.parse(imp.stdout)).toMatchObject({ filesTotal: 1, filesSeen: 1, filesFailed: 1 });
  });
});
