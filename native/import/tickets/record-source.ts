import type * as z from 'zod';
import type { ImportFileError } from '../../contract.js';
import type { ParsedDocument } from '../parsed-document.js';
import { ticketDocument, type Ticket } from './ticket.js';

/**
 * A tracker export format: how one raw record is validated (a zod schema that coerces what can
 * be coerced, e.g. a string where a list belongs) and turned into a ticket.
 */
export interface TicketFormat<R> {
  /** The format name the import summary counts documents by ("jira-json"). */
  name: string;
  schema: z.ZodType<R>;
  /** The record's key for error messages, read from the raw record before validation. */
  label(raw: unknown): string | null;
  /**
   * The ticket, or why this record cannot be one (a row with neither key nor title): every
   * record not imported is reported, never dropped in silence. `position` is the record's.
   */
  toTicket(record: R, source: string, position: number): Ticket | Refusal;
}

/** Why a record is not imported, in words for the user ("has no Issue key and no Summary"). */
export interface Refusal {
  refused: string;
}

export const refuse = (refused: string): Refusal => ({ refused });

/**
 * Where a record without a key comes from, `file#row-N`: with the file, the row is its stable
 * identity (ticketDocument derives the uid from it). Preferred to refusing a record that has a
 * title or a body: the row is still an incident someone wrote down.
 */
export const rowSource = (source: string, position: number) => `${source}#row-${position}`;

/** A title for a record whose title field is empty: the first line of its body, shortened. */
export function titleFromBody(body: string | null | undefined): string | null {
  const line = body?.split('\n').map((l) => l.trim()).find(Boolean);
  if (!line) return null;
  return line.length > 100 ? `${line.slice(0, 97).replace(/\s+\S*$/, '')}…` : line;
}

/** A record with its 1-based position in the file (record number, or line for NDJSON). */
export interface Positioned {
  position: number;
  raw: unknown;
  /** Set when the record could not even be read (a broken NDJSON line). */
  error?: string;
}

export type RecordReport = (e: ImportFileError) => void;

/**
 * Documents from records, one by one: a record that fails validation or mapping is reported
 * with its position, key and reason, and the rest of the file goes on. A generator, so that a
 * 100k-row export is never held as 100k documents and the importer's cancel acts between records.
 */
export async function* ticketDocuments<R>(
  format: TicketFormat<R>,
  records: Iterable<Positioned> | AsyncIterable<Positioned>,
  source: string,
  report: RecordReport,
): AsyncGenerator<ParsedDocument> {
  for await (const { position, raw, error } of records) {
    const key = error ? null : safeLabel(format, raw);
    const fail = (reason: string) => {
      const record = `${position}${key ? ` (${key})` : ''}`;
      report({ source, code: 'refused-input', reason: 'bad-record', message: `${source} record ${record}: ${reason}`, record });
    };
    if (error) {
      fail(error);
      continue;
    }
    const parsed = format.schema.safeParse(raw);
    if (!parsed.success) {
      fail(describeIssues(parsed.error));
      continue;
    }
    let doc: ParsedDocument;
    try {
      const ticket = format.toTicket(parsed.data, source, position);
      if ('refused' in ticket) {
        fail(`not imported: ${ticket.refused}`);
        continue;
      }
      doc = ticketDocument(ticket);
    } catch (err) {
      fail(`could not be read (${(err as Error).message})`);
      continue;
    }
    yield doc;
  }
}

function safeLabel(format: TicketFormat<unknown>, raw: unknown): string | null {
  try {
    return format.label(raw);
  } catch {
    return null;
  }
}

/** A zod error for people: "fields.summary: expected text" rather than a schema dump. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
}

/** Positions for an in-memory list of records. */
export function* positioned(list: unknown[]): Generator<Positioned> {
  for (let i = 0; i < list.length; i++) yield { position: i + 1, raw: list[i] };
}
