import { parse } from 'csv-parse/sync';
import { HindsightError } from '../../common/errors.js';
import type { CSV_MAP_FIELDS } from '../../contract.js';
import { ref } from '../../entities/refs.js';
import { decodeText } from '../decode-text.js';
import { parseTrackerDate } from './dates.js';
import type { Ticket } from './ticket.js';

export type CsvMap = Partial<Record<(typeof CSV_MAP_FIELDS)[number], string>>;

/** A CSV table whose header may repeat a column (Jira: Labels, Comment, Component/s). */
export class CsvTable {
  constructor(
    readonly header: string[],
    readonly rows: string[][],
  ) {}

  private index(names: string[]): number[] {
    const wanted = names.map((n) => n.toLowerCase());
    return this.header.flatMap((h, i) => (wanted.includes(h.trim().toLowerCase()) ? [i] : []));
  }

  has(...names: string[]): boolean {
    return this.index(names).length > 0;
  }

  /** First non-empty value among the named columns. */
  get(row: string[], ...names: string[]): string | null {
    for (const i of this.index(names)) {
      const v = row[i]?.trim();
      if (v && v !== '?' && v.toLowerCase() !== 'null') return v;
    }
    return null;
  }

  /** Every non-empty value of every column with one of these names (repeated columns). */
  all(row: string[], ...names: string[]): string[] {
    return this.index(names).map((i) => row[i]?.trim() ?? '').filter((v) => v && v !== '?');
  }
}

const MAX_FIELD = 1_000_000;

export function readCsv(bytes: Uint8Array, what: string): CsvTable {
  const text = decodeText(bytes, what);
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_FIELD }) as string[][];
  } catch (err) {
    throw new HindsightError('bad-csv', `${what} is not a readable CSV file (${(err as Error).message.split('\n')[0]}).`);
  }
  if (records.length < 1) throw new HindsightError('empty', `${what} has no rows.`);
  return new CsvTable(records[0]!.map((h) => h.trim()), records.slice(1));
}

export type CsvKind = 'jira-csv' | 'linear-csv' | 'servicenow-csv' | 'pagerduty-csv' | 'csv';

/** Which tracker wrote this CSV, from its columns. */
export function csvKind(t: CsvTable): CsvKind | null {
  if (t.has('Issue key') && t.has('Summary')) return 'jira-csv';
  if (t.has('number') && t.has('short_description', 'incident_state', 'state', 'opened_at')) return 'servicenow-csv';
  if (t.has('incident_number', 'Incident Number') && t.has('description', 'title', 'Title', 'Description', 'created_on', 'Created On')) return 'pagerduty-csv';
  if (t.has('ID') && t.has('Title') && t.has('Team', 'Status')) return 'linear-csv';
  return null;
}

export function csvTickets(t: CsvTable, kind: CsvKind, source: string, map?: CsvMap): Ticket[] {
  switch (kind) {
    case 'jira-csv':
      return jiraCsv(t, source);
    case 'linear-csv':
      return linearCsv(t, source);
    case 'servicenow-csv':
      return serviceNowCsv(t, source);
    case 'pagerduty-csv':
      return pagerDutyCsv(t, source);
    case 'csv':
      return mappedCsv(t, source, map ?? {});
  }
}

