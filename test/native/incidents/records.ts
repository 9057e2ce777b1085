/** Records for the incident specs, read from real files with the real parsers at test time. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMarkdown } from '../../../native/import/formats/markdown.js';
import type { ParsedDocument } from '../../../native/import/parsed-document.js';
import { readSource } from '../../../native/import/read-source.js';
import { extractRecordFields } from '../../../native/incidents/extract.js';
import { recordFromParsed } from '../../../native/incidents/record.js';
import { loadTaxonomy, type Taxonomy } from '../../../native/incidents/taxonomy.js';
import type { IncidentFields, IncidentRecord } from '../../../native/incidents/types.js';
import { CORPUS } from '../../support/generated-models.js';

export const POSTMORTEMS = join(CORPUS, 'postmortems');
export const FIXTURES = new URL('../../fixtures/markdown/', import.meta.url).pathname;
export const DEMO = new URL('../../../demo/', import.meta.url).pathname;

let taxonomy: Taxonomy | null = null;
export function shippedTaxonomy(): Taxonomy {
  return (taxonomy ??= loadTaxonomy());
}

let nextId = 1;

/** A Markdown postmortem (corpus path relative to postmortems/, or an absolute path). */
export function markdownRecord(path: string, documentId = nextId++): IncidentRecord {
  const abs = path.startsWith('/') ? path : join(POSTMORTEMS, path);
  return recordFromParsed(parseMarkdown(abs, readFileSync(abs))[0]!, documentId);
}

/** A Markdown record built from a body (for excerpts of real documents). */
export function bodyRecord(body: string, documentId = nextId++): IncidentRecord {
  return recordFromParsed(parseMarkdown('/excerpt.md', Buffer.from(body))[0]!, documentId);
}

/** The documents a source yields (a ticket export, a Slack export folder). */
export async function sourceDocuments(path: string, slackExport = false): Promise<ParsedDocument[]> {
  const src = await readSource({ path, root: path, slackExport }, { report: () => {} });
  const out: ParsedDocument[] = [];
  for await (const d of src.documents) out.push(d);
  src.close();
  return out;
}

export async function sourceRecord(path: string, uid: string, slackExport = false, documentId = nextId++): Promise<IncidentRecord> {
  const doc = (await sourceDocuments(path, slackExport)).find((d) => d.uid === uid);
  if (!doc) throw new Error(`${path} has no document ${uid}`);
  return recordFromParsed(doc, documentId);
}

export function fieldsOf(record: IncidentRecord): IncidentFields {
  return extractRecordFields(record, shippedTaxonomy());
}

/** The text a field's provenance points at. */
export function spanOf(record: IncidentRecord, from: { start?: number; end?: number }): string {
  return from.start === undefined ? '' : record.body.slice(from.start, from.end);
}

/** A section of a corpus file, as written: the lines from a heading to the next one of its level. */
export function sectionOf(path: string, heading: string): string {
  const text = readFileSync(path.startsWith('/') ? path : join(POSTMORTEMS, path), 'utf8');
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`${path} has no "${heading}"`);
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const rest = text.slice(start + heading.length);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return text.slice(start, start + heading.length + (next < 0 ? rest.length : next));
}
