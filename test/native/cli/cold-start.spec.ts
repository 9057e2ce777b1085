import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../../support/generated-models.js';
import { runCli } from '../../support/cli.js';
import { tempDir } from '../../support/temp.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = tempDir();
const db = join(dir, 'cold.db');

/** The modules a CLI run loads (CommonJS requires of native addons are not ESM loads: see below). */
function modulesLoaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/support/module-trace.mjs', 'native/cli/bin.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', HINDSIGHT_HOME: '/nonexistent-hindsight-home', HINDSIGHT_MODEL_DIR: join(dir, 'no-models') },
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
}

describe('what a command loads (cold start)', () => {
  beforeAll(() => {
    expect(runCli(['--db', db, '-q', 'import', join(CORPUS, 'postmortems/dfds')], { HINDSIGHT_MODEL_DIR: join(dir, 'no-models') }).code).toBe(0);
  });

  it('--help loads neither the contract schemas (zod) nor the engine', () => {
    const loaded = modulesLoaded(['--help']);
    expect(loaded.some((u) => u.includes('/native/cli/main.ts'))).toBe(true);
    expect(loaded.filter((u) => u.includes('/node_modules/zod/'))).toEqual([]);
    // (store/paths.ts only says where the default database is.)
    expect(loaded.filter((u) => /\/native\/(engine|service|import|store\/sqlite|vector|embed)/.test(u))).toEqual([]);
  });

  it('a search loads no importer (parsers, date-fns, XML, CSV, ZIP)', () => {
    const loaded = modulesLoaded(['--db', db, '-q', 'search', 'kafka']);
    expect(loaded.some((u) => u.includes('/native/engine.ts'))).toBe(true);
    expect(loaded.filter((u) => u.includes('/native/import/'))).toEqual([]);
    expect(loaded.filter((u) => /\/node_modules\/(date-fns|fast-xml-parser|csv-parse|yauzl|mammoth|turndown|pdfjs-dist)\//.test(u))).toEqual([]);
    // No model is installed: the search is lexical, and hnswlib's addon is not loaded.
    expect(loaded.filter((u) => u.includes('/node_modules/hnswlib-node/'))).toEqual([]);
  });
});
