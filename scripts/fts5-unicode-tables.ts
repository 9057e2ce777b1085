/**
 * Regenerates native/rank/fts5-unicode-tables.ts from the SQLite amalgamation that better-sqlite3
 * builds (node_modules/better-sqlite3/deps/sqlite3/sqlite3.c), so that our tokenizer classifies and
 * folds characters exactly as the FTS5 index does. Run after a better-sqlite3 upgrade:
 *
 *   npx tsx scripts/fts5-unicode-tables.ts
 *
 * SQLite is in the public domain; the tables are machine-generated there from the Unicode database.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const sqliteDir = join(dirname(require.resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
const source = readFileSync(join(sqliteDir, 'sqlite3.c'), 'utf8');
const version = /#define SQLITE_VERSION\s+"([^"]+)"/.exec(source)?.[1];
if (!version) throw new Error('sqlite3.c: no SQLITE_VERSION');

/** The body of the first C array initialiser named `name` after `from`. */
function arrayBody(name: string, from = 0): string {
  const start = source.indexOf(`${name}[] = {`, from);
  if (start < 0) throw new Error(`sqlite3.c: no array ${name}`);
  const open = source.indexOf('{', start);
  const close = source.indexOf('};', open);
  return source.slice(open + 1, close);
}

function numbers(body: string): number[] {
  return body.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new Error(`sqlite3.c: not an integer: ${s}`);
    return n;
  });
}

/** `'a'`, `'\0'` and `'o'|HIBIT` as byte values. */
function chars(body: string): number[] {
  return body.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^'(\\0|.)'(\s*\|\s*HIBIT)?$/.exec(s);
    if (!m) throw new Error(`sqlite3.c: not a char: ${s}`);
    return (m[1] === '\\0' ? 0 : m[1]!.charCodeAt(0)) | (m[2] ? 0x80 : 0);
  });
}

const removeDiacritic = source.indexOf('static int fts5_remove_diacritic(int c, int bComplex){');
const fold = source.indexOf('static int sqlite3Fts5UnicodeFold(int c, int eRemoveDiacritic){');
if (removeDiacritic < 0 || fold < 0) throw new Error('sqlite3.c: FTS5 unicode functions not found');
const entries = [...arrayBody('aEntry', fold).matchAll(/\{(\d+),\s*(\d+),\s*(\d+)\}/g)].flatMap((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
const isDiacritic = /static int sqlite3Fts5UnicodeIsdiacritic\(int c\)\{\s*unsigned int mask0 = (0x[0-9A-F]+);\s*unsigned int mask1 = (0x[0-9A-F]+);/.exec(source);
if (!isDiacritic) throw new Error('sqlite3.c: sqlite3Fts5UnicodeIsdiacritic not found');

const tables = {
  DIACRITIC_KEYS: numbers(arrayBody('aDia', removeDiacritic)),
  DIACRITIC_CHARS: chars(arrayBody('aChar', removeDiacritic)),
  FOLD_ENTRIES: entries,
  FOLD_OFFSETS: numbers(arrayBody('aiOff', fold)),
  CATEGORY_BLOCKS: numbers(arrayBody('aFts5UnicodeBlock')),
  CATEGORY_MAP: numbers(arrayBody('aFts5UnicodeMap')),
  CATEGORY_DATA: numbers(arrayBody('aFts5UnicodeData')),
};

const wrap = (xs: number[]) => xs.join(',').replace(/((?:[^,]*,){24})/g, '$1\n  ').trimEnd();
const out = `/**
 * Character tables of FTS5's unicode61 tokenizer, extracted from SQLite ${version} (public domain)
 * by scripts/fts5-unicode-tables.ts. DO NOT EDIT: regenerate after a better-sqlite3 upgrade.
 */
${Object.entries(tables).map(([k, v]) => `export const ${k}: readonly number[] = [\n  ${wrap(v)}\n];\n`).join('\n')}
/** Combining marks 768..817 that FTS5 treats as part of a token (bit masks from sqlite3Fts5UnicodeIsdiacritic). */
export const DIACRITIC_MASKS = [${isDiacritic[1]}, ${isDiacritic[2]}];

export const SQLITE_VERSION = '${version}';
`;
const target = new URL('../native/rank/fts5-unicode-tables.ts', import.meta.url).pathname;
writeFileSync(target, out);
console.log(`wrote ${target} (SQLite ${version})`);
