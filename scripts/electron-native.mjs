// Builds better-sqlite3 for Electron's ABI into .electron-native/, beside the Node build that the
// CLI and the tests use, so that `npm start` does not break `npx hindsight` (and vice versa).
// hnswlib-node and onnxruntime-node use N-API and run in both unchanged. Packaged apps do not need
// this: electron-builder rebuilds their own copy. Needs network access to Electron's headers.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const out = join(root, '.electron-native');
const marker = join(out, 'built-for.txt');
if (existsSync(marker) && readFileSync(marker, 'utf8') === electronVersion) process.exit(0);

mkdirSync(join(out, 'node_modules'), { recursive: true });
writeFileSync(join(out, 'package.json'), JSON.stringify({ name: 'hindsight-electron-native', private: true, dependencies: { 'better-sqlite3': '*' } }));
for (const m of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
  cpSync(join(root, 'node_modules', m), join(out, 'node_modules', m), { recursive: true, dereference: true });
}
const { rebuild } = require('@electron/rebuild');
console.log(`Building better-sqlite3 for Electron ${electronVersion}…`);
await rebuild({ buildPath: out, electronVersion, onlyModules: ['better-sqlite3'], force: true });
writeFileSync(marker, electronVersion);
