import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureTinyModel } from '../support/generated-models.js';
import { tempDir } from '../support/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GUARD = join(ROOT, 'test/support/no-network.mjs');
const dir = tempDir();

function run(args: string[], log: string, script?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', GUARD, ...(script ? ['--input-type=module', '-e', script] : ['native/cli/bin.ts', ...args])], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      HINDSIGHT_NET_LOG: log,
      HINDSIGHT_HOME: join(dir, 'home'),
      HINDSIGHT_MODEL_DIR: ensureTinyModel(join(dir, 'models')),
      HINDSIGHT_ALLOW_UNVERIFIED_MODEL: '1',
    },
    timeout: 120_000,
  });
  return r;
}

describe('no network request by default', () => {
  it('the guard catches a connection attempt (the check can fail)', () => {
    const log = join(dir, 'control.log');
    run([], log, "try { await fetch('http://127.0.0.1:9/'); } catch {} try { (await import('node:net')).connect(9, '127.0.0.1'); } catch {}");
    expect(readFileSync(log, 'utf8')).toMatch(/fetch http:\/\/127\.0\.0\.1:9\/[\s\S]*net\.connect/);
  });

  it('import, embedding (in its worker), search, similar and patterns open no connection', { timeout: 240_000 }, () => {
    const log = join(dir, 'engine.log');
    const db = join(dir, 'n.db');
    for (const args of [
      ['--db', db, 'import', join(ROOT, 'demo'), '-q'],
      ['--db', db, 'search', 'kafka consumer lag', '-q'],
      ['--db', db, 'similar', '--text', 'checkout 503 connection pool exhausted', '-q'],
      ['--db', db, 'patterns', '-q'],
      ['--db', db, 'stats'],
    ]) {
      const r = run(args, log);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    // The searches above were hybrid: the model really ran in its worker thread.
    expect(run(['--db', db, 'stats', '--json'], log).stdout).toMatch(/"embedded": [1-9]/);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
  });
});
