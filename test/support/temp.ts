import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'hindsight-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A writer of fixture files into `dir` that returns each file's path. */
export function fixtureWriter(dir: string): (name: string, data: string | Buffer) => string {
  return (name, data) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
}
