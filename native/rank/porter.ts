/**
 * FTS5's porter stemmer (fts5_tokenize.c), ported rule for rule. It works on the UTF-8 bytes of a
 * token, as SQLite does: byte lengths decide which tokens are stemmed (3 to 64 bytes) and a
 * non-ASCII byte counts as a consonant, so a port on JavaScript characters would stem some
 * non-English words differently from the index.
 */

const MAX_TOKEN = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const A = 97, E = 101, I = 105, O = 111, U = 117, Y = 121;

function isVowel(c: number, yIsVowel: boolean): boolean {
  return c === A || c === E || c === I || c === O || c === U || (yIsVowel && c === Y);
}

/** Offset after the first vowel-consonant sequence in b[from, from+n), 0 if there is none. */
function gobbleVC(b: number[], from: number, n: number, prevCons: boolean): number {
  let cons = prevCons;
  let i = 0;
  for (; i < n; i++) {
    cons = !isVowel(b[from + i]!, cons);
    if (!cons) break;
  }
  for (i++; i < n; i++) {
    cons = !isVowel(b[from + i]!, cons);
    if (cons) return i + 1;
  }
  return 0;
}

const mGt0 = (b: number[], n: number) => gobbleVC(b, 0, n, false) !== 0;
function mGt1(b: number[], n: number): boolean {
  const k = gobbleVC(b, 0, n, false);
  return k !== 0 && gobbleVC(b, k, n - k, true) !== 0;
}
function mEq1(b: number[], n: number): boolean {
  const k = gobbleVC(b, 0, n, false);
  return k !== 0 && gobbleVC(b, k, n - k, true) === 0;
}
/** *o: the stem ends consonant-vowel-consonant, the last not w, x or y. */
function oStar(b: number[], n: number): boolean {
  const last = b[n - 1];
  if (last === 119 || last === 120 || last === Y) return false;
  let mask = 0;
  let cons = false;
  for (let i = 0; i < n; i++) {
    cons = !isVowel(b[i]!, cons);
    mask = (mask << 1) + (cons ? 1 : 0);
  }
  return (mask & 7) === 5;
}
const mGt1SorT = (b: number[], n: number) => (b[n - 1] === 115 || b[n - 1] === 116) && mGt1(b, n);
function hasVowel(b: number[], n: number): boolean {
  for (let i = 0; i < n; i++) if (isVowel(b[i]!, i > 0)) return true;
  return false;
}

type Cond = ((b: number[], n: number) => boolean) | null;
/** [suffix, condition on the stem, replacement, whether a match ends step 1b] per rule. */
type Rule = readonly [string, Cond, string, boolean?];

function endsWith(b: number[], n: number, suffix: string): boolean {
  if (n <= suffix.length) return false; // SQLite's generated rules test nBuf > length
  for (let i = 0; i < suffix.length; i++) if (b[n - suffix.length + i] !== suffix.charCodeAt(i)) return false;
  return true;
}

/**
 * One generated step (mkportersteps.tcl): rules are grouped by the second-to-last byte, the first
 * rule whose suffix matches decides, whether or not its condition holds.
 */
function step(rules: Record<string, readonly Rule[]>) {
  const byChar = new Map<number, readonly Rule[]>(Object.entries(rules).map(([k, v]) => [k.charCodeAt(0), v]));
  return (b: number[], len: { n: number }): boolean => {
    const n = len.n;
    const group = byChar.get(b[n - 2]!);
    if (!group) return false;
    for (const [suffix, cond, output, ends] of group) {
      if (!endsWith(b, n, suffix)) continue;
      const stem = n - suffix.length;
      if (cond === null || cond(b, stem)) {
        for (let i = 0; i < output.length; i++) b[stem + i] = output.charCodeAt(i);
        len.n = stem + output.length;
        return ends === true;
      }
      return false;
    }
    return false;
  };
}

