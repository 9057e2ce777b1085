import { HindsightError } from '../common/errors.js';
import { decodeText } from './decode-text.js';

/**
 * JSON from untrusted bytes: decoded like any text (BOMs, UTF-16), size-limited by the caller,
 * and every parse failure turned into an error that names the file and where it broke.
 */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  return parseJsonText(decodeText(bytes, what), what);
}

export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HindsightError('bad-json', `${what} is not valid JSON (${jsonProblem(err)}).`);
  }
}

function jsonProblem(err: unknown): string {
  return err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message.replace(/^JSON\.parse: /, '');
}

/**
 * JSON Lines / NDJSON: one JSON value per line. Told apart from broken JSON by its first line
 * being a whole JSON object and the next lines starting as objects (a broken later line is then
 * a record error, not a reason to call the file broken).
 */
export function looksLikeNdjson(text: string): boolean {
  const lines: string[] = [];
  for (let at = 0; lines.length < 5 && at < text.length; ) {
    const end = text.indexOf('\n', at);
    const line = text.slice(at, end < 0 ? text.length : end).trim();
    at = end < 0 ? text.length : end + 1;
    if (line) lines.push(line);
  }
  if (lines.length < 2 || !lines.every((l) => l.startsWith('{'))) return false;
  try {
    const first = JSON.parse(lines[0]!) as unknown;
    return !!first && typeof first === 'object';
  } catch {
    return false;
  }
}

export interface JsonLine {
  line: number;
  value?: unknown;
  error?: string;
}

/** The lines of an NDJSON text, parsed one at a time; a broken line is reported, not thrown. */
export function* ndjsonLines(text: string): Generator<JsonLine> {
  let line = 0;
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf('\n', at);
    const raw = text.slice(at, end < 0 ? text.length : end).trim();
    at = end < 0 ? text.length : end + 1;
    line++;
    if (!raw) continue;
    try {
      yield { line, value: JSON.parse(raw) };
    } catch (err) {
      yield { line, error: `line ${line} is not valid JSON (${jsonProblem(err)})` };
    }
  }
}
