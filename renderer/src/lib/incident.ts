import type { IncidentRecordRef, IncidentRelation, IncidentView, Provenance } from '../../../native/contract.js';
import type { Route } from './route.js';

/**
 * The incident page's pure logic: where a field was read (as a route), the timeline in order,
 * durations between two moments, and how linked incidents are named.
 */

/** The document a value was read from, opened at its section when the section and the offset are known. */
export function provenanceRoute(from: Provenance): Route {
  return from.section !== null && from.start !== undefined ? { view: 'document', id: from.documentId, section: from.start } : { view: 'document', id: from.documentId };
}

const KIND_WORD: Record<IncidentRecordRef['kind'], string> = { postmortem: 'the postmortem', 'slack-thread': 'the Slack thread', ticket: 'the ticket' };

/**
 * "LF-212: … · Root cause": the record's title (the incident's own list names it) and the last
 * heading of its section. A record titled as the incident itself (its write-up, usually) is
 * named by its kind: the page's title says the rest.
 */
export function provenanceLabel(from: Provenance, records: readonly IncidentRecordRef[], incidentTitle?: string): string {
  const record = records.find((r) => r.documentId === from.documentId);
  const title = !record ? `document #${from.documentId}` : record.title === incidentTitle ? KIND_WORD[record.kind] : record.title;
  const section = from.section?.split(' > ').pop()?.trim();
  return section ? `${title} · ${section}` : title;
}

/** A value stored without a time of day ("2024-02-07", or midnight UTC as importers keep it): it names a day, not a moment. */
export function isDateOnly(iso: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) || /T00:00(:00(\.0+)?)?(Z|\+00:00)$/.test(iso);
}

/** Whole minutes from one moment to a later one; null when either is unknown, names only a day, or the order is wrong. */
export function minutesBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to || isDateOnly(from) || isDateOnly(to)) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return null;
  return Math.round((b - a) / 60_000);
}

export type TimelineRow =
  | { type: 'milestone'; at: string; dateOnly: boolean; label: 'Started' | 'Detected' | 'Mitigated' | 'Resolved'; from: Provenance }
  | { type: 'record'; at: string; dateOnly: boolean; text: string; record: IncidentRecordRef | null; from: Provenance }
  | { type: 'event'; at: string; dateOnly: boolean; text: string; from: Provenance };

const MILESTONES = ['Started', 'Detected', 'Mitigated', 'Resolved'] as const;
const MILESTONE_FIELD = { Started: 'startedAt', Detected: 'detectedAt', Mitigated: 'mitigatedAt', Resolved: 'resolvedAt' } as const;

/**
 * The incident's timeline, oldest first: the engine's entries, the four milestones (added from
 * the fields when the timeline lacks one), each record once. An entry that names only a day
 * goes after the timed entries of that day: a write-up dated "7 Feb" was not written at
 * midnight, before the alert that started it all. Equal times keep the engine's order.
 */
export function timelineRows(view: Pick<IncidentView, 'timeline' | 'fields' | 'records'>): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const seenRecords = new Set<number>();
  const seenMilestones = new Set<string>();
  for (const e of view.timeline) {
    const dateOnly = isDateOnly(e.at);
    const milestone = MILESTONES.find((m) => m === e.text);
    if (milestone) {
      if (seenMilestones.has(milestone)) continue;
      seenMilestones.add(milestone);
      rows.push({ type: 'milestone', at: e.at, dateOnly, label: milestone, from: e.from });
      continue;
    }
    const record = view.records.find((r) => r.documentId === e.from.documentId) ?? null;
    // A record's own entry ("Ticket: LF-212 …") is shown once, with its kind.
    if (record && e.from.section === null && e.from.start === undefined && /^(Write-up|Conversation|Ticket): /.test(e.text)) {
      if (seenRecords.has(record.documentId)) continue;
      seenRecords.add(record.documentId);
      rows.push({ type: 'record', at: e.at, dateOnly, text: record.title, record, from: e.from });
      continue;
    }
    rows.push({ type: 'event', at: e.at, dateOnly, text: e.text, from: e.from });
  }
  for (const m of MILESTONES) {
    const f = view.fields[MILESTONE_FIELD[m]];
    if (!seenMilestones.has(m) && f) rows.push({ type: 'milestone', at: f.value, dateOnly: isDateOnly(f.value), label: m, from: f.from });
  }
  return rows
    .map((row, i) => ({ row, i, key: sortKey(row) }))
    .sort((a, b) => a.key.day - b.key.day || a.key.within - b.key.within || a.i - b.i)
    .map((x) => x.row);
}

function sortKey(row: TimelineRow): { day: number; within: number } {
  const t = Date.parse(row.at);
  if (Number.isNaN(t)) return { day: Number.MAX_SAFE_INTEGER, within: 0 };
  const day = Math.floor(t / 86_400_000);
  // Within its day, a date-only entry comes after every moment of that day.
  return { day, within: row.dateOnly ? Number.MAX_SAFE_INTEGER : t - day * 86_400_000 };
}

/** How a linked incident relates to this one, read from this page: "Recurrence of" (it came first), "Recurred as" (it came after). */
export function linkLabel(relation: IncidentRelation, direction: 'out' | 'in'): string {
  if (relation === 'recurrence of') return direction === 'out' ? 'Recurrence of' : 'Recurred as';
  return 'Related to';
}

/** How a record belongs to the incident, for people. */
export const RECORD_ROLE_LABEL: Record<IncidentRecordRef['role'], string> = { primary: 'main record', record: 'record', 'follow-up': 'follow-up' };

/**
 * A duration the engine measured from the incident's start, kept only when that start is a
 * moment: from a start known only by its day ("18 Sep") the count runs from midnight and says
 * "10 h to detect" of an incident detected minutes after it began.
 */
export function fromStart(startedAt: string | null | undefined, minutes: number | null): number | null {
  if (minutes === null || !startedAt || isDateOnly(startedAt)) return null;
  return minutes;
}

/** People of an incident, each once, with every role they had and where each was read. */
export function peopleByName<P extends { value: { name: string; role: string }; from: Provenance }>(people: readonly P[]): Array<{ name: string; roles: Array<{ role: string; from: Provenance }> }> {
  const byName = new Map<string, Array<{ role: string; from: Provenance }>>();
  for (const p of people) {
    const roles = byName.get(p.value.name) ?? [];
    if (!roles.some((r) => r.role === p.value.role)) roles.push({ role: p.value.role, from: p.from });
    byName.set(p.value.name, roles);
  }
  return [...byName].map(([name, roles]) => ({ name, roles }));
}
