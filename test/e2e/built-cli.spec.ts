/**
 * The built `hindsight` command: the bundled CLI in `dist/cli/` (scripts/build-cli.mjs), not the
 * TypeScript sources the Vitest specs run. It imports, searches and finds similar incidents, and
 * the worker threads it starts are found in the compiled tree from inside a bundle chunk.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { ensureTinyModel } from '../support/generated-models.js';
import type * as SpawnWorker from '../../native/common/spawn-worker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'hindsight-built-cli-'));
const db = join(home, 'cli.db');

// The tiny generated model (unverified, so allowed by name): the import embeds through the embedding
// worker, which the bundle must find in the compiled tree (a bundle chunk's own URL is elsewhere).
const models = ensureTinyModel(join(home, 'models'));

function hindsight(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/hindsight.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HINDSIGHT_HOME: home, HINDSIGHT_MODEL_DIR: models, HINDSIGHT_ALLOW_UNVERIFIED_MODEL: '1' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.afterAll(() => rmSync(home, { recursive: true, force: true }));

test('the built CLI is the bundle, and --help lists the commands', () => {
  expect(existsSync(join(ROOT, 'dist/cli/hindsight.js'))).toBe(true);
  const r = hindsight('--help');
  expect(r.status).toBe(0);
  for (const command of ['import', 'search', 'similar', 'serve']) expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
});

test('the built CLI imports write-ups, then searches and finds similar incidents in them', () => {
  const folder = join(home, 'write-ups');
  mkdirSync(folder);
  // Past the extraction worker's threshold (16 records a batch), so that the import hands records to it.
  for (let i = 0; i < 20; i++) {
    const what = i % 2 ? 'The TLS certificate of the ingress expired and clients failed their handshakes.' : 'The orders database ran out of connections: the pool was exhausted by a retry storm.';
    writeFileSync(join(folder, `pm-${i}.md`), `# Incident ${i}\n\n## Summary\n${what}\n\n## Resolution\nRenewed and restarted (incident ${i}).\n`);
  }
  const imported = hindsight('import', folder, '--db', db, '--json');
  expect(imported.stderr).not.toMatch(/Error|at .*\.js:\d+/);
  expect(imported.status).toBe(0);
  expect(JSON.parse(imported.stdout)).toMatchObject({ documentsAdded: 20, semantic: true });
  // The CLI embeds after the lexical import, before it exits: every passage has its vector.
  const stats = JSON.parse(hindsight('stats', '--db', db, '--json').stdout) as { chunks: number; index: { embedded: number; pending: number } };
  expect(stats.chunks).toBeGreaterThan(0);
  expect(stats.index).toMatchObject({ embedded: stats.chunks, pending: 0 });
  const search = hindsight('search', 'connection pool exhausted', '--db', db, '--json');
  expect(search.status).toBe(0);
  const found = JSON.parse(search.stdout) as { mode: string; hits: Array<{ title: string }> };
  expect(found.mode).toBe('hybrid');
  const hits = found.hits;
  expect(hits.length).toBeGreaterThan(0);
  // The words find the pool exhaustions (even incidents) first; the model's neighbours may follow.
  expect(hits[0]!.title).toMatch(/^Incident \d*[02468]$/);
  const similar = hindsight('similar', '--text', 'certificate expired on the ingress, TLS handshakes fail', '--db', db, '--json');
  expect(similar.status).toBe(0);
  expect(JSON.parse(similar.stdout).incidents.length).toBeGreaterThan(0);
});

/** What a run of the built CLI loads: Node's built-in modules, and the CommonJS files it requires. */
function loads(...args: string[]): { builtins: string[]; required: string[] } {
  const r = spawnSync(process.execPath, ['-r', './test/support/builtin-trace.cjs', 'bin/hindsight.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HINDSIGHT_HOME: home, HINDSIGHT_MODEL_DIR: join(home, 'no-models') },
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stderr.split('\n');
  return { builtins: lines.filter((l) => l.startsWith('BUILTIN ')).map((l) => l.slice(8)), required: lines.filter((l) => l.startsWith('REQUIRED ')).map((l) => l.slice(9)) };
}

test('a cold command loads only what it uses: no child_process for --help, no worker_threads or module scanning for a search', () => {
  // commander's require of child_process (for subcommands that are executables) is deferred by the bundle.
  expect(loads('--help').builtins).not.toContain('child_process');
  const search = loads('search', 'connection pool exhausted', '--db', db, '-q');
  expect(search.builtins).not.toContain('worker_threads');
  // better-sqlite3 is required, not imported (no ESM scan of its exports), with its addon named (no `bindings` search).
  expect(search.required.some((f) => f.includes('/node_modules/better-sqlite3/lib/database.js'))).toBe(true);
  expect(search.builtins).not.toContain('internal/deps/cjs-module-lexer/lexer');
  expect(search.required.filter((f) => f.includes('/node_modules/bindings/'))).toEqual([]);
});

test('every worker thread module is in the compiled tree, and the extraction worker starts from it', async () => {
  const { WORKER_MODULES, spawnWorker } = (await import(pathToFileURL(join(ROOT, 'dist/native/common/spawn-worker.js')).href)) as typeof SpawnWorker;
  for (const m of WORKER_MODULES) expect(existsSync(join(ROOT, 'dist/native', `${m}.js`)), m).toBe(true);
  const worker = spawnWorker('incidents/extract-worker', { taxonomyFiles: [] });
  try {
    const first = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(first).toEqual({ ready: true });
  } finally {
    await worker.terminate();
  }
});
