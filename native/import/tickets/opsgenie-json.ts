import * as z from 'zod';
import { ref } from '../../entities/refs.js';
import { parseTrackerDate } from './dates.js';
import { mapFields, type TicketFieldMap } from './field-map.js';
import type { TicketFormat } from './record-source.js';
import { anything, has, id, optionalText, record, someOf } from './schema.js';
import type { Ticket } from './ticket.js';

/** Opsgenie REST v2 alerts and incidents → ticket fields, in order of preference. */
export const OPSGENIE_FIELDS: TicketFieldMap = {
  key: ['tinyId'],
  title: ['message'],
  url: ['links.web'],
  status: ['status'],
  priority: ['priority'],
  assignee: ['owner', 'report.acknowledgedBy'],
  acknowledgedBy: ['report.acknowledgedBy'],
  resolvedBy: ['report.closedBy'],
  people: ['responders'],
  labels: ['tags'],
  components: ['teams', 'ownerTeam'],
  services: ['impactedServices'],
  created: ['createdAt', 'impactStartDate'],
  mitigated: ['impactEndDate'],
  description: ['description'],
};

const item = record({
  id: optionalText,
  tinyId: id,
  message: z.string(),
  alias: optionalText,
  status: optionalText,
  acknowledged: z.boolean().nullish(),
  source: optionalText,
  createdAt: anything,
  impactStartDate: anything,
  impactEndDate: anything,
  links: record({ web: optionalText }).nullish(),
  integration: record({ name: optionalText }).nullish(),
  // Opsgenie reports durations since creation in milliseconds.
  report: record({ ackTime: z.number().nullish(), closeTime: z.number().nullish() }).nullish(),
  details: anything,
});

type OpsgenieItem = z.infer<typeof item>;

const isItem = (x: unknown) => has(x, 'tinyId', 'message') && (has(x, 'id') || has(x, 'alias'));
/** Incidents have impacted services and a web link to /incident/; alerts have an alias and integration. */
const isIncident = (i: OpsgenieItem) => 'impactedServices' in i || /\/incident\//.test(i.links?.web ?? '') || i.impactStartDate !== undefined;

/** List responses `{ data: [...] }` (alerts or incidents), single responses `{ data: {...} }`, or bare items. */
export function opsgenieRecords(data: unknown): unknown[] | null {
  const inner = has(data, 'data') ? data.data : data;
  const list = Array.isArray(inner) ? inner : isItem(inner) ? [inner] : null;
  return list?.length && someOf(list, isItem) ? list : null;
}

const after = (start: string | null, ms: number | null | undefined) => (start && typeof ms === 'number' && ms >= 0 ? new Date(Date.parse(start) + ms).toISOString() : null);

export const OPSGENIE_JSON: TicketFormat<OpsgenieItem> = {
  name: 'opsgenie-json',
  schema: item,
  label: (raw) => (has(raw, 'tinyId') ? `#${String(raw.tinyId)}` : null),
  toTicket(i, source) {
    const m = mapFields(OPSGENIE_FIELDS, i);
    const incident = isIncident(i);
    const key = `${incident ? 'OG-INC-' : 'OG-'}${i.tinyId}`;
    const closed = /^(closed|resolved)$/i.test(i.status ?? '');
    const resolved = closed ? (after(m.created, i.report?.closeTime) ?? (incident ? m.mitigated : null)) : null;
    return {
      system: 'opsgenie',
      format: 'opsgenie-json',
      key,
      title: m.title ?? key,
      source: `${source}#${key}`,
      url: m.url,
      type: incident ? 'incident' : 'alert',
      status: i.acknowledged && !closed ? `${m.status ?? 'open'} (acknowledged)` : m.status,
      priority: m.priority,
      severity: m.priority,
      assignee: m.assignee,
      acknowledgedBy: m.acknowledgedBy,
      resolvedBy: m.resolvedBy,
      people: m.people,
      labels: m.labels,
      components: m.components,
      services: m.services,
      created: m.created,
      acknowledged: after(m.created, i.report?.ackTime),
      mitigated: m.mitigated,
      resolved,
      description: [m.description, detailsText(i.details)].filter(Boolean).join('\n\n'),
      refs: [...(i.id ? [ref.opsgenie(i.id)] : []), ...(i.alias && i.alias !== i.id ? [ref.opsgenie(i.alias)] : [])],
      metadata: { tinyId: i.tinyId, alias: i.alias ?? null, source: i.source ?? null, integration: i.integration?.name ?? null, impactStart: parseTrackerDate(i.impactStartDate) },
    } satisfies Ticket;
  },
};

/** Alert details (custom key/value pairs) as a readable list. */
function detailsText(d: unknown): string {
  if (!d || typeof d !== 'object' || Array.isArray(d)) return '';
  const lines = Object.entries(d as Record<string, unknown>).filter(([, v]) => v !== null && v !== '' && typeof v !== 'object').map(([k, v]) => `- ${k}: ${String(v)}`);
  return lines.length ? `Details:\n${lines.join('\n')}` : '';
}
