import { ref } from '../../entities/refs.js';
import { parseTrackerDate } from './dates.js';
import type { Ticket } from './ticket.js';

interface PdRef {
  summary?: string;
  name?: string;
}

interface PdIncident {
  id?: string;
  incident_number: number;
  title?: string;
  summary?: string;
  description?: string;
  status?: string;
  urgency?: string;
  priority?: PdRef | null;
  service?: PdRef;
  escalation_policy?: PdRef;
  created_at?: string;
  last_status_change_at?: string;
  resolved_at?: string;
  html_url?: string;
  assignments?: Array<{ assignee?: PdRef }>;
  acknowledgements?: Array<{ acknowledger?: PdRef }>;
  last_status_change_by?: PdRef;
  body?: { details?: string };
  notes?: Array<{ content?: string; user?: PdRef; created_at?: string }>;
  log_entries?: Array<{ type?: string; summary?: string; created_at?: string; agent?: PdRef; channel?: { summary?: string; details?: unknown } }>;
}

function incidents(data: unknown): PdIncident[] | null {
  const list = Array.isArray(data) ? data : data && typeof data === 'object' ? ((data as { incidents?: unknown; incident?: unknown }).incidents ?? [(data as { incident?: unknown }).incident].filter(Boolean)) : null;
  if (!Array.isArray(list) || !list.length) return null;
  return list.every((i) => i && typeof i === 'object' && typeof (i as PdIncident).incident_number === 'number') ? (list as PdIncident[]) : null;
}

export function isPagerDutyJson(data: unknown): boolean {
  return incidents(data) !== null;
}

/** PagerDuty REST incidents, with their notes and log entries when the export embeds them. */
export function pagerDutyTickets(data: unknown, source: string): Ticket[] {
  return (incidents(data) ?? []).map((i) => {
    const name = (r?: PdRef | null) => r?.summary ?? r?.name ?? null;
    const resolved = i.status === 'resolved' ? parseTrackerDate(i.resolved_at ?? i.last_status_change_at) : null;
    const log = (i.log_entries ?? []).map((e) => ({
      author: name(e.agent),
      created: parseTrackerDate(e.created_at),
      body: `${e.summary ?? e.type ?? ''}${e.channel?.summary && e.channel.summary !== e.summary ? ` — ${e.channel.summary}` : ''}`,
    }));
    const notes = (i.notes ?? []).map((n) => ({ author: name(n.user), created: parseTrackerDate(n.created_at), body: n.content ?? '' }));
    return {
      system: 'pagerduty',
      format: 'pagerduty-json',
      key: `PD-${i.incident_number}`,
      title: i.title ?? i.summary ?? `Incident ${i.incident_number}`,
      source: `${source}#${i.incident_number}`,
      url: i.html_url ?? null,
      status: i.status ?? null,
      severity: i.urgency ?? null,
      priority: name(i.priority),
      assignee: name(i.assignments?.[0]?.assignee),
      services: [name(i.service)].filter((x): x is string => !!x),
      people: [...(i.assignments ?? []).map((a) => name(a.assignee)), ...(i.acknowledgements ?? []).map((a) => name(a.acknowledger)), i.status === 'resolved' ? name(i.last_status_change_by) : null].filter((x): x is string => !!x),
      created: parseTrackerDate(i.created_at),
      resolved,
      description: [i.description && i.description !== i.title ? i.description : '', i.body?.details ?? ''].filter(Boolean).join('\n\n'),
      comments: [...notes, ...log].sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '')),
      refs: [ref.pagerduty(i.incident_number), ...(i.id ? [ref.pagerduty(i.id)] : [])],
      metadata: { escalationPolicy: name(i.escalation_policy), incidentNumber: i.incident_number },
    } satisfies Ticket;
  });
}
