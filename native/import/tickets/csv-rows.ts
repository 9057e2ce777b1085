import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { breathe } from '../../common/breathe.js';
import { HindsightError } from '../../common/errors.js';
import type { RawRecord } from './field-map.js';

const MAX_FIELD = 1_000_000;
const CHUNK = 64 * 1024;

/**
 * The rows of a CSV text, one by one: csv-parse is fed in 64 KB slices with backpressure, so a
 * 100k-row export is never held as 100k parsed rows (only the text itself is in memory).
 */
export async function* csvRows(text: string, what: string): AsyncGenerator<string[]> {
  function* slices() {
    for (let i = 0; i < text.length; ) {
      let end = Math.min(text.length, i + CHUNK);
      // Never cut a surrogate pair in two (it would become two U+FFFD).
      if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
      yield text.slice(i, end);
      i = end;
    }
  }
  const parser = Readable.from(slices()).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_FIELD }));
  try {
    for await (const row of parser) {
      yield row as string[];
      // A big export is read in one go before its first ticket (ServiceNow audit logs): let Cancel through.
      await breathe();
    }
  } catch (err) {
    throw new HindsightError('bad-csv', `${what} is not a readable CSV file (${(err as Error).message.split('\n')[0]}).`);
  } finally {
    parser.destroy();
  }
}

/** A CSV header: the names rows are keyed by (lower-cased, trimmed). */
export class CsvHeader {
  readonly keys: string[];
  constructor(readonly names: string[]) {
    this.keys = names.map((h) => h.trim().toLowerCase());
  }

  has(...names: string[]): boolean {
    return names.some((n) => this.keys.includes(n.toLowerCase()));
  }

  /**
   * A row as a record. Cells that say nothing ("", "?", "null") are left out; a column that
   * repeats (Jira's Labels, Comment, Component/s) holds the list of its values.
   */
  record(row: string[]): RawRecord {
    const r: RawRecord = {};
    this.keys.forEach((k, i) => {
      const v = row[i]?.trim();
      const repeated = k in r || this.keys.indexOf(k) !== this.keys.lastIndexOf(k);
      if (repeated) {
        const prev = r[k];
        r[k] = [...(Array.isArray(prev) ? prev : prev === undefined ? [] : [prev]), ...(v && v !== '?' ? [v] : [])];
      } else if (v && v !== '?' && v.toLowerCase() !== 'null') {
        r[k] = v;
      }
    });
    return r;
  }
}
