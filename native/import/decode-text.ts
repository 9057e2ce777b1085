import { HindsightError } from '../common/errors.js';

/**
 * Bytes of a text file to a string. Honours UTF-8/UTF-16 byte-order marks, accepts valid UTF-8,
 * falls back to Windows-1252 (what old exports without a BOM usually are), and refuses what looks
 * like binary data rather than importing junk.
 */
export function decodeText(bytes: Uint8Array, what: string): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return finish(new TextDecoder('utf-8').decode(bytes.subarray(3)), what);
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return finish(new TextDecoder('utf-16le').decode(bytes.subarray(2)), what);
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return finish(new TextDecoder('utf-16be').decode(bytes.subarray(2)), what);
  }
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return finish(new TextDecoder(utf16).decode(bytes), what);
  assertNotBinary(bytes, what);
  try {
    return finish(new TextDecoder('utf-8', { fatal: true }).decode(bytes), what);
  } catch {
    // UTF-8 with a few damaged bytes stays UTF-8 (the damage becomes U+FFFD).
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const damaged = lenient.match(/\uFFFD/g)?.length ?? 0;
    // A Windows-1252 file has no valid multi-byte sequences at all ("é" is one byte 0xE9): only a
    // file that has some is damaged UTF-8 rather than another encoding.
    if (damaged <= Math.max(2, lenient.length * 0.01) && hasUtf8Sequence(bytes)) return lenient.replace(/\r\n?/g, '\n');
    // Western text in Windows-1252 has few high bytes; a file made mostly of them is not text.
    let high = 0;
    for (const b of bytes) if (b >= 0x80) high++;
    if (high / bytes.length > 0.3) {
      throw new HindsightError('bad-encoding', `${what} is not readable text in UTF-8, UTF-16 or Windows-1252 (broken encoding).`);
    }
    return finish(decodeWindows1252(bytes), what);
  }
}

/** Whether the bytes hold at least one well-formed UTF-8 multi-byte character. */
function hasUtf8Sequence(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length - 1; i++) {
    const b = bytes[i]!;
    if (b < 0xc2 || b > 0xf4) continue;
    const n = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
    let ok = i + n < bytes.length;
    for (let k = 1; ok && k <= n; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok) return true;
  }
  return false;
}

// Node's TextDecoder treats 'windows-1252' as Latin-1; the 0x80–0x9F block differs (smart quotes, dashes, €).
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const part = bytes.subarray(i, i + 8192);
    out += String.fromCharCode(...Array.from(part, (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH.charCodeAt(b - 0x80) : b)));
  }
  return out;
}

/**
 * UTF-16 written without a byte-order mark (some Windows tools do this): text in the Latin ranges
 * then has a NUL in every other byte — the high byte of each code unit — and none in the others.
 */
function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero / pairs > 0.6 && evenZero / pairs < 0.05) return 'utf-16le';
  if (evenZero / pairs > 0.6 && oddZero / pairs < 0.05) return 'utf-16be';
  return null;
}

function assertNotBinary(bytes: Uint8Array, what: string): void {
  const n = Math.min(bytes.length, 64 * 1024);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) throw new HindsightError('binary-file', `${what} looks like a binary file (it contains NUL bytes), not text.`);
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  if (n > 0 && control / n > 0.05) {
    throw new HindsightError('binary-file', `${what} looks like a binary file (${control} control bytes), not text.`);
  }
}

function finish(text: string, what: string): string {
  // U+FFFD runs mean the declared encoding was wrong; a few are tolerated (real files have them).
  const bad = text.length ? (text.match(/\uFFFD/g)?.length ?? 0) / text.length : 0;
  if (bad > 0.1) throw new HindsightError('bad-encoding', `${what} is not readable text in UTF-8, UTF-16 or Windows-1252.`);
  return text.replace(/\r\n?/g, '\n').replaceAll('\u0000', '');
}
