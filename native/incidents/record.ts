import { chunkMarkdown } from '../chunk/chunker.js';
import type { ParsedDocument } from '../import/parsed-document.js';
import type { IncidentRecord } from './types.js';

/**
 * The extraction input of a freshly parsed document, with the chunker's sections: what the import
 * has in hand before anything is stored (and what tests and the eval feed in).
 */
export function recordFromParsed(doc: ParsedDocument, documentId: number): IncidentRecord {
  return {
    documentId,
    kind: doc.kind,
    format: doc.format,
    title: doc.title,
    body: doc.body,
    occurredAt: doc.occurredAt,
    resolvedAt: doc.resolvedAt,
    severity: doc.severity,
    status: doc.status,
    metadata: doc.metadata,
    sections: chunkMarkdown(doc.body).map((c) => ({ heading: c.heading, role: c.role, start: c.start, end: c.end, text: c.text })),
    fieldPeople: doc.fields.filter((f) => f.type === 'person').map((f) => f.name),
    fieldServices: doc.fields.filter((f) => f.type === 'service').map((f) => f.name),
    refs: [...doc.refs, ...(doc.url ? [`url:${doc.url}`] : [])],
  };
}
