import { DocumentMetadataSchema, type IncidentRecordRole, type DocumentKind, type DocumentLink, type DocumentMetadata, type DocumentView, type EntityRef, type SearchFilters, type SectionRole } from '../../contract.js';
import type { FoundEntity } from '../../entities/extract.js';
import type { DocumentStore, DocumentSummary, DocumentWithBody, DocumentWrite, WriteResult } from '../store.js';
import { filterSql } from './filters.js';
import type { SqliteRanking } from './ranking.js';
import { ids, type Sql } from './sql.js';
import { vectorToBlob } from './vectors.js';

const SUMMARY = `d.id, d.title, d.kind, d.format, d.source, d.url, d.occurred_at AS occurredAt, d.resolved_at AS resolvedAt,
  d.severity, d.status, d.metadata`;
type SummaryRow = Omit<DocumentSummary, 'metadata'> & { metadata: string };

/** Stored metadata read back through its schema: a value of the wrong shape is dropped, not thrown. */
export function parseMetadata(json: string): DocumentMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return {};
  }
  const parsed = DocumentMetadataSchema.safeParse(raw);
  return parsed.success ? parsed.data : {};
}

const summary = (r: SummaryRow): DocumentSummary => ({ ...r, metadata: parseMetadata(r.metadata) });

export function documentStore(sql: Sql, ranking: SqliteRanking): DocumentStore {
  return {
    async findByUid(uid) {
      return sql.get<{ id: number; contentHash: string }>('SELECT id, content_hash AS contentHash FROM documents WHERE uid = ?', uid) ?? null;
    },

    async write(w) {
      return sql.write(() => writeDocument(sql, ranking, w));
    },

    async writeMany(ws) {
      return ws.length ? sql.write(() => ws.map((w) => writeDocument(sql, ranking, w))) : [];
    },

    async removeVanished(origin, keep) {
      const rows = sql.all<{ id: number; uid: string }>('SELECT id, uid FROM documents WHERE origin = ?', origin);
      const gone = rows.filter((r) => !keep.has(r.uid)).map((r) => r.id);
      return gone.length ? sql.write(() => deleteDocuments(sql, ranking, gone)) : [];
    },

    async delete(list) {
      return list.length ? sql.write(() => deleteDocuments(sql, ranking, list)) : [];
    },

    async summaries(list) {
      const rows = sql.all<SummaryRow>(`SELECT ${SUMMARY} FROM documents d WHERE d.id IN (SELECT value FROM json_each(?))`, ids(list));
      return new Map(rows.map((r) => [r.id, summary(r)]));
    },

    async withBody(id) {
      const r = sql.get<SummaryRow & { body: string }>(`SELECT ${SUMMARY}, d.body FROM documents d WHERE d.id = ?`, id);
      return r ? { ...summary(r), body: r.body } : null;
    },

    async scan(filters: SearchFilters): Promise<DocumentWithBody[]> {
      const f = filterSql(filters);
      return sql.all<SummaryRow & { body: string }>(`SELECT ${SUMMARY}, d.body FROM documents d WHERE ${f.sql} ORDER BY d.id`, ...f.params).map((r) => ({ ...summary(r), body: r.body }));
    },

    async view(id) {
      return viewDocument(sql, id);
    },

    async origin(id) {
      return sql.get<{ source: string; url: string | null; origin: string }>('SELECT source, url, origin FROM documents WHERE id = ?', id) ?? null;
    },

    async count() {
      return sql.value<number>('SELECT count(*) FROM documents') ?? 0;
    },

    async countBy(column) {
      // The column name is one of two literals, never user input.
      const col = column === 'kind' ? 'kind' : 'format';
      const rows = sql.all<{ k: string; n: number }>(`SELECT ${col} AS k, count(*) AS n FROM documents GROUP BY ${col} ORDER BY n DESC, k`);
      return Object.fromEntries(rows.map((r) => [r.k, r.n]));
    },

    async browse(filters, limit) {
      const f = filterSql(filters);
      const list = sql.column<number>(`SELECT d.id FROM documents d WHERE ${f.sql} ORDER BY d.occurred_at IS NULL, d.occurred_at DESC, d.id DESC LIMIT ?`, ...f.params, limit);
      const total = sql.value<number>(`SELECT count(*) FROM documents d WHERE ${f.sql}`, ...f.params) ?? 0;
      return { ids: list, total };
    },

    async idsOfImport(importId) {
      return sql.column<number>('SELECT id FROM documents WHERE import_id = ? ORDER BY id', importId);
    },
  };
}

