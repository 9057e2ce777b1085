import type { DocumentKind } from '../contract.js';
import type { Store } from '../store/store.js';

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
export async function incidentGroups(store: Store, ids: number[]): Promise<Map<number, IncidentGroup>> {
  const edges = await store.links.neighbours(ids);
  const involved = [...new Set([...ids, ...edges.flatMap((e) => [e.from, e.to])])];
  const info = await store.documents.summaries(involved);
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p)!;
    parent.set(x, p);
    return p;
  };
  const get = (id: number) => {
    const r = info.get(id);
    return { kind: (r?.kind ?? 'ticket') as DocumentKind, at: r?.occurredAt ? Date.parse(r.occurredAt) : null };
  };
  for (const { from, to } of edges) {
    if (from === to) continue;
    const a = get(from);
    const b = get(to);
    if (a.kind === b.kind) continue;
    if (a.at !== null && b.at !== null && Math.abs(a.at - b.at) > SAME_EVENT_HOURS * 3_600_000) continue;
    parent.set(find(to), find(from));
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
