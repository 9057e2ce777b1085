/**
 * `--only startup`: the CLI's own start-up, whole processes beside `node -e 0` run in turn with
 * them (the floor: Node's start on this machine). `--help` loads commander and the CLI only; the
 * same from the unbundled tsc output (`dist/native/cli/bin.js`) shows what the bundle saves.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldRuns } from './scale.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));

export function benchStartup(runs = 15): void {
  console.log('\nStart-up: whole processes, medians of paired runs with `node -e 0`');
  const bundled = join(REPO, 'bin/hindsight.js');
  const unbundled = join(REPO, 'dist/native/cli/bin.js');
  if (!existsSync(join(REPO, 'dist/cli/hindsight.js')) || !existsSync(unbundled)) {
    console.log('    not built: run `npm run build` first');
    process.exitCode = 1;
    return;
  }
  const rows: Array<[string, string[]]> = [
    ['hindsight --help (bundle)', [process.execPath, bundled, '--help']],
    ['hindsight --help (unbundled tsc output)', [process.execPath, unbundled, '--help']],
  ];
  for (const [label, cmd] of rows) {
    const r = coldRuns(cmd, {}, runs);
    console.log(`    ${label.padEnd(42)} ${(r.wall * 1000).toFixed(0).padStart(5)} ms wall (node -e 0: ${(r.floor * 1000).toFixed(0)} ms, ratio ${r.ratio.toFixed(2)}×; target < 150 ms), peak ${r.rssMb.toFixed(0)} MB${r.ok ? '' : ' (FAILED)'}`);
  }
}