const step1B = step({
  e: [['eed', mGt0, 'ee'], ['ed', hasVowel, '', true]],
  n: [['ing', hasVowel, '', true]],
});
const step1B2 = step({ a: [['at', null, 'ate', true]], b: [['bl', null, 'ble', true]], i: [['iz', null, 'ize', true]] });
const step2 = step({
  a: [['ational', mGt0, 'ate'], ['tional', mGt0, 'tion']],
  c: [['enci', mGt0, 'ence'], ['anci', mGt0, 'ance']],
  e: [['izer', mGt0, 'ize']],
  g: [['logi', mGt0, 'log']],
  l: [['bli', mGt0, 'ble'], ['alli', mGt0, 'al'], ['entli', mGt0, 'ent'], ['eli', mGt0, 'e'], ['ousli', mGt0, 'ous']],
  o: [['ization', mGt0, 'ize'], ['ation', mGt0, 'ate'], ['ator', mGt0, 'ate']],
  s: [['alism', mGt0, 'al'], ['iveness', mGt0, 'ive'], ['fulness', mGt0, 'ful'], ['ousness', mGt0, 'ous']],
  t: [['aliti', mGt0, 'al'], ['iviti', mGt0, 'ive'], ['biliti', mGt0, 'ble']],
});
const step3 = step({
  a: [['ical', mGt0, 'ic']],
  s: [['ness', mGt0, '']],
  t: [['icate', mGt0, 'ic'], ['iciti', mGt0, 'ic']],
  u: [['ful', mGt0, '']],
  v: [['ative', mGt0, '']],
  z: [['alize', mGt0, 'al']],
});
const step4 = step({
  a: [['al', mGt1, '']],
  c: [['ance', mGt1, ''], ['ence', mGt1, '']],
  e: [['er', mGt1, '']],
  i: [['ic', mGt1, '']],
  l: [['able', mGt1, ''], ['ible', mGt1, '']],
  n: [['ant', mGt1, ''], ['ement', mGt1, ''], ['ment', mGt1, ''], ['ent', mGt1, '']],
  o: [['ion', mGt1SorT, ''], ['ou', mGt1, '']],
  s: [['ism', mGt1, '']],
  t: [['ate', mGt1, ''], ['iti', mGt1, '']],
  u: [['ous', mGt1, '']],
  v: [['ive', mGt1, '']],
  z: [['ize', mGt1, '']],
});

function step1A(b: number[], len: { n: number }): void {
  const n = len.n;
  if (b[n - 1] !== 115) return;
  if (b[n - 2] === E) {
    if ((n > 4 && b[n - 4] === 115 && b[n - 3] === 115) || (n > 3 && b[n - 3] === I)) len.n = n - 2;
    else len.n = n - 1;
  } else if (b[n - 2] !== 115) len.n = n - 1;
}

function stemBytes(b: number[], length: number): number {
  const len = { n: length };
  step1A(b, len);
  if (step1B(b, len)) {
    if (!step1B2(b, len)) {
      const n = len.n;
      const c = b[n - 1]!;
      if (!isVowel(c, false) && c !== 108 && c !== 115 && c !== 122 && c === b[n - 2]) len.n--;
      else if (mEq1(b, n) && oStar(b, n)) b[len.n++] = E;
    }
  }
  if (b[len.n - 1] === Y && hasVowel(b, len.n - 1)) b[len.n - 1] = I;
  step2(b, len);
  step3(b, len);
  step4(b, len);
  if (b[len.n - 1] === E && (mGt1(b, len.n - 1) || (mEq1(b, len.n - 1) && !oStar(b, len.n - 1)))) len.n--;
  if (len.n > 1 && b[len.n - 1] === 108 && b[len.n - 2] === 108 && mGt1(b, len.n - 1)) len.n--;
  return len.n;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return false;
  return true;
}

const stemCache = new Map<string, string>();
const CACHE_LIMIT = 200_000;

/** The porter stem FTS5 indexes for a folded unicode61 token. */
export function porterStem(token: string): string {
  const cached = stemCache.get(token);
  if (cached !== undefined) return cached;
  let out = token;
  if (isAscii(token)) {
    if (token.length >= 3 && token.length <= MAX_TOKEN) {
      const b = Array.from(token, (c) => c.charCodeAt(0));
      const n = stemBytes(b, b.length);
      out = String.fromCharCode(...b.slice(0, n));
    }
  } else {
    const bytes = encoder.encode(token);
    if (bytes.length >= 3 && bytes.length <= MAX_TOKEN) {
      const b = Array.from(bytes);
      const n = stemBytes(b, b.length);
      out = decoder.decode(Uint8Array.from(b.slice(0, n)));
    }
  }
  // Vocabularies are Zipfian: a bounded cache of stems saves most of the work at import.
  if (stemCache.size >= CACHE_LIMIT) stemCache.clear();
  stemCache.set(token, out);
  return out;
}
