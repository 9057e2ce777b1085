#!/usr/bin/env node
// The `hindsight` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/hindsight.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('hindsight: the CLI is not built yet. Run `npm run build` (npm ci does it for you).\n');
  process.exit(1);
}
await import(entry.href);
