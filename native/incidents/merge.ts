import { dedupePeople, DONE_STATUS } from './people.js';
import { minutesBetween } from './times.js';
import type { ActionStatus, IncidentFields, IncidentRecord, Sourced } from './types.js';

/** One record of an incident with the fields extracted from it. */
export interface ExtractedRecord {
  record: Pick<IncidentRecord, 'documentId' | 'kind' | 'status' | 'resolvedAt'> & { refs?: string[] };
  fields: IncidentFields;
}

/** The write-up tells the story best, then the ticket, then the chat. */
const KIND_RANK = { postmortem: 0, ticket: 1, 'slack-thread': 2 } as const;

const OPEN_STATUS = /^(open|to ?do|in progress|in review|backlog|new|triage|needs (scheduling|triage|review)|investigating|blocked|selected for development|reopened|pending|waiting\b.*|acknowledged|triggered|active|on hold|planned)$/i;

/** The status a linked ticket gives an action item: done once the tracker says so, open while it is open. */
export function ticketStatus(record: ExtractedRecord['record']): ActionStatus | null {
  const s = record.status?.trim() ?? '';
  if (s && DONE_STATUS.test(s)) return 'done';
  if (s && OPEN_STATUS.test(s)) return 'open';
  if (record.resolvedAt) return 'done';
  return null;
}

const textKey = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

function earliest(values: Array<Sourced<string> | null>): Sourced<string> | null {
  let best: Sourced<string> | null = null;
  for (const v of values) if (v && (!best || Date.parse(v.value) < Date.parse(best.value))) best = v;
  return best;
}

function latest(values: Array<Sourced<string> | null>): Sourced<string> | null {
  let best: Sourced<string> | null = null;
  for (const v of values) if (v && (!best || Date.parse(v.value) > Date.parse(best.value))) best = v;
  return best;
}

/**
 * The fields of one incident from the fields of its records: the postmortem's narrative wins
 * (then the ticket's, then the chat's); services, failure modes, mechanism, action items and people
 * are united; a ticket that an action item points at gives that item its status; times as below.
 */
export function mergeIncidentFields(records: ExtractedRecord[]): IncidentFields {
  const ordered = [...records].sort((a, b) => KIND_RANK[a.record.kind] - KIND_RANK[b.record.kind]);
  const first = <K extends 'title' | 'symptom' | 'trigger' | 'rootCause' | 'mitigation' | 'severity'>(k: K): IncidentFields[K] =>
    ordered.map((r) => r.fields[k]).find((v) => v !== null) ?? null;

  const services: IncidentFields['services'] = [];
  const serviceKeys = new Set<string>();
  for (const r of ordered) {
    for (const s of r.fields.services) {
      const k = textKey(s.value);
      if (serviceKeys.has(k)) continue;
      serviceKeys.add(k);
      services.push(s);
    }
  }

  const modes = new Map<string, IncidentFields['failureModes'][number]>();
  for (const r of ordered) for (const m of r.fields.failureModes) if ((modes.get(m.value)?.score ?? -1) < m.score) modes.set(m.value, m);

  const mechanism = [...new Set(ordered.flatMap((r) => r.fields.mechanism))].slice(0, 8);

  const byRef = new Map<string, ExtractedRecord['record']>();
  for (const r of ordered) if (r.record.kind === 'ticket') for (const ref of r.record.refs ?? []) byRef.set(ref.toLowerCase(), r.record);
  const actionItems: IncidentFields['actionItems'] = [];
  const itemKeys = new Set<string>();
  for (const r of ordered) {
    for (const item of r.fields.actionItems) {
      const k = textKey(item.value.text);
      if (itemKeys.has(k)) continue;
      itemKeys.add(k);
      const linked = item.value.ticket ? byRef.get(item.value.ticket.toLowerCase()) : undefined;
      const status = linked ? ticketStatus(linked) : null;
      actionItems.push(status ? { ...item, value: { ...item.value, status } } : item);
    }
  }

  // Times, with this precedence. What people wrote when it happened — the write-up's key events,
  // timeline and prose ("expired at 00:00 UTC … for 3 hours"), the chat's messages — over a
  // tracker's generic dates. The start is the earliest any record states; the detection the
  // earliest report (a page that fired before the write-up's "noticed" is when it was detected);
  // the mitigation the first the write-up or the chat states (trackers carry none); the
  // resolution the write-up's, else the last a ticket or chat states. With no start stated
  // anywhere (a ticket alone), the incident starts, as far as anything says, when it was first
  // reported: that reading counts for the time to resolve, never for the time to detect.
  // Severity: the write-up's own words over a tracker's priority or urgency (see `first`).
  const postmortems = ordered.filter((r) => r.record.kind === 'postmortem');
  const writeUpResolved = postmortems.map((r) => r.fields.resolvedAt).find((v) => v) ?? null;
  const detectedAt = earliest(ordered.map((r) => r.fields.detectedAt));
  const startedAt = earliest(ordered.map((r) => r.fields.startedAt)) ?? detectedAt;
  return {
    title: first('title'),
    services,
    symptom: first('symptom'),
    trigger: first('trigger'),
    rootCause: first('rootCause'),
    mechanism,
    failureModes: [...modes.values()].sort((a, b) => b.score - a.score),
    mitigation: first('mitigation'),
    actionItems,
    people: dedupePeople(ordered.flatMap((r) => r.fields.people)),
    severity: first('severity'),
    startedAt,
    detectedAt,
    mitigatedAt: earliest(ordered.map((r) => r.fields.mitigatedAt)),
    resolvedAt: writeUpResolved ?? latest(ordered.map((r) => r.fields.resolvedAt)),
  };
}

/**
 * Derived durations (never stored): detection from the start, resolution from the start (or
 * from the detection when the start is unknown, as MOJ's "time to resolve" counts). Null when a
 * time is unknown or the result would be negative.
 */
export function incidentDurations(f: Pick<IncidentFields, 'startedAt' | 'detectedAt' | 'resolvedAt'>): { timeToDetectMinutes: number | null; timeToResolveMinutes: number | null } {
  const span = (a: Sourced<string> | null, b: Sourced<string> | null) => {
    if (!a || !b) return null;
    const m = minutesBetween(a.value, b.value);
    return Number.isFinite(m) && m >= 0 ? Math.round(m) : null;
  };
  // A start read from the report itself (a ticket's creation) says nothing of how long detection took.
  const sameReading = !!f.startedAt && !!f.detectedAt && f.startedAt.value === f.detectedAt.value && f.startedAt.from.documentId === f.detectedAt.from.documentId && f.startedAt.from.start === f.detectedAt.from.start;
  return { timeToDetectMinutes: sameReading ? null : span(f.startedAt, f.detectedAt), timeToResolveMinutes: span(f.startedAt ?? f.detectedAt, f.resolvedAt) };
}
