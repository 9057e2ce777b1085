import type { DocumentKind } from '../contract.js';
import type { Db } from '../store/database.js';

/**
 * How close in time two linked records of different kinds must be to be one event: the page, the
 * ticket and the thread of an incident start within hours; a follow-up task filed days later is
 * related, not the same event.
 */
const SAME_EVENT_HOURS = 36;
const PRIMARY_ORDER: Record<DocumentKind, number> = { postmortem: 0, ticket: 1, 'slack-thread': 2 };

export interface IncidentGroup {
  /** The record that stands for the incident: its postmortem if any, else its ticket. */
  primary: number;
  members: number[];
}

/**
 * Records that describe one event: a postmortem, its ticket and its Slack thread link to each
 * other and happened within days. Two postmortems that cite each other are two incidents (a
 * recurrence), so only records of different kinds are merged.
 */
export function incidentGroups(db: Db, ids: number[]): Map<number, IncidentGroup> {
  const info = db.prepare('SELECT id, kind, occurred_at AS at FROM documents WHERE id = ?');
  const linked = db.prepare(
    `SELECT r.document_id AS id FROM links l JOIN document_refs r ON r.ref = l.target WHERE l.document_id = ?
     UNION SELECT l.document_id AS id FROM document_refs r JOIN links l ON l.target = r.ref WHERE r.document_id = ?`,
  );
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p)!;
    parent.set(x, p);
    return p;
  };
  const meta = new Map<number, { kind: DocumentKind; at: number | null }>();
  const get = (id: number) => {
    let m = meta.get(id);
    if (!m) {
      const r = info.get(id) as { id: number; kind: DocumentKind; at: string | null } | undefined;
      m = { kind: r?.kind ?? 'ticket', at: r?.at ? Date.parse(r.at) : null };
      meta.set(id, m);
    }
    return m;
  };
  for (const id of ids) {
    const a = get(id);
    for (const { id: other } of linked.all(id, id) as Array<{ id: number }>) {
      if (other === id) continue;
      const b = get(other);
      if (a.kind === b.kind) continue;
      if (a.at !== null && b.at !== null && Math.abs(a.at - b.at) > SAME_EVENT_HOURS * 3_600_000) continue;
      parent.set(find(other), find(id));
    }
  }
  const groups = new Map<number, number[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    groups.set(root, [...new Set([...(groups.get(root) ?? []), id, root])]);
  }
  const out = new Map<number, IncidentGroup>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const primary = [...members].sort((x, y) => PRIMARY_ORDER[get(x).kind] - PRIMARY_ORDER[get(y).kind] || x - y)[0]!;
    for (const m of members) out.set(m, { primary, members });
  }
  return out;
}
