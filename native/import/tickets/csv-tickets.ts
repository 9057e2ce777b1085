import * as z from 'zod';
import { HindsightError } from '../../common/errors.js';
import type { CSV_MAP_FIELDS } from '../../contract.js';
import { ref } from '../../entities/refs.js';
import type { ParsedDocument } from '../parsed-document.js';
import { csvRows, CsvHeader } from './csv-rows.js';
import { parseTrackerDate } from './dates.js';
import { jiraTicketFields, lookup, mapFields, type RawRecord, type TicketFieldMap } from './field-map.js';
import { refuse, rowSource, ticketDocuments, titleFromBody, type Positioned, type RecordReport, type Refusal, type TicketFormat } from './record-source.js';
import { record } from './schema.js';
import { pagerDutyResolution } from './pagerduty-json.js';
import { serviceNowTicket, SERVICENOW_FIELDS } from './servicenow.js';
import type { Ticket } from './ticket.js';
import { fieldText } from './values.js';

export type CsvMap = Partial<Record<(typeof CSV_MAP_FIELDS)[number], string>>;

export type CsvKind = 'jira-csv' | 'linear-csv' | 'servicenow-csv' | 'pagerduty-csv' | 'csv';

/** Which tracker wrote this CSV, from its columns. */
export function csvKind(h: CsvHeader): CsvKind | null {
  if (h.has('Issue key') && h.has('Summary')) return 'jira-csv';
  if (h.has('number') && h.has('short_description', 'incident_state', 'state', 'opened_at')) return 'servicenow-csv';
  if (h.has('incident_number', 'Incident Number') && h.has('description', 'title', 'created_on', 'created_at', 'Created On')) return 'pagerduty-csv';
  if (h.has('ID') && h.has('Title') && h.has('Team', 'Status')) return 'linear-csv';
  return null;
}

/** Jira CSV columns → ticket fields (repeated columns such as Labels are lists). */
export const JIRA_CSV_FIELDS: TicketFieldMap = {
  key: ['Issue key'],
  title: ['Summary'],
  type: ['Issue Type'],
  status: ['Status'],
  resolution: ['Resolution'],
  priority: ['Priority'],
  assignee: ['Assignee'],
  reporter: ['Reporter', 'Creator'],
  labels: ['Labels'],
  components: ['Component/s', 'Components'],
  created: ['Created'],
  resolved: ['Resolved'],
  description: ['Description'],
};

/** Linear CSV columns → ticket fields. */
export const LINEAR_CSV_FIELDS: TicketFieldMap = {
  key: ['ID'],
  title: ['Title'],
  status: ['Status'],
  priority: ['Priority'],
  assignee: ['Assignee'],
  reporter: ['Creator'],
  labels: ['Labels'],
  components: ['Team', 'Project'],
  created: ['Created'],
  resolved: ['Completed', 'Canceled'],
  description: ['Description'],
};

/**
 * PagerDuty incidents as CSV: the web app's export (service_name, assigned_to_user, created_on)
 * and REST incidents flattened by a script, where references are dict or JSON strings
 * (`service` = "{'id': 'PIJ90N7', 'summary': 'My Mail Service', …}") or dotted columns.
 */
export const PAGERDUTY_CSV_FIELDS: TicketFieldMap = {
  key: ['incident_number', 'Incident Number'],
  title: ['title', 'Title', 'description', 'Description', 'summary'],
  url: ['html_url', 'url', 'URL'],
  status: ['status', 'Status'],
  severity: ['urgency', 'Urgency'],
  priority: ['priority', 'Priority', 'priority.summary'],
  assignee: ['assigned_to_user', 'Assigned To', 'assigned_to', 'assignee', 'assignees', 'assignments.0.assignee.summary', 'assignments'],
  resolvedBy: ['resolved_by_user', 'Resolved By'],
  acknowledgedBy: ['acknowledged_by_user', 'Acknowledged By', 'acknowledgements'],
  services: ['service_name', 'Service', 'service.summary', 'service'],
  created: ['created_on', 'created_at', 'Created On', 'Created At'],
  resolved: ['resolved_on', 'resolved_at', 'Resolved On', 'Resolved At'],
  acknowledged: ['acknowledged_on', 'Acknowledged On'],
};

