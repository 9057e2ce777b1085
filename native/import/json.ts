import { HindsightError } from '../common/errors.js';
import { decodeText } from './decode-text.js';

/**
 * JSON from untrusted bytes: decoded like any text (BOMs, UTF-16), size-limited by the caller,
 * and every parse failure turned into an error that names the file and where it broke.
 */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  const text = decodeText(bytes, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message.replace(/^JSON\.parse: /, '');
    throw new HindsightError('bad-json', `${what} is not valid JSON (${msg}).`);
  }
}
