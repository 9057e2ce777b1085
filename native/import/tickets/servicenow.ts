import * as z from 'zod';
import { PROBLEM_RELATION, ref } from '../../entities/refs.js';
import { lookup, mapFields, type RawRecord, type TicketFieldMap } from './field-map.js';
import { refuse, rowSource, titleFromBody, type Refusal, type TicketFormat } from './record-source.js';
import { has, record, someOf } from './schema.js';
import type { Ticket } from './ticket.js';
import { fieldText, parseObjectText } from './values.js';

/**
 * ServiceNow incident fields → ticket fields, in order of preference, for the Table API's JSON
 * and CSV alike. Reference fields come as names (list-view CSV), as `dv_*` display-value columns,
 * as `{link, value}` / `{display_value, value}` objects (JSON), or as those objects flattened into
 * a cell; the display value is preferred, a bare sys_id never becomes a name.
 */
export const SERVICENOW_FIELDS = {
  key: ['number'],
  title: ['short_description', 'dv_short_description'],
  type: ['dv_sys_class_name', 'sys_class_name'],
  status: ['dv_incident_state', 'incident_state', 'dv_state', 'state'],
  priority: ['dv_priority', 'priority'],
  severity: ['dv_severity', 'severity', 'dv_impact', 'impact'],
  // The caller is who reported it; opened_by is the service-desk agent who typed it in.
  reporter: ['dv_caller_id', 'caller_id.display_value', 'caller_id.name', 'caller_id', 'dv_opened_by', 'opened_by.display_value', 'opened_by.name', 'opened_by'],
  assignee: ['dv_assigned_to', 'assigned_to.display_value', 'assigned_to.name', 'assigned_to'],
  resolvedBy: ['dv_resolved_by', 'resolved_by.display_value', 'resolved_by.name', 'resolved_by'],
  people: ['dv_closed_by', 'closed_by'],
  components: ['dv_assignment_group', 'assignment_group.display_value', 'assignment_group.name', 'assignment_group'],
  services: ['dv_business_service', 'business_service.display_value', 'business_service', 'dv_cmdb_ci', 'cmdb_ci.display_value', 'cmdb_ci.name', 'cmdb_ci'],
  created: ['opened_at', 'sys_created_on', 'sys_created_at'],
  // Resolved is when service was restored; closed_at comes days later when the ticket is closed.
  resolved: ['resolved_at', 'closed_at'],
  description: ['description', 'dv_description'],
  resolutionNotes: ['close_notes', 'dv_close_notes'],
  // close_code is the Table API's name; closed_code the UCI audit log's.
  closeCode: ['dv_close_code', 'close_code', 'closed_code'],
} satisfies TicketFieldMap;

const RELATED = { change: ['dv_rfc', 'rfc', 'change_request'], causedBy: ['dv_caused_by', 'caused_by'] };
const PROBLEM = ['dv_problem_id', 'problem_id.display_value', 'problem_id', 'problem_id.value'];
const SYS_ID = /^[0-9a-f]{32}$/i;

/**
 * The problem record an incident cites, as a reference, in whatever shape the export wrote it: a
 * number (PRB0040123), a display value without one (the UCI audit log's pseudonymised "Problem ID
 * 2"), or only a `{link, value}` reference to its sys_id (raw Table API values, the same flattened
 * into a CSV cell). Null when the field is empty or a placeholder ("?", "None").
 */
export function problemRef(r: RawRecord): string | null {
  const shown = firstText(r, PROBLEM);
  if (shown && /^[A-Z]{2,8}\d{4,}$/i.test(shown)) return ref.servicenow(shown);
  if (shown && !SYS_ID.test(shown)) return ref.servicenowRecord('problem', shown);
  // No display value: the reference's sys_id (from `value`, or the end of its `link`).
  for (const p of PROBLEM) {
    const raw = lookup(r, p);
    const obj = typeof raw === 'string' && raw.trim().startsWith('{') ? parseObjectText(raw.trim()) : raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : null;
    const id = typeof raw === 'string' && SYS_ID.test(raw.trim()) ? raw.trim() : [obj?.value, /\/problem\/([0-9a-f]{32})\b/i.exec(String(obj?.link ?? ''))?.[1]].find((v): v is string => typeof v === 'string' && SYS_ID.test(v));
    if (id) return ref.servicenowRecord('problem', id);
  }
  return null;
}
const CATEGORY = [['dv_category', 'category'], ['dv_subcategory', 'subcategory'], ['u_symptom']];