const anyRow = record({});

function csvFormat(name: CsvKind, toTicket: (r: RawRecord, source: string, position: number) => Ticket | Refusal, keyPaths: string[]): TicketFormat<RawRecord> {
  return {
    name,
    schema: anyRow,
    label: (raw) => {
      for (const p of keyPaths) {
        const v = fieldText(lookup(raw as RawRecord, p));
        if (v) return v;
      }
      return null;
    },
    toTicket,
  };
}

/**
 * Who a CSV row is: its key, or (a row without one, e.g. a re-saved sheet with the key column
 * emptied) its row in the file, as long as it has a title or a body to import. A tracker's key
 * alone is an issue (it can be linked to); a mapped CSV's row of nothing but a key is not.
 */
function identity(m: { key: string | null; title: string | null; description: string }, source: string, position: number, columns: string, keyIsEnough = true) {
  const title = m.title ?? titleFromBody(m.description);
  if (!title && !keyIsEnough) return refuse(`it has no ${columns}`);
  if (m.key) return { key: m.key, title: title ?? m.key, source: `${source}#${m.key}` };
  if (!title) return refuse(`it has no ${columns}`);
  return { key: null, title, source: rowSource(source, position) };
}

const JIRA_CSV = csvFormat('jira-csv', (r, source, position) => {
  const m = mapFields(JIRA_CSV_FIELDS, r);
  const id = identity(m, source, position, 'Issue key, Summary or Description');
  if ('refused' in id) return id;
  // Link columns keep their case: "Outward issue link (Duplicate)" names the relation.
  const columns = (r.__columns as string[] | undefined) ?? Object.keys(r);
  const links = [...new Set(columns)].flatMap((col) => {
    const lm = /^(inward|outward) issue link \((.+)\)$/i.exec(col.trim());
    if (!lm) return [];
    const values = ([] as unknown[]).concat(r[col.trim().toLowerCase()] ?? []).filter((v): v is string => typeof v === 'string');
    return values.flatMap((v) => v.split(/[,\s]+/)).filter((k) => /^[A-Z][A-Z0-9]+-\d+$/.test(k)).map((k) => ({ relation: `${lm[2]} (${lm[1]!.toLowerCase()})`, target: ref.ticket(k) }));
  });
  const comments = ([] as unknown[]).concat(r.comment ?? []).filter((c): c is string => typeof c === 'string');
  return {
    system: 'jira',
    format: 'jira-csv',
    ...id,
    ...jiraTicketFields(m),
    description: m.description,
    // "date;author;body" (the body may itself contain semicolons).
    comments: comments.map((c) => {
      const cm = /^([^;]*);([^;]*);([\s\S]*)$/.exec(c);
      return cm ? { created: parseTrackerDate(cm[1]), author: cm[2]!.trim() || null, body: cm[3]! } : { body: c };
    }),
    links,
  };
}, ['Issue key']);

const LINEAR_CSV = csvFormat('linear-csv', (r, source, position) => {
  const m = mapFields(LINEAR_CSV_FIELDS, r, { split: /,/ });
  const id = identity(m, source, position, 'ID, Title or Description');
  if ('refused' in id) return id;
  return {
    system: 'linear',
    format: 'linear-csv',
    ...id,
    status: m.status,
    priority: m.priority,
    assignee: m.assignee,
    reporter: m.reporter,
    labels: m.labels,
    components: [fieldText(r.team), fieldText(r.project)].filter((x): x is string => !!x),
    created: m.created,
    resolved: m.resolved,
    description: m.description,
    metadata: { team: fieldText(r.team), project: fieldText(r.project), cycle: fieldText(r['cycle name']) },
  };
}, ['ID']);

