import { isMachineId, isPlaceholder, isQueueAccount, personName } from '../../entities/placeholders.js';

/**
 * Field values from any tracker, to the text a person would read. All normalisation of a field
 * value happens here, so that every format treats references, placeholders and ids alike.
 *
 * A value may be:
 * - a plain string or number;
 * - a reference object: ServiceNow `{link, value}` / `{display_value, value}`, Jira `{displayName}`
 *   / `{name}`, PagerDuty `{summary}`, GitLab `{name, username}`, Opsgenie `{name}`;
 * - the same object flattened into a CSV cell, as JSON or as a Python dict literal
 *   (`{'link': 'https://…/sys_user/6816…', 'value': '6816…'}`, what pandas writes).
 * A reference whose only content is a machine id (a sys_id behind a link) has no display value.
 */
export function displayValue(v: unknown, depth = 0): string | null {
  if (v === null || v === undefined || depth > 4) return null;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!s) return null;
    const obj = s.startsWith('{') && s.endsWith('}') ? parseObjectText(s) : s.startsWith('[') && s.endsWith(']') ? parseListText(s) : null;
    return obj ? displayValue(obj, depth + 1) : s;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => displayValue(x, depth + 1)).filter(Boolean).join(', ') || null;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of DISPLAY_KEYS) {
      const d = displayValue(o[k], depth + 1);
      if (d) return d;
    }
    // `value` last: for a reference it is the machine id behind the link.
    const raw = displayValue(o.value, depth + 1);
    return raw && !(('link' in o || 'sys_id' in o) && isMachineId(raw)) ? raw : null;
  }
  return null;
}

const DISPLAY_KEYS = ['display_value', 'displayValue', 'displayName', 'display_name', 'name', 'full_name', 'fullName', 'summary', 'title', 'label', 'username', 'login', 'email', 'emailAddress'];

/** A scalar field: its display value, or null for a placeholder ("Unassigned", "None", "-"). */
export function fieldText(v: unknown): string | null {
  const d = displayValue(v);
  return d && !isPlaceholder(d) ? d : null;
}

/** A person field: as fieldText, and never a machine id. */
export function fieldPerson(v: unknown): string | null {
  return personName(fieldText(v));
}

/** A person field holding a team's queue account ("Backlog - Evergreen Team"): its name; else null. */
export function fieldQueue(v: unknown): string | null {
  const d = fieldText(v);
  return d && isQueueAccount(d) ? d : null;
}

/**
 * A list field. Lists may come as arrays, as one string (one item: a label may hold commas in
 * some trackers, so a string is split only when `split` says how), or as repeated CSV columns.
 */
export function fieldList(v: unknown, split?: RegExp): string[] {
  const items = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string' && item.trim().startsWith('[')) {
      const parsed = parseListText(item.trim());
      if (parsed) {
        out.push(...fieldList(parsed));
        continue;
      }
    }
    const d = fieldText(item);
    if (!d) continue;
    for (const part of split && typeof item === 'string' ? d.split(split) : [d]) {
      const p = part.trim();
      if (p && !isPlaceholder(p) && !out.includes(p)) out.push(p);
    }
  }
  return out;
}

/**
 * `{…}` from a CSV cell as an object: JSON first, then a Python dict literal (single quotes,
 * True/False/None). Only flat string/number/boolean values are read; anything else is left as text.
 */
export function parseObjectText(s: string): Record<string, unknown> | null {
  if (s.length > 100_000) return null;
  try {
    const j = JSON.parse(s) as unknown;
    return j && typeof j === 'object' && !Array.isArray(j) ? (j as Record<string, unknown>) : null;
  } catch {
    // not JSON: try the Python form
  }
  const out: Record<string, unknown> = {};
  const pair = /(['"])((?:\\.|(?!\1).)*)\1\s*:\s*(?:(['"])((?:\\.|(?!\3).)*)\3|(True|False|None|-?\d+(?:\.\d+)?))/g;
  let m: RegExpExecArray | null;
  let found = false;
  while ((m = pair.exec(s))) {
    found = true;
    const value = m[3] ? unescapePy(m[4]!) : m[5] === 'True' ? true : m[5] === 'False' ? false : m[5] === 'None' ? null : Number(m[5]);
    out[unescapePy(m[2]!)] = value;
  }
  return found ? out : null;
}

function parseListText(s: string): unknown[] | null {
  try {
    const j = JSON.parse(s) as unknown;
    if (Array.isArray(j)) return j;
  } catch {
    // Python list literal: ['a', 'b'] or [{'name': 'x'}, …]
  }
  if (!s.endsWith(']')) return null;
  const inner = s.slice(1, -1).trim();
  if (!inner) return [];
  if (inner.startsWith('{')) return inner.split(/\}\s*,\s*\{/).map((p, i, all) => `${i ? '{' : ''}${p}${i < all.length - 1 ? '}' : ''}`);
  const items = [...inner.matchAll(/(['"])((?:\\.|(?!\1).)*)\1/g)].map((m) => unescapePy(m[2]!));
  return items.length ? items : null;
}

function unescapePy(s: string): string {
  return s.replace(/\\(['"\\nrt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}
