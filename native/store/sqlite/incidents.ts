import { IncidentFieldsSchema, type IncidentFields, type IncidentRecordRole, type IncidentRelation } from '../../contract.js';
import type { FacetKind, IncidentFacet, IncidentMember, IncidentPlan, IncidentRow, IncidentStore } from '../store.js';
import { EMPTY_FIELDS } from '../../incidents/empty.js';
import { ids, type Sql } from './sql.js';

/** Fields that were stored by this or an older version, read back through their schema. */
export function parseFields(json: string): IncidentFields {
  try {
    const parsed = IncidentFieldsSchema.safeParse(JSON.parse(json));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: an unreadable value is no value
  }
  return EMPTY_FIELDS;
}


const ROW = `id, title, primary_document_id AS primaryDocumentId, started_at AS startedAt, detected_at AS detectedAt,
  mitigated_at AS mitigatedAt, resolved_at AS resolvedAt, severity, minutes_to_detect AS minutesToDetect,
  minutes_to_resolve AS minutesToResolve, fields`;
type Row = Omit<IncidentRow, 'fields' | 'records' | 'links'> & { fields: string };

export function incidentStore(sql: Sql): IncidentStore {
  const rows = (list: Row[]): IncidentRow[] => {
    if (!list.length) return [];
    const wanted = ids(list.map((r) => r.id));
    const members = new Map<number, IncidentMember[]>();
    for (const m of sql.all<{ incidentId: number; documentId: number; role: IncidentRecordRole }>(
      `SELECT incident_id AS incidentId, document_id AS documentId, role FROM incident_records WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY role = 'primary' DESC, document_id`,
      wanted,
    )) {
      members.set(m.incidentId, [...(members.get(m.incidentId) ?? []), { documentId: m.documentId, role: m.role }]);
    }
    const links = new Map<number, IncidentRow['links']>();
    for (const l of sql.all<{ a: number; b: number; relation: IncidentRelation }>(
      `SELECT incident_id AS a, other_id AS b, relation FROM incident_links
       WHERE incident_id IN (SELECT value FROM json_each(?)) OR other_id IN (SELECT value FROM json_each(?))`,
      wanted,
      wanted,
    )) {
      links.set(l.a, [...(links.get(l.a) ?? []), { otherId: l.b, relation: l.relation, direction: 'out' }]);
      links.set(l.b, [...(links.get(l.b) ?? []), { otherId: l.a, relation: l.relation, direction: 'in' }]);
    }
    return list.map((r) => ({ ...r, fields: parseFields(r.fields), records: members.get(r.id) ?? [], links: links.get(r.id) ?? [] }));
  };

  return {
    async apply(plan: IncidentPlan) {
      return sql.write(() => {
        const now = new Date().toISOString();
        for (const r of plan.recordFields) {
          sql.run(
            'INSERT INTO record_fields (document_id, version, fields) VALUES (?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET version = excluded.version, fields = excluded.fields',
            r.documentId,
            r.version,
            JSON.stringify(r.fields),
          );
        }
        for (const a of plan.alerts) {
          sql.run('DELETE FROM record_alerts WHERE document_id = ?', a.documentId);
          if (!a.at) continue;
          for (const k of new Set(a.keys.map((x) => x.toLowerCase()).filter((x) => x.length >= 6))) sql.run('INSERT INTO record_alerts (document_id, key, at) VALUES (?, ?, ?)', a.documentId, k, a.at);
        }
        // Records into incidents.
        const touched = new Set<number>();
        const idsOf = plan.groups.map((g) => {
          let id = g.keep;
          if (id === null || !sql.value<number>('SELECT id FROM incidents WHERE id = ?', id)) {
            id = Number(sql.run(`INSERT INTO incidents (title, fields, dirty, updated_at) VALUES ('', '{}', 1, ?)`, now).lastInsertRowid);
          }
          for (const m of g.members) {
            const before = sql.value<number>('SELECT incident_id FROM incident_records WHERE document_id = ?', m.documentId);
            if (before !== undefined && before !== id) touched.add(before);
            sql.run(
              `INSERT INTO incident_records (document_id, incident_id, role) VALUES (?, ?, ?)
               ON CONFLICT(document_id) DO UPDATE SET incident_id = excluded.incident_id, role = excluded.role`,
              m.documentId,
              id,
              m.role,
            );
          }
          return id;
        });
        // An incident whose records all moved elsewhere is gone; one that lost some is rebuilt later.
        const kept = new Set(idsOf);
        for (const t of touched) {
          if (kept.has(t)) continue;
          if (!sql.value<number>('SELECT 1 FROM incident_records WHERE incident_id = ? LIMIT 1', t)) sql.run('DELETE FROM incidents WHERE id = ?', t);
          else sql.run('UPDATE incidents SET dirty = 1 WHERE id = ?', t);
        }
        // Their fields, facets and links.
        plan.groups.forEach((g, i) => {
          const id = idsOf[i]!;
          const w = g.incident;
          sql.run(
            `UPDATE incidents SET title = ?, primary_document_id = ?, started_at = ?, detected_at = ?, mitigated_at = ?, resolved_at = ?,
               severity = ?, minutes_to_detect = ?, minutes_to_resolve = ?, fields = ?, dirty = 0, updated_at = ? WHERE id = ?`,
            w.title, w.primaryDocumentId, w.startedAt, w.detectedAt, w.mitigatedAt, w.resolvedAt, w.severity,
            w.minutesToDetect, w.minutesToResolve, JSON.stringify(w.fields), now, id,
          );
          sql.run('DELETE FROM incident_facets WHERE incident_id = ?', id);
          for (const f of w.facets) {
            sql.run(
              `INSERT INTO incident_facets (incident_id, facet, key, label, role, weight) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(incident_id, facet, key, role) DO UPDATE SET weight = max(weight, excluded.weight)`,
              id, f.facet, f.key, f.label, f.role, f.weight,
            );
          }
          sql.run('DELETE FROM incident_links WHERE incident_id = ?', id);
          for (const l of g.links) {
            const other = 'group' in l.to ? idsOf[l.to.group] : l.to.incident;
            if (other === undefined || other === id || !sql.value<number>('SELECT 1 FROM incidents WHERE id = ?', other)) continue;
            sql.run('INSERT OR REPLACE INTO incident_links (incident_id, other_id, relation) VALUES (?, ?, ?)', id, other, l.relation);
          }
        });
        return idsOf;
      });
    },

    async recordFields(documentIds) {
      const out = new Map<number, IncidentFields>();
      for (const r of sql.all<{ id: number; fields: string }>('SELECT document_id AS id, fields FROM record_fields WHERE document_id IN (SELECT value FROM json_each(?))', ids(documentIds))) {
        out.set(r.id, parseFields(r.fields));
      }
      return out;
    },

    async markAllStale() {
      sql.write(() => sql.run('UPDATE record_fields SET version = 0'));
    },

    async recordsToExtract(version, limit) {
      // Every record_fields row belongs to a document (its key, ON DELETE CASCADE): when as many
      // are current as there are documents, none is due. Two index counts instead of the join
      // below, which reads every document row (bodies inline) and cost 375 ms of each cold start
      // at 100,000 passages.
      if (sql.value<number>('SELECT (SELECT count(*) FROM documents) - (SELECT count(*) FROM record_fields WHERE version >= ?)', version) === 0) return [];
      return sql.column<number>(
        `SELECT d.id FROM documents d LEFT JOIN record_fields f ON f.document_id = d.id
         WHERE f.document_id IS NULL OR f.version < ? ORDER BY d.id LIMIT ?`,
        version,
        limit,
      );
    },

    async alertMatches(documentIds, hours) {
      const list = ids(documentIds);
      const window = `${hours} hours`;
      // Records of other kinds (or other trackers) near the page whose text names the alert. A key
      // that ends in a digit ("incident #3301") must not be the start of a longer number ("#33010").
      return sql.all<{ page: number; other: number }>(
        `SELECT DISTINCT page, other FROM (
           SELECT a.document_id AS page, d.id AS other, a.key AS key, lower(d.title || ' ' || d.body) AS t
           FROM record_alerts a
           JOIN documents d ON d.id != a.document_id
             AND d.occurred_at BETWEEN datetime(a.at, '-' || ?) AND datetime(a.at, '+' || ?)
             AND (d.kind != 'ticket' OR d.format != (SELECT format FROM documents WHERE id = a.document_id))
           WHERE a.document_id IN (SELECT value FROM json_each(?)) OR d.id IN (SELECT value FROM json_each(?))
         )
         WHERE instr(t, key) > 0 AND (key NOT GLOB '*[0-9]' OR substr(t, instr(t, key) + length(key), 1) NOT GLOB '[0-9]')`,
        window,
        window,
        list,
        list,
      );
    },

    async ofDocuments(documentIds) {
      const out = new Map<number, number>();
      for (const r of sql.all<{ d: number; i: number }>('SELECT document_id AS d, incident_id AS i FROM incident_records WHERE document_id IN (SELECT value FROM json_each(?))', ids(documentIds))) {
        out.set(r.d, r.i);
      }
      return out;
    },

    async membersOf(incidentIds) {
      const out = new Map<number, IncidentMember[]>();
      for (const m of sql.all<{ i: number; documentId: number; role: IncidentRecordRole }>(
        'SELECT incident_id AS i, document_id AS documentId, role FROM incident_records WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY document_id',
        ids(incidentIds),
      )) {
        out.set(m.i, [...(out.get(m.i) ?? []), { documentId: m.documentId, role: m.role }]);
      }
      return out;
    },

    async dirty(limit) {
      // Incidents emptied by a deletion go at once: nothing is left to rebuild them from.
      const empty = sql.column<number>('SELECT i.id FROM incidents i WHERE i.dirty = 1 AND NOT EXISTS (SELECT 1 FROM incident_records r WHERE r.incident_id = i.id)');
      if (empty.length) sql.write(() => sql.run('DELETE FROM incidents WHERE id IN (SELECT value FROM json_each(?))', ids(empty)));
      return sql.column<number>('SELECT id FROM incidents WHERE dirty = 1 ORDER BY id LIMIT ?', limit);
    },

    async get(list) {
      const found = rows(sql.all<Row>(`SELECT ${ROW} FROM incidents WHERE id IN (SELECT value FROM json_each(?))`, ids(list)));
      return new Map(found.map((r) => [r.id, r]));
    },

    async list(range) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (range.since) {
        where.push('started_at >= ?');
        params.push(new Date(range.since).toISOString());
      }
      if (range.until) {
        where.push('started_at <= ?');
        params.push(/^\d{4}-\d{2}-\d{2}$/.test(range.until) ? `${range.until}T23:59:59.999Z` : new Date(range.until).toISOString());
      }
      return rows(sql.all<Row>(`SELECT ${ROW} FROM incidents WHERE ${where.length ? where.join(' AND ') : '1'} ORDER BY started_at, id`, ...params));
    },

    async facetsOf(list) {
      const all = list === 'all';
      return sql.all<IncidentFacet & { incidentId: number }>(
        `SELECT incident_id AS incidentId, facet, key, label, role, weight FROM incident_facets
         WHERE (? = 1 OR incident_id IN (SELECT value FROM json_each(?))) ORDER BY incident_id, facet, weight DESC`,
        all ? 1 : 0,
        all ? '[]' : ids(list),
      );
    },

    async withFacet(facet: FacetKind, key: string, limit?: number) {
      if (limit === undefined) return sql.column<number>('SELECT DISTINCT incident_id FROM incident_facets WHERE facet = ? AND key = ?', facet, key);
      return sql.column<number>('SELECT DISTINCT incident_id FROM incident_facets WHERE facet = ? AND key = ? ORDER BY incident_id DESC LIMIT ?', facet, key, limit);
    },

    async facetCount(facet: FacetKind, key: string) {
      return sql.value<number>('SELECT count(DISTINCT incident_id) FROM incident_facets WHERE facet = ? AND key = ?', facet, key) ?? 0;
    },

    async count() {
      return sql.value<number>('SELECT count(*) FROM incidents') ?? 0;
    },
  };
}