/**
 * One document with its passages (and their vectors, when there are any), entities, references,
 * links and term statistics, inside the caller's transaction: a reader sees the old version or the new one.
 */
function writeDocument(sql: Sql, ranking: SqliteRanking, w: DocumentWrite): WriteResult {
  const { doc, origin, contentHash, chunks, vectors, importId } = w;
  if (w.analysis && w.analysis.passages.length !== chunks.length) throw new Error(`${doc.source}: the term analysis has ${w.analysis.passages.length} passages for ${chunks.length} chunks`);
  const existing = sql.value<number>('SELECT id FROM documents WHERE uid = ?', doc.uid);
  const removedChunkIds = existing ? sql.column<number>('SELECT id FROM chunks WHERE document_id = ?', existing) : [];
  if (existing) {
    // Its old statistics go first, by exactly its own rows (their passages still exist to be read).
    ranking.removeDocument(existing, true);
    sql.run('DELETE FROM chunks WHERE document_id = ?', existing);
  }
  const row = {
    uid: doc.uid,
    origin,
    kind: doc.kind,
    format: doc.format,
    title: doc.title,
    source: doc.source,
    url: doc.url,
    external_id: doc.externalId,
    occurred_at: doc.occurredAt,
    resolved_at: doc.resolvedAt,
    severity: doc.severity,
    status: doc.status,
    metadata: JSON.stringify(doc.metadata),
    body: doc.body,
    content_hash: contentHash,
    import_id: importId,
    imported_at: new Date().toISOString(),
  };
  let documentId: number;
  if (existing) {
    sql.run(
      `UPDATE documents SET origin=@origin, kind=@kind, format=@format, title=@title, source=@source, url=@url,
         external_id=@external_id, occurred_at=@occurred_at, resolved_at=@resolved_at, severity=@severity, status=@status,
         metadata=@metadata, body=@body, content_hash=@content_hash, import_id=@import_id, imported_at=@imported_at
       WHERE id=@id`,
      { ...row, id: existing },
    );
    documentId = existing;
  } else {
    documentId = Number(
      sql.run(
        `INSERT INTO documents (uid, origin, kind, format, title, source, url, external_id, occurred_at, resolved_at,
           severity, status, metadata, body, content_hash, import_id, imported_at)
         VALUES (@uid, @origin, @kind, @format, @title, @source, @url, @external_id, @occurred_at, @resolved_at,
           @severity, @status, @metadata, @body, @content_hash, @import_id, @imported_at)`,
        row,
      ).lastInsertRowid,
    );
  }
  const chunkIds = chunks.map((c, i) => {
    const v = vectors?.[i];
    return Number(
      sql.run(
        `INSERT INTO chunks (document_id, ord, heading, role, text, start_offset, end_offset, tokens, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        documentId, c.ord, c.heading, c.role, c.text, c.start, c.end, c.tokens, v ? vectorToBlob(v) : null,
      ).lastInsertRowid,
    );
  });
  if (w.analysis) ranking.putDocument(documentId, w.analysis, chunkIds);
  writeEntities(sql, documentId, w.entities);
  sql.run('DELETE FROM document_refs WHERE document_id = ?', documentId);
  for (const r of w.refs) sql.run('INSERT OR IGNORE INTO document_refs (ref, document_id) VALUES (?, ?)', r, documentId);
  sql.run('DELETE FROM links WHERE document_id = ?', documentId);
  const own = new Set(w.refs);
  for (const l of w.links) if (!own.has(l.target)) sql.run('INSERT OR IGNORE INTO links (document_id, target, relation) VALUES (?, ?, ?)', documentId, l.target, l.relation);
  return { documentId, status: existing ? 'updated' : 'added', chunkIds, removedChunkIds };
}

function writeEntities(sql: Sql, documentId: number, entities: FoundEntity[]): void {
  sql.run('DELETE FROM document_entities WHERE document_id = ?', documentId);
  for (const e of entities) {
    sql.run('INSERT INTO entities (type, key, name) VALUES (?, ?, ?) ON CONFLICT(type, key) DO NOTHING', e.type, e.key, e.name);
    const entityId = sql.value<number>('SELECT id FROM entities WHERE type = ? AND key = ?', e.type, e.key)!;
    sql.run('INSERT INTO document_entities (document_id, entity_id, mentions, from_field) VALUES (?, ?, ?, ?)', documentId, entityId, e.mentions, e.fromField ? 1 : 0);
  }
}

function deleteDocuments(sql: Sql, ranking: SqliteRanking, list: number[]): number[] {
  const removed = sql.column<number>('SELECT id FROM chunks WHERE document_id IN (SELECT value FROM json_each(?))', ids(list));
  for (const id of list) ranking.removeDocument(id, false);
  sql.run('DELETE FROM documents WHERE id IN (SELECT value FROM json_each(?))', ids(list));
  return removed;
}

/** A document with its sections, entities and links, both ways, resolved where the target is imported. */
function viewDocument(sql: Sql, id: number): DocumentView | null {
  const row = sql.get<Omit<DocumentView, 'metadata' | 'sections' | 'entities' | 'links' | 'incident'> & { metadata: string }>(
    `SELECT id, kind, format, title, source, url, external_id AS externalId, occurred_at AS occurredAt, resolved_at AS resolvedAt,
            severity, status, metadata, body FROM documents WHERE id = ?`,
    id,
  );
  if (!row) return null;
  const sections = sql.all<{ heading: string; role: SectionRole; start: number; end: number }>(
    'SELECT heading, role, start_offset AS start, end_offset AS end FROM chunks WHERE document_id = ? ORDER BY ord',
    id,
  );
  const entities = sql.all<EntityRef>(
    `SELECT e.type, e.key, e.name, de.mentions FROM document_entities de JOIN entities e ON e.id = de.entity_id
     WHERE de.document_id = ? ORDER BY e.type, de.mentions DESC, e.name`,
    id,
  );
  type LinkRow = { relation: string; target: string; documentId: number | null; title: string | null; kind: DocumentKind | null };
  const out = sql.all<LinkRow>(
    `SELECT l.relation, l.target, d.id AS documentId, d.title, d.kind FROM links l
     LEFT JOIN document_refs r ON r.ref = l.target LEFT JOIN documents d ON d.id = r.document_id
     WHERE l.document_id = ? ORDER BY l.relation, l.target`,
    id,
  );
  const incoming = sql.all<LinkRow>(
    `SELECT DISTINCT l.relation, l.target, d.id AS documentId, d.title, d.kind FROM document_refs r
     JOIN links l ON l.target = r.ref JOIN documents d ON d.id = l.document_id
     WHERE r.document_id = ? AND l.document_id != ? ORDER BY d.occurred_at`,
    id,
    id,
  );
  const links: DocumentLink[] = [...out.map((l) => ({ direction: 'out' as const, ...l })), ...incoming.map((l) => ({ direction: 'in' as const, ...l }))];
  const incident =
    sql.get<{ incidentId: number; title: string; role: IncidentRecordRole }>(
      'SELECT r.incident_id AS incidentId, i.title, r.role FROM incident_records r JOIN incidents i ON i.id = r.incident_id WHERE r.document_id = ?',
      id,
    ) ?? null;
  return { ...row, metadata: parseMetadata(row.metadata), sections, entities, links, incident };
}
