/**
 * better-sqlite3, loaded the way a cold CLI search can afford. Both ways below were measured with
 * whole-process CPU time (pairs, medians) on this machine:
 * - `require`, not `import`: importing this CommonJS package from an ES module runs Node's ESM
 *   resolution and its CommonJS export scanner (cjs-module-lexer) first, ~15 ms of a cold start.
 * - the addon named: left to itself, better-sqlite3 finds its `.node` file through the `bindings`
 *   package, which tries a dozen paths and reads package.json files (a few ms).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const Database = require('better-sqlite3') as typeof BetterSqlite3;
export type Db = BetterSqlite3.Database;

let binding: string | null | undefined;

/**
 * The addon to open databases with. In the desktop app's development run it is built for
 * Electron's ABI beside the Node build the CLI uses (scripts/electron-native.mjs), and named by
 * HINDSIGHT_SQLITE_BINDING; packaged apps have only the Electron one. Otherwise it is where npm's
 * build puts it; when it is not there (another layout), better-sqlite3 looks for it itself.
 */
export function sqliteBinding(): { nativeBinding?: string } {
  if (process.env.HINDSIGHT_SQLITE_BINDING) return { nativeBinding: process.env.HINDSIGHT_SQLITE_BINDING };
  if (binding === undefined) {
    try {
      const file = join(dirname(require.resolve('better-sqlite3')), '..', 'build', 'Release', 'better_sqlite3.node');
      binding = existsSync(file) ? file : null;
    } catch {
      binding = null;
    }
  }
  return binding ? { nativeBinding: binding } : {};
}