const PAGERDUTY_CSV = csvFormat('pagerduty-csv', (r, source, position) => {
  const m = mapFields(PAGERDUTY_CSV_FIELDS, r);
  const number = m.key;
  const id = fieldText(lookup(r, 'id')) ?? fieldText(lookup(r, 'incident id'));
  if (!number && !m.title) return refuse('it has no incident number and no title');
  const { resolved, resolvedBy } = pagerDutyResolution(r, m);
  return {
    system: 'pagerduty',
    format: 'pagerduty-csv',
    key: number ? `PD-${number}` : null,
    title: m.title ?? `Incident ${number}`,
    source: number ? `${source}#${number}` : rowSource(source, position),
    url: m.url,
    status: m.status,
    severity: m.severity,
    priority: m.priority,
    assignee: m.assignee,
    resolvedBy,
    acknowledgedBy: m.acknowledgedBy,
    services: m.services,
    created: m.created,
    acknowledged: m.acknowledged,
    resolved,
    refs: [...(number ? [ref.pagerduty(number)] : []), ...(id ? [ref.pagerduty(id)] : [])],
    metadata: { escalationPolicy: fieldText(lookup(r, 'escalation_policy_name')) ?? fieldText(lookup(r, 'escalation policy')) ?? fieldText(lookup(r, 'escalation_policy')) },
  };
}, ['incident_number', 'Incident Number']);

const SERVICENOW_CSV = csvFormat('servicenow-csv', (r, source, position) => serviceNowTicket([r], 'servicenow-csv', source, position), ['number']);

/** Any other CSV, read through a column mapping the user gives (`--map title=Summary,body=Details`). */
function mappedCsv(map: CsvMap): TicketFormat<RawRecord> {
  const fields: TicketFieldMap = {
    key: map.key ? [map.key] : [],
    title: map.title ? [map.title] : [],
    url: map.url ? [map.url] : [],
    status: map.status ? [map.status] : [],
    priority: map.priority ? [map.priority] : [],
    assignee: map.assignee ? [map.assignee] : [],
    reporter: map.reporter ? [map.reporter] : [],
    labels: map.labels ? [map.labels] : [],
    services: map.service ? [map.service] : [],
    created: map.created ? [map.created] : [],
    resolved: map.resolved ? [map.resolved] : [],
    description: map.body ? [map.body] : [],
  };
  return {
    name: 'csv',
    schema: anyRow,
    label: (raw) => (map.key ? fieldText(lookup(raw as RawRecord, map.key)) : null),
    toTicket(r, source, position) {
      const m = mapFields(fields, r, { split: /[,;]/ });
      const id = identity(m, source, position, `title (column "${map.title}")${map.body ? ` or body (column "${map.body}")` : ''}`, false);
      if ('refused' in id) return id;
      return {
        system: 'csv',
        format: 'csv',
        ...id,
        url: m.url,
        status: m.status,
        priority: m.priority,
        assignee: m.assignee,
        reporter: m.reporter,
        labels: m.labels,
        services: m.services,
        created: m.created,
        resolved: m.resolved,
        description: m.description,
      };
    },
  };
}

const FORMATS = { 'jira-csv': JIRA_CSV, 'linear-csv': LINEAR_CSV, 'pagerduty-csv': PAGERDUTY_CSV, 'servicenow-csv': SERVICENOW_CSV } as const;

/** A CSV export opened far enough to know its columns; its rows are read when documents are. */
export interface CsvSource {
  header: CsvHeader;
  kind: CsvKind | null;
  /** `onScan` hears how many rows a first pass has read (an audit log is read twice), for progress; false stops it. */
  documents(kind: CsvKind, report: RecordReport, map?: CsvMap, onScan?: (rows: number) => boolean | void): AsyncGenerator<ParsedDocument>;
}