function jiraCsv(t: CsvTable, source: string): Ticket[] {
  const linkColumns = t.header.filter((h) => /^(Inward|Outward) issue link \(/i.test(h));
  return t.rows.flatMap((r) => {
    const key = t.get(r, 'Issue key');
    if (!key) return [];
    const links = linkColumns.flatMap((col) => {
      const m = /^(Inward|Outward) issue link \((.+)\)$/i.exec(col)!;
      return t.all(r, col).flatMap((v) => v.split(/[,\s]+/)).filter((k) => /^[A-Z][A-Z0-9]+-\d+$/.test(k)).map((k) => ({ relation: `${m[2]} (${m[1]!.toLowerCase()})`, target: ref.ticket(k) }));
    });
    return [{
      system: 'jira',
      format: 'jira-csv',
      key,
      title: t.get(r, 'Summary') ?? key,
      source: `${source}#${key}`,
      type: t.get(r, 'Issue Type'),
      status: t.get(r, 'Status'),
      resolution: t.get(r, 'Resolution'),
      priority: t.get(r, 'Priority'),
      assignee: t.get(r, 'Assignee'),
      reporter: t.get(r, 'Reporter'),
      labels: t.all(r, 'Labels'),
      components: t.all(r, 'Component/s', 'Components'),
      created: parseTrackerDate(t.get(r, 'Created')),
      resolved: parseTrackerDate(t.get(r, 'Resolved')),
      description: t.get(r, 'Description') ?? '',
      // "date;author;body" (the body may itself contain semicolons).
      comments: t.all(r, 'Comment').map((c) => {
        const m = /^([^;]*);([^;]*);([\s\S]*)$/.exec(c);
        return m ? { created: parseTrackerDate(m[1]), author: m[2]!.trim() || null, body: m[3]! } : { body: c };
      }),
      links,
    } satisfies Ticket];
  });
}

function linearCsv(t: CsvTable, source: string): Ticket[] {
  return t.rows.flatMap((r) => {
    const key = t.get(r, 'ID');
    if (!key) return [];
    return [{
      system: 'linear',
      format: 'linear-csv',
      key,
      title: t.get(r, 'Title') ?? key,
      source: `${source}#${key}`,
      status: t.get(r, 'Status'),
      priority: t.get(r, 'Priority'),
      assignee: t.get(r, 'Assignee'),
      reporter: t.get(r, 'Creator'),
      labels: (t.get(r, 'Labels') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      components: [t.get(r, 'Team'), t.get(r, 'Project')].filter((x): x is string => !!x),
      created: parseTrackerDate(t.get(r, 'Created')),
      resolved: parseTrackerDate(t.get(r, 'Completed', 'Canceled')),
      description: t.get(r, 'Description') ?? '',
      metadata: { team: t.get(r, 'Team'), project: t.get(r, 'Project'), cycle: t.get(r, 'Cycle Name') },
    } satisfies Ticket];
  });
}

/**
 * ServiceNow incidents. An audit-log export has one row per update of an incident: the rows of
 * one number are folded into one ticket (its latest state) with its state changes as a timeline.
 */
function serviceNowCsv(t: CsvTable, source: string): Ticket[] {
  const groups = new Map<string, string[][]>();
  for (const r of t.rows) {
    const n = t.get(r, 'number');
    if (!n) continue;
    let g = groups.get(n);
    if (!g) groups.set(n, (g = []));
    g.push(r);
  }
  return [...groups.entries()].map(([number, rows]) => {
    const mod = (r: string[]) => Number(t.get(r, 'sys_mod_count') ?? 0);
    const latest = rows.reduce((a, b) => (mod(b) >= mod(a) ? b : a));
    const state = (r: string[]) => t.get(r, 'incident_state', 'state');
    const timeline: string[] = [];
    let last = '';
    for (const r of [...rows].sort((a, b) => mod(a) - mod(b))) {
      const s = state(r) ?? '';
      if (s && s !== last) timeline.push(`- ${t.get(r, 'sys_updated_at') ?? ''} ${s}${t.get(r, 'sys_updated_by') ? ` (${t.get(r, 'sys_updated_by')})` : ''}`);
      last = s;
    }
    const category = [t.get(latest, 'category'), t.get(latest, 'subcategory'), t.get(latest, 'u_symptom')].filter(Boolean).join(' / ');
    const title = t.get(latest, 'short_description') ?? (category || number);
    const description = [t.get(latest, 'description'), category && `Category: ${category}`, timeline.length && `State changes:\n${timeline.join('\n')}`].filter(Boolean).join('\n\n');
    const ci = t.get(latest, 'cmdb_ci');
    return {
      system: 'servicenow',
      format: 'servicenow-csv',
      key: number,
      title,
      source: `${source}#${number}`,
      status: state(latest),
      priority: t.get(latest, 'priority'),
      severity: t.get(latest, 'impact'),
      assignee: t.get(latest, 'assigned_to'),
      reporter: t.get(latest, 'caller_id', 'opened_by'),
      components: [t.get(latest, 'assignment_group')].filter((x): x is string => !!x),
      services: ci ? [ci] : [],
      created: parseTrackerDate(t.get(latest, 'opened_at', 'sys_created_at')),
      resolved: parseTrackerDate(t.get(latest, 'resolved_at', 'closed_at')),
      description,
      resolutionNotes: [t.get(latest, 'close_notes'), t.get(latest, 'closed_code') && `Close code: ${t.get(latest, 'closed_code')}`].filter(Boolean).join('\n'),
      people: [t.get(latest, 'resolved_by')].filter((x): x is string => !!x),
      links: [t.get(latest, 'problem_id'), t.get(latest, 'rfc'), t.get(latest, 'caused_by')].filter((x): x is string => !!x).map((k) => ({ relation: 'relates to', target: ref.servicenow(k) })),
      refs: [ref.servicenow(number)],
      metadata: { updates: rows.length, reassignments: Number(t.get(latest, 'reassignment_count') ?? 0), category },
    } satisfies Ticket;
  });
}

function pagerDutyCsv(t: CsvTable, source: string): Ticket[] {
  return t.rows.flatMap((r) => {
    const number = t.get(r, 'incident_number', 'Incident Number');
    if (!number) return [];
    const id = t.get(r, 'id', 'Incident ID');
    const service = t.get(r, 'service_name', 'Service', 'service');
    return [{
      system: 'pagerduty',
      format: 'pagerduty-csv',
      key: `PD-${number}`,
      title: t.get(r, 'description', 'title', 'Title', 'Description') ?? `Incident ${number}`,
      source: `${source}#${number}`,
      url: t.get(r, 'html_url', 'url', 'URL'),
      status: t.get(r, 'status', 'Status'),
      severity: t.get(r, 'urgency', 'Urgency'),
      priority: t.get(r, 'priority', 'Priority'),
      assignee: t.get(r, 'assigned_to_user', 'Assigned To', 'assignee'),
      services: service ? [service] : [],
      created: parseTrackerDate(t.get(r, 'created_on', 'created_at', 'Created On', 'Created At')),
      resolved: parseTrackerDate(t.get(r, 'resolved_on', 'resolved_at', 'Resolved On', 'Resolved At')),
      people: [t.get(r, 'resolved_by_user', 'Resolved By'), t.get(r, 'acknowledged_by_user', 'Acknowledged By')].filter((x): x is string => !!x),
      refs: [ref.pagerduty(number), ...(id ? [ref.pagerduty(id)] : [])],
      metadata: { escalationPolicy: t.get(r, 'escalation_policy_name', 'Escalation Policy') },
    } satisfies Ticket];
  });
}

/** Any other CSV, read through a column mapping the user gives (`--map title=Summary,body=Details`). */
function mappedCsv(t: CsvTable, source: string, map: CsvMap): Ticket[] {
  if (!map.title) throw new HindsightError('usage', `${source}: say which column is the title, e.g. --map title=Summary,body=Description.`);
  const missing = Object.values(map).filter((col) => !t.has(col!));
  if (missing.length) throw new HindsightError('bad-map', `${source} has no column ${missing.map((m) => `"${m}"`).join(', ')} (columns: ${t.header.join(', ')}).`);
  const col = (r: string[], field: keyof CsvMap) => (map[field] ? t.get(r, map[field]!) : null);
  return t.rows.flatMap((r, i) => {
    const title = col(r, 'title');
    if (!title) return [];
    const key = col(r, 'key') ?? `ROW-${i + 1}`;
    return [{
      system: 'csv',
      format: 'csv',
      key,
      title,
      source: `${source}#${key}`,
      url: col(r, 'url'),
      status: col(r, 'status'),
      priority: col(r, 'priority'),
      assignee: col(r, 'assignee'),
      reporter: col(r, 'reporter'),
      labels: (col(r, 'labels') ?? '').split(/[,;]/).map((s) => s.trim()).filter(Boolean),
      services: [col(r, 'service')].filter((x): x is string => !!x),
      created: parseTrackerDate(col(r, 'created')),
      resolved: parseTrackerDate(col(r, 'resolved')),
      description: col(r, 'body') ?? '',
    } satisfies Ticket];
  });
}

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
