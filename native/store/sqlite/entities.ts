import type { DocumentKind, EntityType } from '../../contract.js';
import type { DocumentEntity, EntityMatch, EntityStore, LinkStore, LinkedDocument } from '../store.js';
import { ids, type Sql } from './sql.js';

export function entityStore(sql: Sql): EntityStore {
  return {
    async lookup(list) {
      const out: EntityMatch[] = [];
      for (const e of list) {
        const row = sql.get<EntityMatch>(
          `SELECT e.id, e.type, e.key, e.name, count(de.document_id) AS documents FROM entities e
           LEFT JOIN document_entities de ON de.entity_id = e.id WHERE e.type = ? AND e.key = ? GROUP BY e.id`,
          e.type,
          e.key,
        );
        if (row) out.push(row);
      }
      return out;
    },

    async documentsNaming(entityIds, limit) {
      return sql.column<number>(
        'SELECT DISTINCT document_id FROM document_entities WHERE entity_id IN (SELECT value FROM json_each(?)) LIMIT ?',
        ids(entityIds),
        limit,
      );
    },

    async ofDocuments(documentIds, types) {
      const typeList = JSON.stringify(types ?? []);
      // Two statements, not `? = 1 OR document_id IN (…)`: the OR keeps SQLite from using the
      // primary key, and every call scanned all of document_entities (12 ms a call at 50,000
      // passages; similar makes one per result).
      const byDocument = documentIds !== 'all';
      const rows = sql.all<Omit<DocumentEntity, 'fromField'> & { fromField: number }>(
        `SELECT de.document_id AS documentId, e.id AS entityId, e.type, e.key, e.name, de.mentions, de.from_field AS fromField
         FROM document_entities de JOIN entities e ON e.id = de.entity_id
         WHERE ${byDocument ? 'de.document_id IN (SELECT value FROM json_each(?)) AND' : ''}
           (json_array_length(?) = 0 OR e.type IN (SELECT value FROM json_each(?)))
         ORDER BY de.document_id, e.type, de.mentions DESC, e.name`,
        ...(byDocument ? [ids(documentIds)] : []),
        typeList,
        typeList,
      );
      return rows.map((r) => ({ ...r, fromField: r.fromField === 1 }));
    },

    async mentionsOf(entityIds) {
      return sql.all<{ documentId: number; entityId: number }>(
        'SELECT document_id AS documentId, entity_id AS entityId FROM document_entities WHERE entity_id IN (SELECT value FROM json_each(?))',
        ids(entityIds),
      );
    },

    async names(type: EntityType) {
      return sql.column<string>('SELECT name FROM entities WHERE type = ?', type);
    },
  };
}

/**
 * A link points at a reference ("ticket:OPS-42"); it resolves to the documents that answer to
 * that reference (`document_refs`), imported before or after it.
 */
export function linkStore(sql: Sql): LinkStore {
  return {
    async neighbours(documentIds) {
      const list = ids(documentIds);
      return sql.all<LinkedDocument>(
        `SELECT l.document_id AS "from", r.document_id AS "to", l.relation FROM links l JOIN document_refs r ON r.ref = l.target
         WHERE l.document_id IN (SELECT value FROM json_each(?)) AND r.document_id != l.document_id
         UNION
         SELECT l.document_id AS "from", r.document_id AS "to", l.relation FROM document_refs r JOIN links l ON l.target = r.ref
         WHERE r.document_id IN (SELECT value FROM json_each(?)) AND r.document_id != l.document_id`,
        list,
        list,
      );
    },

    async outgoing(documentId, limit) {
      return sql.all<{ documentId: number; title: string; kind: DocumentKind; relation: string }>(
        `SELECT DISTINCT d.id AS documentId, d.title, d.kind, l.relation FROM links l JOIN document_refs r ON r.ref = l.target
         JOIN documents d ON d.id = r.document_id WHERE l.document_id = ? AND d.id != ? LIMIT ?`,
        documentId,
        documentId,
        limit,
      );
    },
  };
}
