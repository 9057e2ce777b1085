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
      // Two statements rather than one with ORs: each keeps its index.
      const cols = `de.document_id AS documentId, e.id AS entityId, e.type, e.key, e.name, de.mentions, de.from_field AS fromField`;
      const typeList = JSON.stringify(types ?? []);
      const byType = types?.length ? 'AND e.type IN (SELECT value FROM json_each(?))' : '';
      const params = types?.length ? [typeList] : [];
      const rows =
        documentIds === 'all'
          ? sql.all<Omit<DocumentEntity, 'fromField'> & { fromField: number }>(
              `SELECT ${cols} FROM document_entities de JOIN entities e ON e.id = de.entity_id WHERE 1 ${byType} ORDER BY de.document_id, e.type, de.mentions DESC, e.name`,
              ...params,
            )
          : sql.all<Omit<DocumentEntity, 'fromField'> & { fromField: number }>(
              `SELECT ${cols} FROM document_entities de JOIN entities e ON e.id = de.entity_id
               WHERE de.document_id IN (SELECT value FROM json_each(?)) ${byType} ORDER BY de.document_id, e.type, de.mentions DESC, e.name`,
              ids(documentIds),
              ...params,
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

    async citingSame(documentIds, relation, hours) {
      return sql.all<{ a: number; b: number }>(
        `SELECT DISTINCT l.document_id AS a, o.document_id AS b
         FROM links l JOIN links o ON o.target = l.target AND o.relation = l.relation AND o.document_id != l.document_id
         JOIN documents da ON da.id = l.document_id JOIN documents db ON db.id = o.document_id
         WHERE l.document_id IN (SELECT value FROM json_each(?)) AND l.relation = ?
           AND abs(julianday(da.occurred_at) - julianday(db.occurred_at)) * 24 <= ?`,
        ids(documentIds),
        relation,
        hours,
      );
    },

    async refsOf(documentIds) {
      const out = new Map<number, string[]>();
      for (const r of sql.all<{ d: number; ref: string }>('SELECT document_id AS d, ref FROM document_refs WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY ref', ids(documentIds))) {
        out.set(r.d, [...(out.get(r.d) ?? []), r.ref]);
      }
      return out;
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
