import { isMachineId } from '../../entities/placeholders.js';
import { parseTrackerDate } from './dates.js';
import { displayValue, fieldList, fieldPerson, fieldQueue, fieldText, parseObjectText } from './values.js';

/**
 * One record of an export before it becomes a ticket: a JSON object, or a CSV row keyed by its
 * lower-cased column names (a repeated column, such as Jira's Labels, holds an array).
 */
export type RawRecord = Record<string, unknown>;

/**
 * Which keys or columns feed each ticket field, in order of preference (never the order of the
 * file's columns): the first one that holds a real value wins. Paths may be dotted into nested
 * objects (`fields.assignee`); a CSV column named with a dot (`assigned_to.name`) matches too.
 */
export interface TicketFieldMap {
  key: string[];
  title: string[];
  url?: string[];
  type?: string[];
  status?: string[];
  resolution?: string[];
  priority?: string[];
  severity?: string[];
  assignee?: string[];
  reporter?: string[];
  /**
   * Person fields that may hold a team's queue account instead of a person ("Backlog - Evergreen
   * Team" as assignee): the first such value is the ticket's queue (a board value, never a person).
   */
  queue?: string[];
  /** Incident roles, for the incident records built from tickets later. */
  commander?: string[];
  resolvedBy?: string[];
  acknowledgedBy?: string[];
  /** Every value of every one of these is a person involved (not first-wins). */
  people?: string[];
  labels?: string[];
  components?: string[];
  services?: string[];
  created?: string[];
  resolved?: string[];
  acknowledged?: string[];
  mitigated?: string[];
  description?: string[];
  resolutionNotes?: string[];
  closeCode?: string[];
}

export interface MappedFields {
  key: string | null;
  title: string | null;
  url: string | null;
  type: string | null;
  status: string | null;
  resolution: string | null;
  priority: string | null;
  severity: string | null;
  assignee: string | null;
  reporter: string | null;
  queue: string | null;
  commander: string | null;
  resolvedBy: string | null;
  acknowledgedBy: string | null;
  people: string[];
  labels: string[];
  components: string[];
  services: string[];
  created: string | null;
  resolved: string | null;
  acknowledged: string | null;
  mitigated: string | null;
  description: string;
  resolutionNotes: string;
  closeCode: string | null;
}

/** The mapped fields a Jira ticket takes as they are, whatever the export (JSON, XML, CSV). */
export function jiraTicketFields(m: MappedFields) {
  return {
    type: m.type,
    status: m.status,
    resolution: m.resolution,
    priority: m.priority,
    assignee: m.assignee,
    reporter: m.reporter,
    queue: m.queue,
    labels: m.labels,
    components: m.components,
    created: m.created,
    resolved: m.resolved,
  };
}

/** The value at a path: an exact key first (CSV columns may contain dots), then nested objects. */
export function lookup(r: RawRecord, path: string): unknown {
  if (path in r) return r[path];
  const lower = path.toLowerCase();
  if (lower in r) return r[lower];
  let cur: unknown = r;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? (/^\d+$/.test(part) ? cur[Number(part)] : undefined) : (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function first<T>(r: RawRecord, paths: string[] | undefined, read: (v: unknown) => T | null): T | null {
  for (const p of paths ?? []) {
    const v = read(lookup(r, p));
    if (v !== null && v !== undefined && !(Array.isArray(v) && !v.length)) return v;
  }
  return null;
}

const text = (v: unknown) => fieldText(v);
/**
 * A date: from a `{display_value, value}` pair the value (UTC, ISO-like) rather than the display
 * value, which is in the exporting user's zone and format ("06/02/2020 14:19:51", day first).
 */
const date = (v: unknown): string | null => {
  const o = typeof v === 'string' && v.trim().startsWith('{') ? (parseObjectText(v.trim()) ?? v) : v;
  if (o && typeof o === 'object' && !Array.isArray(o) && 'value' in o) return parseTrackerDate((o as { value: unknown }).value) ?? parseTrackerDate(displayValue(o));
  return parseTrackerDate(typeof o === 'number' ? o : displayValue(o));
};
/** Free text keeps what a placeholder list would drop ("None" is a fine sentence in a description). */
const prose = (v: unknown) => (typeof v === 'string' ? v.trim() || null : displayValue(v));

export function mapFields(map: TicketFieldMap, r: RawRecord, lists: { split?: RegExp } = {}): MappedFields {
  const list = (paths?: string[]) => first(r, paths, (v) => fieldList(v, lists.split)) ?? [];
  // Components and services are names; an id (Opsgenie impactedServices, a CI's sys_id) is not one.
  const names = (paths?: string[]) => first(r, paths, (v) => fieldList(v, lists.split).filter((n) => !isMachineId(n))) ?? [];
  const people = new Set<string>();
  for (const p of map.people ?? []) {
    const v = lookup(r, p);
    for (const item of Array.isArray(v) ? v : [v]) {
      const name = fieldPerson(item);
      if (name) people.add(name);
    }
  }
  return {
    key: first(r, map.key, text),
    title: first(r, map.title, prose),
    url: first(r, map.url, text),
    type: first(r, map.type, text),
    status: first(r, map.status, text),
    resolution: first(r, map.resolution, text),
    priority: first(r, map.priority, text),
    severity: first(r, map.severity, text),
    assignee: first(r, map.assignee, fieldPerson),
    reporter: first(r, map.reporter, fieldPerson),
    queue: first(r, map.queue, fieldQueue),
    commander: first(r, map.commander, fieldPerson),
    resolvedBy: first(r, map.resolvedBy, fieldPerson),
    acknowledgedBy: first(r, map.acknowledgedBy, fieldPerson),
    people: [...people],
    labels: list(map.labels),
    components: names(map.components),
    services: names(map.services),
    created: first(r, map.created, date),
    resolved: first(r, map.resolved, date),
    acknowledged: first(r, map.acknowledged, date),
    mitigated: first(r, map.mitigated, date),
    description: first(r, map.description, prose) ?? '',
    resolutionNotes: first(r, map.resolutionNotes, prose) ?? '',
    closeCode: first(r, map.closeCode, text),
  };
}
