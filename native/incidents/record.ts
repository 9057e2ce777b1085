import type { ParsedDocument } from '../import/parsed-document.js';
import type { IncidentRecord } from './types.js';

/**
 * The extraction input of a freshly parsed document (extraction reads the body's own outline): what
 * the import has in hand before anything is stored (and what tests and the eval feed in).
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
    fieldPeople: doc.fields.filter((f) => f.type === 'person').map((f) => f.name),
    fieldServices: doc.fields.filter((f) => f.type === 'service').map((f) => f.name),
    refs: [...doc.refs, ...(doc.url ? [`url:${doc.url}`] : [])],
  };
}
