import type { Chunk } from '../chunk/chunker.js';
import type { FoundEntity } from '../entities/extract.js';
import type { ParsedDocument } from '../import/parsed-document.js';
import { vectorToBlob } from '../vector/vector-index.js';
import type { Db } from './database.js';

export interface StoredDocumentRef {
  id: number;
  contentHash: string;
}

export interface WriteResult {
  documentId: number;
  status: 'added' | 'updated';
  chunkIds: number[];
  removedChunkIds: number[];
}

export function findDocumentByUid(db: Db, uid: string): StoredDocumentRef | null {
  const row = db.prepare('SELECT id, content_hash AS contentHash FROM documents WHERE uid = ?').get(uid) as StoredDocumentRef | undefined;
  return row ?? null;
}

/**
 * Writes one document with its passages (and their vectors, when there are any) in a single
 * transaction: a reader sees the old version or the new one, never half of either.
 */
export interface DocumentWrite {
  doc: ParsedDocument;
  origin: string;
  contentHash: string;
  chunks: Chunk[];
  vectors: Float32Array[] | null;
  importId: number | null;
  entities: FoundEntity[];
  /** References the document answers to. */
  refs: string[];
  links: Array<{ target: string; relation: string }>;
}

export function writeDocument(db: Db, w: DocumentWrite): WriteResult {
  const { doc, origin, contentHash, chunks, vectors, importId } = w;
  return db.transaction((): WriteResult => {
    const existing = db.prepare('SELECT id FROM documents WHERE uid = ?').pluck().get(doc.uid) as number | undefined;
    const removedChunkIds = existing
      ? (db.prepare('SELECT id FROM chunks WHERE document_id = ?').pluck().all(existing) as number[])
      : [];
    if (existing) db.prepare('DELETE FROM chunks WHERE document_id = ?').run(existing);
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
      db.prepare(
        `UPDATE documents SET origin=@origin, kind=@kind, format=@format, title=@title, source=@source, url=@url,
           external_id=@external_id, occurred_at=@occurred_at, resolved_at=@resolved_at, severity=@severity, status=@status,
           metadata=@metadata, body=@body, content_hash=@content_hash, import_id=@import_id, imported_at=@imported_at
         WHERE id=@id`,
      ).run({ ...row, id: existing });
      documentId = existing;
    } else {
      documentId = Number(
        db
          .prepare(
            `INSERT INTO documents (uid, origin, kind, format, title, source, url, external_id, occurred_at, resolved_at,
               severity, status, metadata, body, content_hash, import_id, imported_at)
             VALUES (@uid, @origin, @kind, @format, @title, @source, @url, @external_id, @occurred_at, @resolved_at,
               @severity, @status, @metadata, @body, @content_hash, @import_id, @imported_at)`,
          )
          .run(row).lastInsertRowid,
      );
    }
    const insert = db.prepare(
      `INSERT INTO chunks (document_id, ord, heading, role, text, start_offset, end_offset, tokens, embedding)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const chunkIds = chunks.map((c, i) => {
      const v = vectors?.[i];
      return Number(insert.run(documentId, c.ord, c.heading, c.role, c.text, c.start, c.end, c.tokens, v ? vectorToBlob(v) : null).lastInsertRowid);
    });
    writeEntities(db, documentId, w.entities);
    db.prepare('DELETE FROM document_refs WHERE document_id = ?').run(documentId);
    const addRef = db.prepare('INSERT OR IGNORE INTO document_refs (ref, document_id) VALUES (?, ?)');
    for (const r of w.refs) addRef.run(r, documentId);
    db.prepare('DELETE FROM links WHERE document_id = ?').run(documentId);
    const addLink = db.prepare('INSERT OR IGNORE INTO links (document_id, target, relation) VALUES (?, ?, ?)');
    const own = new Set(w.refs);
    for (const l of w.links) if (!own.has(l.target)) addLink.run(documentId, l.target, l.relation);
    return { documentId, status: existing ? 'updated' : 'added', chunkIds, removedChunkIds };
  })();
}

function writeEntities(db: Db, documentId: number, entities: FoundEntity[]): void {
  db.prepare('DELETE FROM document_entities WHERE document_id = ?').run(documentId);
  const upsert = db.prepare('INSERT INTO entities (type, key, name) VALUES (?, ?, ?) ON CONFLICT(type, key) DO NOTHING');
  const idOf = db.prepare('SELECT id FROM entities WHERE type = ? AND key = ?').pluck();
  const link = db.prepare('INSERT INTO document_entities (document_id, entity_id, mentions, from_field) VALUES (?, ?, ?, ?)');
  for (const e of entities) {
    upsert.run(e.type, e.key, e.name);
    link.run(documentId, idOf.get(e.type, e.key) as number, e.mentions, e.fromField ? 1 : 0);
  }
}

/** Deletes documents by id (with their passages); returns the ids of the passages removed. */
export function deleteDocuments(db: Db, ids: number[]): number[] {
  if (!ids.length) return [];
  return db.transaction(() => {
    const removed: number[] = [];
    const chunkIds = db.prepare('SELECT id FROM chunks WHERE document_id = ?').pluck();
    const del = db.prepare('DELETE FROM documents WHERE id = ?');
    for (const id of ids) {
      removed.push(...(chunkIds.all(id) as number[]));
      del.run(id);
    }
    return removed;
  })();
}
