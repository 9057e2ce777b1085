import { z } from 'zod';
import { ref } from '../../entities/refs.js';
import { parseTrackerDate } from './dates.js';
import { mapFields, type TicketFieldMap } from './field-map.js';
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
    // PagerDuty has no resolved_at on incidents: the last status change of a resolved one is it.
    const resolved = i.status === 'resolved' ? (m.resolved ?? parseTrackerDate(i.last_status_change_at)) : null;
    const log = i.log_entries.map((e) => ({
      author: fieldPerson(e.agent),
      created: parseTrackerDate(e.created_at),
      body: `${e.summary ?? e.type ?? ''}${e.channel?.summary && e.channel.summary !== e.summary ? ` — ${e.channel.summary}` : ''}`,
    }));
    const notes = i.notes.map((n) => ({ author: fieldPerson(n.user), created: parseTrackerDate(n.created_at), body: n.content ?? '' }));
    const resolvedBy = i.status === 'resolved' ? fieldPerson(i.last_status_change_by) : null;
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