/** Choice codes of the incident table, for exports of raw values ("7" rather than "Closed"). */
const STATE: Record<string, string> = { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' };
const PRIORITY: Record<string, string> = { '1': '1 - Critical', '2': '2 - High', '3': '3 - Moderate', '4': '4 - Low', '5': '5 - Planning' };
const LEVEL: Record<string, string> = { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' };

export function firstText(r: RawRecord, paths: string[]): string | null {
  for (const p of paths) {
    const v = fieldText(lookup(r, p));
    if (v) return v;
  }
  return null;
}

/**
 * One incident from its rows: a Table API export has one row per incident; an audit-log export
 * (sys_mod_count, one row per update) several, folded into its latest state with its state
 * changes as a timeline.
 */
export function serviceNowTicket(rows: RawRecord[], format: 'servicenow-csv' | 'servicenow-json', source: string, position: number): Ticket | Refusal {
  const mod = (r: RawRecord) => Number(fieldText(lookup(r, 'sys_mod_count')) ?? 0) || 0;
  const latest = rows.reduce((a, b) => (mod(b) >= mod(a) ? b : a));
  const m = mapFields(SERVICENOW_FIELDS, latest);
  // A row without a number (a list export with the column blanked) is still an incident when it says what happened.
  if (!m.key && !m.title && !m.description) return refuse('it has no number, short_description or description');
  const number = m.key;
  const state = (r: RawRecord) => {
    const s = firstText(r, SERVICENOW_FIELDS.status);
    return s ? (STATE[s] ?? s) : null;
  };
  const timeline: string[] = [];
  if (rows.length > 1) {
    let last = '';
    for (const r of [...rows].sort((a, b) => mod(a) - mod(b))) {
      const s = state(r) ?? '';
      const by = firstText(r, ['sys_updated_by']);
      if (s && s !== last) timeline.push(`- ${firstText(r, ['sys_updated_at', 'sys_updated_on']) ?? ''} ${s}${by ? ` (${by})` : ''}`);
      last = s;
    }
  }
  const category = CATEGORY.map((paths) => firstText(latest, paths)).filter(Boolean).join(' / ');
  const description = [m.description, category && `Category: ${category}`, timeline.length && `State changes:\n${timeline.join('\n')}`].filter(Boolean).join('\n\n');
  const links = Object.entries(RELATED).flatMap(([, paths]) => {
    const k = firstText(latest, paths);
    // Only a record number links; a bare sys_id names nothing another document answers to.
    return k && /^[A-Z]{2,8}\d{4,}$/i.test(k) ? [{ relation: 'relates to', target: ref.servicenow(k) }] : [];
  });
  const problem = problemRef(latest);
  if (problem) links.push({ relation: PROBLEM_RELATION, target: problem });
  const sysId = fieldText(lookup(latest, 'sys_id'));
  const instance = /^(https:\/\/[^/]+\.service-now\.com)\//.exec(JSON.stringify(latest).match(/https:\/\/[^"'\s]+\.service-now\.com\/[^"'\s]*/)?.[0] ?? '')?.[1];
  return {
    system: 'servicenow',
    format,
    key: number,
    title: m.title ?? (titleFromBody(m.description) || category || number!),
    source: number ? `${source}#${number}` : rowSource(source, position),
    url: instance && number ? `${instance}/nav_to.do?uri=incident.do?sysparm_query=number=${number}` : null,
    type: m.type,
    status: state(latest),
    priority: m.priority ? (PRIORITY[m.priority] ?? m.priority) : null,
    severity: m.severity ? (LEVEL[m.severity] ?? m.severity) : null,
    assignee: m.assignee,
    reporter: m.reporter,
    resolvedBy: m.resolvedBy,
    people: m.people,
    components: m.components,
    services: m.services,
    created: m.created,
    resolved: m.resolved,
    closeCode: m.closeCode,
    description,
    resolutionNotes: m.resolutionNotes,
    links,
    refs: number ? [ref.servicenow(number)] : [],
    metadata: { updates: rows.length, reassignments: Number(firstText(latest, ['reassignment_count']) ?? 0) || 0, category, sysId: sysId && /^[0-9a-f]{32}$/i.test(sysId) ? sysId : null },
  };
}

/** A record needs a number; it may be text or a `{display_value, value}` pair. */
const incident = record({ number: z.unknown().refine((v) => !!fieldText(v), 'expected an incident number') });

const isIncident = (x: unknown) => has(x, 'number') && !!fieldText(x.number) && (has(x, 'sys_id') || has(x, 'short_description') || has(x, 'incident_state'));

/** Table API JSON: `{ result: [...] }`, the JSONv2 export `{ records: [...] }`, or a list. */
export function serviceNowRecords(data: unknown): unknown[] | null {
  const list = Array.isArray(data) ? data : has(data, 'result') ? (Array.isArray(data.result) ? data.result : [data.result]) : has(data, 'records') && Array.isArray(data.records) ? data.records : isIncident(data) ? [data] : null;
  return list?.length && someOf(list, isIncident) ? list : null;
}

export const SERVICENOW_JSON: TicketFormat<RawRecord> = {
  name: 'servicenow-json',
  schema: incident,
  label: (raw) => (has(raw, 'number') ? fieldText(raw.number) : null),
  toTicket: (r, source, position) => serviceNowTicket([r], 'servicenow-json', source, position),
};