export async function openCsv(text: string, what: string): Promise<CsvSource> {
  const rows = csvRows(text, what);
  const first = await rows.next();
  await rows.return(undefined);
  if (first.done) throw new HindsightError('empty', `${what} has no rows.`);
  const header = new CsvHeader(first.value);
  return {
    header,
    kind: csvKind(header),
    documents(kind, report, map, onScan) {
      if (kind === 'csv') {
        if (!map?.title) throw new HindsightError('usage', `${what}: say which column is the title, e.g. --map title=Summary,body=Description.`);
        const missing = Object.values(map).filter((col) => !header.has(col!));
        if (missing.length) throw new HindsightError('bad-map', `${what} has no column ${missing.map((m) => `"${m}"`).join(', ')} (columns: ${header.names.join(', ')}).`);
        return ticketDocuments(mappedCsv(map), records(text, what, header), what, report);
      }
      if (kind === 'servicenow-csv' && header.has('sys_mod_count')) return serviceNowAuditLog(text, what, header, report, onScan);
      return ticketDocuments(FORMATS[kind], records(text, what, header), what, report);
    },
  };
}

/** Data rows as records with their 1-based record number. */
async function* records(text: string, what: string, header: CsvHeader): AsyncGenerator<Positioned> {
  let position = 0;
  let headerSeen = false;
  for await (const row of csvRows(text, what)) {
    if (!headerSeen) {
      headerSeen = true;
      continue;
    }
    position++;
    yield { position, raw: { ...header.record(row), __position: position, __columns: header.names } };
  }
}

/**
 * A ServiceNow audit log (one row per update): rows of one incident are folded into one ticket.
 * A first pass notes each incident's last row, a second emits each incident as soon as its last
 * row is read, so a file sorted by number (as ServiceNow writes it) holds one incident at a time.
 */
async function* serviceNowAuditLog(text: string, what: string, header: CsvHeader, report: RecordReport, onScan?: (rows: number) => boolean | void): AsyncGenerator<ParsedDocument> {
  const last = new Map<string, number>();
  // The first pass reads only the number cell: building each row's record here doubled its cost.
  const numberAt = header.keys.indexOf('number');
  let position = -1;
  for await (const row of csvRows(text, what)) {
    if (++position === 0) continue;
    const n = fieldText(row[numberAt]);
    if (n) last.set(n, position);
    // The listener answers false to stop (a cancel): this pass yields nothing the importer could stop between.
    if (position % 1000 === 0 && onScan?.(position) === false) return;
  }
  const open = new Map<string, { first: number; rows: RawRecord[] }>();
  async function* grouped(): AsyncGenerator<Positioned> {
    for await (const { position: p, raw } of records(text, what, header)) {
      const r = raw as RawRecord;
      const n = fieldText(r.number);
      if (!n) {
        // Rows of an audit log are joined by number: one without it belongs to no incident.
        report({ source: what, code: 'refused-input', reason: 'bad-record', record: String(p), message: `${what} record ${p}: not imported: it has no number (an audit log's rows are joined into incidents by it)` });
        continue;
      }
      let g = open.get(n);
      if (!g) open.set(n, (g = { first: p, rows: [] }));
      g.rows.push(r);
      if (last.get(n) === p) {
        open.delete(n);
        yield { position: g.first, raw: { number: n, rows: g.rows } };
      }
    }
  }
  const format: TicketFormat<{ number: string; rows: RawRecord[] }> = {
    name: 'servicenow-csv',
    schema: z.object({ number: z.string(), rows: z.array(z.record(z.string(), z.unknown())) }),
    label: (raw) => (raw as { number?: string }).number ?? null,
    toTicket: (g, source, position) => serviceNowTicket(g.rows, 'servicenow-csv', source, position),
  };
  yield* ticketDocuments(format, grouped(), what, report);
}

export { SERVICENOW_FIELDS };

/** `title=Summary,body=Description` → a column map (validated against the known fields). */
export function parseCsvMap(spec: string, fields: readonly string[]): CsvMap {
  const map: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const [k, ...v] = part.split('=');
    const key = k?.trim() ?? '';
    if (!fields.includes(key) || !v.join('=').trim()) {
      throw new HindsightError('usage', `--map takes field=Column pairs with fields among ${fields.join(', ')} (got "${part}").`);
    }
    map[key] = v.join('=').trim();
  }
  return map as CsvMap;
}
