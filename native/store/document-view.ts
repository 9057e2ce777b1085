import type { DocumentKind, DocumentLink, DocumentView, EntityRef, SectionRole } from '../contract.js';
import type { Db } from './database.js';

/** A document with its sections, entities and links, both ways, resolved where the target is imported. */
export function showDocument(db: Db, id: number): DocumentView | null {
  const row = db
    .prepare(
      `SELECT id, kind, format, title, source, url, external_id AS externalId, occurred_at AS occurredAt, resolved_at AS resolvedAt,
              severity, status, metadata, body FROM documents WHERE id = ?`,
    )
    .get(id) as (Omit<DocumentView, 'metadata' | 'sections' | 'entities' | 'links'> & { metadata: string }) | undefined;
  if (!row) return null;
  const sections = db
    .prepare('SELECT heading, role, start_offset AS start, end_offset AS end FROM chunks WHERE document_id = ? ORDER BY ord')
    .all(id) as Array<{ heading: string; role: SectionRole; start: number; end: number }>;
  const entities = db
    .prepare(
      `SELECT e.type, e.key, e.name, de.mentions FROM document_entities de JOIN entities e ON e.id = de.entity_id
       WHERE de.document_id = ? ORDER BY e.type, de.mentions DESC, e.name`,
    )
    .all(id) as EntityRef[];
  type LinkRow = { relation: string; target: string; documentId: number | null; title: string | null; kind: DocumentKind | null };
  const out = db
    .prepare(
      `SELECT l.relation, l.target, d.id AS documentId, d.title, d.kind FROM links l
       LEFT JOIN document_refs r ON r.ref = l.target LEFT JOIN documents d ON d.id = r.document_id
       WHERE l.document_id = ? ORDER BY l.relation, l.target`,
    )
    .all(id) as LinkRow[];
  const incoming = db
    .prepare(
      `SELECT DISTINCT l.relation, l.target, d.id AS documentId, d.title, d.kind FROM document_refs r
       JOIN links l ON l.target = r.ref JOIN documents d ON d.id = l.document_id
       WHERE r.document_id = ? AND l.document_id != ? ORDER BY d.occurred_at`,
    )
    .all(id, id) as LinkRow[];
  const links: DocumentLink[] = [
    ...out.map((l) => ({ direction: 'out' as const, ...l })),
    ...incoming.map((l) => ({ direction: 'in' as const, ...l })),
  ];
  return { ...row, metadata: JSON.parse(row.metadata) as Record<string, unknown>, sections, entities, links };
}
