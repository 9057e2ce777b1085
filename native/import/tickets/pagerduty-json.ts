import * as z from 'zod';
import { ref } from '../../entities/refs.js';
import { parseTrackerDate } from './dates.js';
import { lookup, mapFields, type MappedFields, type RawRecord, type TicketFieldMap } from './field-map.js';
import type { TicketFormat } from './record-source.js';
import { anything, has, list, optionalText, record, someOf } from './schema.js';
import type { Ticket } from './ticket.js';
import { fieldPerson, fieldText } from './values.js';

/** PagerDuty REST incident → ticket fields, in order of preference. */
export const PAGERDUTY_JSON_FIELDS: TicketFieldMap = {
  key: ['incident_number'],
  title: ['title', 'summary'],
  url: ['html_url'],
  status: ['status'],
  severity: ['urgency'],
  priority: ['priority'],
  assignee: ['assignments.0.assignee', 'assigned_to_user'],
  services: ['service'],
  created: ['created_at'],
  resolved: ['resolved_at'],
  acknowledged: ['acknowledgements.0.at'],
  acknowledgedBy: ['acknowledgements.0.acknowledger'],
  people: [],
};

/**
 * When and by whom an incident was resolved, for the REST JSON and the CSV flattened from it
 * alike: PagerDuty incidents have no resolved time or resolver, so a resolved incident's last
 * status change (`last_status_change_at` / `_by`) is it, unless the export names them itself
 * (the web app's CSV has resolved_on and resolved_by_user).
 */
export function pagerDutyResolution(r: RawRecord, m: MappedFields): { resolved: string | null; resolvedBy: string | null } {
  const isResolved = m.status?.toLowerCase() === 'resolved';
  return {
    resolved: m.resolved ?? (isResolved ? parseTrackerDate(lookup(r, 'last_status_change_at')) : null),
    resolvedBy: m.resolvedBy ?? (isResolved ? fieldPerson(lookup(r, 'last_status_change_by')) : null),
  };
}

const ref_ = anything;
const incident = record({
  id: optionalText,
  incident_number: z.number().int(),
  title: optionalText,
  summary: optionalText,
  description: optionalText,
  status: optionalText,
  last_status_change_at: anything,
  last_status_change_by: ref_,
  escalation_policy: ref_,
  assignments: list(record({ assignee: ref_ })),
  acknowledgements: list(record({ acknowledger: ref_, at: anything })),
  body: record({ details: optionalText }).nullish(),
  notes: list(record({ content: optionalText, user: ref_, created_at: anything })),
  log_entries: list(record({ type: optionalText, summary: optionalText, created_at: anything, agent: ref_, channel: record({ summary: optionalText }).nullish() })),
});

type PdIncident = z.infer<typeof incident>;

const isIncident = (x: unknown) => has(x, 'incident_number') && typeof x.incident_number === 'number';

export function pagerDutyRecords(data: unknown): unknown[] | null {
  const list = Array.isArray(data) ? data : has(data, 'incidents') && Array.isArray(data.incidents) ? data.incidents : has(data, 'incident') ? [data.incident] : isIncident(data) ? [data] : null;
  return list?.length && someOf(list, isIncident) ? list : null;
}

export const PAGERDUTY_JSON: TicketFormat<PdIncident> = {
  name: 'pagerduty-json',
  schema: incident,
  label: (raw) => (has(raw, 'incident_number') ? `#${String(raw.incident_number)}` : null),
  /** With its notes and log entries when the export embeds them. */
  toTicket(i, source) {
    const m = mapFields(PAGERDUTY_JSON_FIELDS, i);
    const { resolved, resolvedBy } = pagerDutyResolution(i, m);
    const log = i.log_entries.map((e) => ({
      author: fieldPerson(e.agent),
      created: parseTrackerDate(e.created_at),
      body: `${e.summary ?? e.type ?? ''}${e.channel?.summary && e.channel.summary !== e.summary ? ` — ${e.channel.summary}` : ''}`,
    }));
    const notes = i.notes.map((n) => ({ author: fieldPerson(n.user), created: parseTrackerDate(n.created_at), body: n.content ?? '' }));
    return {
      system: 'pagerduty',
      format: 'pagerduty-json',
      key: `PD-${i.incident_number}`,
      title: m.title ?? `Incident ${i.incident_number}`,
      source: `${source}#${i.incident_number}`,
      url: m.url,
      status: m.status,
      severity: m.severity,
      priority: m.priority,
      assignee: m.assignee,
      services: m.services,
      people: [...i.assignments.map((a) => fieldPerson(a.assignee)), ...i.acknowledgements.map((a) => fieldPerson(a.acknowledger))].filter((x): x is string => !!x),
      resolvedBy,
      acknowledgedBy: m.acknowledgedBy,
      acknowledged: m.acknowledged,
      created: m.created,
      resolved,
      description: [i.description && i.description !== i.title ? i.description : '', i.body?.details ?? ''].filter(Boolean).join('\n\n'),
      comments: [...notes, ...log].sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '')),
      refs: [ref.pagerduty(i.incident_number), ...(i.id ? [ref.pagerduty(i.id)] : [])],
      metadata: { escalationPolicy: fieldText(i.escalation_policy), incidentNumber: i.incident_number },
    } satisfies Ticket;
  },
};
