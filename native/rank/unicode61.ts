/**
 * FTS5's `unicode61` tokenizer with `remove_diacritics 2` and its default categories (L* N* Co),
 * ported from SQLite (fts5_tokenize.c, fts5_unicode2.c) so that term statistics computed in
 * TypeScript count exactly the tokens the FTS5 index holds. Character classes and case folding
 * come from SQLite's own tables (fts5-unicode-tables.ts), not from JavaScript's Unicode data:
 * the two disagree on newer and unassigned code points, and on folds such as U+0130.
 */
import {
  CATEGORY_BLOCKS,
  CATEGORY_DATA,
  CATEGORY_MAP,
  DIACRITIC_CHARS,
  DIACRITIC_KEYS,
  DIACRITIC_MASKS,
  FOLD_ENTRIES,
  FOLD_OFFSETS,
} from './fts5-unicode-tables.js';

/** Category numbers that make a token character: L* (5-9, 30), N* (13-15), Co (31); and 0, which CatParse always sets. */
const TOKEN_CATEGORY = (() => {
  const a = new Uint8Array(32);
  for (const i of [0, 5, 6, 7, 8, 9, 30, 13, 14, 15, 31]) a[i] = 1;
  return a;
})();

/** SQLite's general category of a code point (sqlite3Fts5UnicodeCategory). */
export function unicodeCategory(code: number): number {
  if (code >= 1 << 20) return 0;
  let lo = CATEGORY_BLOCKS[code >> 16]!;
  let hi = CATEGORY_BLOCKS[1 + (code >> 16)]!;
  const key = code & 0xffff;
  let res = -1;
  while (hi > lo) {
    const test = (hi + lo) >> 1;
    if (key >= CATEGORY_MAP[test]!) {
      res = test;
      lo = test + 1;
    } else hi = test;
  }
  if (res < 0) return 0;
  if (key >= CATEGORY_MAP[res]! + (CATEGORY_DATA[res]! >> 5)) return 0;
  const ret = CATEGORY_DATA[res]! & 0x1f;
  if (ret !== 30) return ret;
  return (key - CATEGORY_MAP[res]!) & 1 ? 5 : 9;
}

/** Token characters below 128 (sqlite3Fts5UnicodeAscii): runs of the category table. */
const ASCII_TOKEN = (() => {
  const a = new Uint8Array(128);
  let i = 0;
  let t = 0;
  while (i < 128) {
    const token = TOKEN_CATEGORY[CATEGORY_DATA[t]! & 0x1f]!;
    const n = (CATEGORY_DATA[t]! >> 5) + i;
    for (; i < 128 && i < n; i++) a[i] = token;
    t++;
  }
  a[0] = 0;
  return a;
})();

function isTokenChar(code: number): boolean {
  // SQLite's UTF-8 reader turns U+FFFE and U+FFFF into U+FFFD (a symbol: a separator).
  if (code === 0xfffe || code === 0xffff) return false;
  return code < 128 ? ASCII_TOKEN[code] === 1 : TOKEN_CATEGORY[unicodeCategory(code)] === 1;
}

/** Combining marks FTS5 keeps inside a token (and folds away). */
function isDiacritic(code: number): boolean {
  if (code < 768 || code > 817) return false;
  return code < 800 ? (DIACRITIC_MASKS[0]! & (1 << (code - 768))) !== 0 : (DIACRITIC_MASKS[1]! & (1 << (code - 800))) !== 0;
}

/** fts5_remove_diacritic with bComplex = 1 (remove_diacritics 2). */
function removeDiacritic(c: number): number {
  const key = ((c << 3) | 7) >>> 0;
  let res = 0;
  let hi = DIACRITIC_KEYS.length - 1;
  let lo = 0;
  while (hi >= lo) {
    const test = (hi + lo) >> 1;
    if (key >= DIACRITIC_KEYS[test]!) {
      res = test;
      lo = test + 1;
    } else hi = test - 1;
  }
  const k = DIACRITIC_KEYS[res]!;
  return c > (k >> 3) + (k & 7) ? c : DIACRITIC_CHARS[res]! & 0x7f;
}

const FOLD_COUNT = FOLD_ENTRIES.length / 3;

/** sqlite3Fts5UnicodeFold(c, 2): lower case, then diacritics removed (0 means "drop the character"). */
export function foldCodePoint(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  if (c < 65536) {
    let hi = FOLD_COUNT - 1;
    let lo = 0;
    let res = -1;
    while (hi >= lo) {
      const test = (hi + lo) >> 1;
      if (c - FOLD_ENTRIES[test * 3]! >= 0) {
        res = test;
        lo = test + 1;
      } else hi = test - 1;
    }
    let ret = c;
    const code = FOLD_ENTRIES[res * 3]!;
    const flags = FOLD_ENTRIES[res * 3 + 1]!;
    const range = FOLD_ENTRIES[res * 3 + 2]!;
    if (c < code + range && (0x01 & flags & (code ^ c)) === 0) ret = (c + FOLD_OFFSETS[flags >> 1]!) & 0xffff;
    return removeDiacritic(ret);
  }
  if (c >= 66560 && c < 66600) return c + 40;
  return c;
}

/**
 * The tokens unicode61 emits for text, folded, in order. Text reaches FTS5 as UTF-8; a lone
 * surrogate becomes U+FFFD there, a separator, as it is here.
 */
export function unicode61Tokens(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    // Skip separators: a token starts with a token character (a bare combining mark does not start one).
    let c = text.codePointAt(i)!;
    if (!isTokenChar(c)) {
      i += c > 0xffff ? 2 : 1;
      continue;
    }
    // Fast path: a run of ASCII letters and digits, the usual token.
    let j = i;
    while (j < n) {
      const a = text.charCodeAt(j);
      if (a >= 128 || ASCII_TOKEN[a] !== 1) break;
      j++;
    }
    const next = j < n ? text.charCodeAt(j) : 0;
    if (j === n || next < 128) {
      out.push(text.slice(i, j).toLowerCase());
      i = j;
      continue;
    }
    let token = '';
    j = i;
    while (j < n) {
      c = text.codePointAt(j)!;
      if (c < 128) {
        if (ASCII_TOKEN[c] !== 1) break;
        token += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
        j++;
        continue;
      }
      if (!(isTokenChar(c) || isDiacritic(c))) break;
      const folded = foldCodePoint(c);
      if (folded) token += String.fromCodePoint(folded);
      j += c > 0xffff ? 2 : 1;
    }
    out.push(token);
    i = j;
  }
  return out;
}
