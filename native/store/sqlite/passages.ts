import type { SearchFilters, SectionRole } from '../../contract.js';
import type { Passage, PassageStore, PassageVector } from '../store.js';
import { filterSql, hasFilters } from './filters.js';
import { ids, type Sql } from './sql.js';
import { blobToVector, vectorToBlob } from './vectors.js';

const PASSAGE = `id, document_id AS documentId, ord, heading, role, text, start_offset AS start, end_offset AS "end", tokens`;

export function passageStore(sql: Sql): PassageStore {
  return {
    async get(list) {
      const rows = sql.all<Passage>(`SELECT ${PASSAGE} FROM chunks WHERE id IN (SELECT value FROM json_each(?))`, ids(list));
      return new Map(rows.map((r) => [r.id, r]));
    },

    async ofDocuments(documentIds) {
      return sql.all<Passage>(`SELECT ${PASSAGE} FROM chunks WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY document_id, ord`, ids(documentIds));
    },

    async vectorsOfDocuments(documentIds) {
      return sql
        .all<{ id: number; documentId: number; role: SectionRole; embedding: Buffer }>(
          `SELECT id, document_id AS documentId, role, embedding FROM chunks
           WHERE document_id IN (SELECT value FROM json_each(?)) AND embedding IS NOT NULL ORDER BY document_id, ord`,
          ids(documentIds),
        )
        .map((r): PassageVector => ({ id: r.id, documentId: r.documentId, role: r.role, vector: blobToVector(r.embedding) }));
    },

    async embeddedOfDocuments(documentIds) {
      // Answered from the chunks_embedded index alone (migration 0090): no row is read.
      return sql.all<{ id: number; documentId: number; role: SectionRole }>(
        `SELECT id, document_id AS documentId, role FROM chunks INDEXED BY chunks_embedded
         WHERE document_id IN (SELECT value FROM json_each(?)) AND embedding IS NOT NULL ORDER BY document_id, id`,
        ids(documentIds),
      );
    },

    async vectors(list) {
      const rows = sql.all<{ id: number; embedding: Buffer }>(
        'SELECT id, embedding FROM chunks WHERE id IN (SELECT value FROM json_each(?)) AND embedding IS NOT NULL',
        ids(list),
      );
      return new Map(rows.map((r) => [r.id, blobToVector(r.embedding)]));
    },

    async documentsOf(list) {
      const rows = sql.all<{ id: number; d: number }>('SELECT id, document_id AS d FROM chunks WHERE id IN (SELECT value FROM json_each(?))', ids(list));
      return new Map(rows.map((r) => [r.id, r.d]));
    },

    async idsMatching(filters: SearchFilters) {
      if (!hasFilters(filters)) return new Set(sql.column<number>('SELECT id FROM chunks'));
      const f = filterSql(filters);
      return new Set(sql.column<number>(`SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE ${f.sql}`, ...f.params));
    },

    async embeddedIds() {
      return sql.column<number>('SELECT id FROM chunks INDEXED BY chunks_embedded WHERE embedding IS NOT NULL ORDER BY id');
    },

    async pending(afterId, limit) {
      return sql.all<{ id: number; text: string; title: string }>(
        `SELECT c.id, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE c.embedding IS NULL AND c.id > ? ORDER BY c.id LIMIT ?`,
        afterId,
        limit,
      );
    },

    async setVectors(rows) {
      // Passages deleted meanwhile simply update nothing.
      sql.write(() => {
        for (const r of rows) sql.run('UPDATE chunks SET embedding = ? WHERE id = ?', vectorToBlob(r.vector), r.id);
      });
    },

    async clearVectors() {
      sql.write(() => sql.run('UPDATE chunks SET embedding = NULL WHERE embedding IS NOT NULL'));
    },

    async count() {
      return sql.value<number>('SELECT n FROM passage_count WHERE id = 1') ?? 0;
    },

    async countEmbedded() {
      return sql.value<number>('SELECT count(*) FROM chunks INDEXED BY chunks_embedded WHERE embedding IS NOT NULL') ?? 0;
    },
  };
}
