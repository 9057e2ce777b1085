import type { Segment } from './outline.js';
import { peopleRoleOf } from './outline.js';
import { isPlaceholder, plain, units } from './text.js';
import type { IncidentRecord, Person, PersonRole, Sourced } from './types.js';

/** "Unassigned" in the trackers' languages, and the other words a people field holds when nobody is named. */
const NOBODY = new Set(
  [
    'unassigned', 'not assigned', 'no assignee', 'none', 'nobody', 'no one', 'noone', 'n/a', 'na', 'tbd', 'tba', 'todo', 'unknown', 'anonymous',
    'someone', 'somebody', 'anyone', 'anybody', 'name', 'your name', 'first last', 'firstname lastname', 'john doe', 'jane doe', 'user', 'users',
    'admin', 'administrator', 'root', 'system', 'automation', 'automatic', 'customer', 'customers', 'caller', 'team', 'everyone', 'all', 'here', 'channel',
    'не назначено', 'не назначен', 'не назначена', 'нет', 'никто', 'nicht zugewiesen', 'nicht zugeordnet', 'niemand', 'keiner', 'non assigné', 'non attribué',
    'personne', 'sin asignar', 'no asignado', 'nadie', 'non assegnato', 'nessuno', 'não atribuído', 'nao atribuido', 'ninguém', 'niet toegewezen',
    'nieprzypisany', 'nieprzypisane', 'brak', 'ej tilldelad', 'ingen', 'ikke tildelt', 'ei määritetty', 'ei kukaan', 'nepřiřazeno', 'nincs hozzárendelve',
    'atanmamış', 'atanmadı', '未割り当て', '未割当', '担当者なし', '未分配', '未指派', '无', '미지정', '없음', 'غير مسند',
  ].map((s) => s.toLowerCase()),
);

/** Accounts that are not people: bots, integrations, service users. */
const BOT = /\[bot\]|\bbots?\b|(^|[-_.])(bot|robot)$|^(bot|robot)[-_.]|githook|webhook|automation|noreply|no-reply|jenkins|github-actions|dependabot|renovate|pagerduty|opsgenie|statuspage|integration|(^|[-_.])(svc|system|daemon|service|ci|cd|deploy|deployer)([-_.]|$)|[-_.]user$|^(slackbot|pagerduty|datadog|grafana|alertmanager|sentry|prometheus|nagios|zabbix|uptimerobot|pingdom)$/i;

/** Machine values: account ids, sys_ids, Slack user ids, bare e-mail addresses, pseudonymised codes. */
const MACHINE: RegExp[] = [
  /^JIRAUSER\d+$/i,
  /^[0-9a-f]{24}$/i,
  /^\d{5,6}:[0-9a-f-]{36}$/i,
  /^[0-9a-f]{32}$/i,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[UWB][A-Z0-9]{7,11}$/,
  /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  /^[\d\s.:-]+$/,
  /^[\p{L} ]{1,30} \d{1,6}$/u,
];

/** Words that describe a role or a group, not a person ("Affected employee", "IPS team"). */
const GENERIC = /\b(team|teams|employee|employees|engineers?|users?|customers?|members?|staff|people|person|individual|developers?|admins?|administrators?|support|on-?call|oncall|group|department|vendor|consultant|community|everyone|somebody|someone|affected|primary|secondary|rep|representative|department|partner|bank|institution|company|organi[sz]ation)\b/i;

/** A name as written, without links, e-mail addresses in angle brackets or the "@" of a handle. */
export function cleanName(raw: string): string {
  return plain(raw)
    .replace(/<[^>]*@[^>]*>/g, '')
    .replace(/\([^)]*@[^)]*\)/g, '')
    .replace(/^@/, '')
    .replace(/[\s,.;:!?]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when a value names a person: never a placeholder, a bot, a machine id or a description. */
export function isPersonName(raw: string): boolean {
  const name = cleanName(raw);
  if (name.length < 2 || name.length > 60 || !/\p{L}/u.test(name)) return false;
  const lower = name.toLowerCase();
  if (NOBODY.has(lower) || NOBODY.has(lower.replace(/[^\p{L}\s/]/gu, '').trim())) return false;
  if (/^(someone|somebody|name|your|first ?name)\b/i.test(name)) return false;
  if (isPlaceholder(raw) || isPlaceholder(name)) return false;
  if (BOT.test(name)) return false;
  if (MACHINE.some((re) => re.test(name))) return false;
  if (GENERIC.test(name)) return false;
  const words = name.split(/\s+/);
  if (words.length > 4) return false;
  // A name with several words is capitalised ("Sen Lu", "Sarika de Bruyn"); one word may be a handle.
  if (words.length > 1 && !words.every((w) => /^(\p{Lu}|de|da|di|van|von|der|den|le|la|du|del|bin|al)/u.test(w))) return false;
  return true;
}

export function personKey(name: string): string {
  return cleanName(name).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Splits "RF, PW, RR", "Mathias and Dennis", "jennifer, martym" into names. */
function splitNames(value: string): string[] {
  return plain(value)
    .replace(/<[^>]*>/g, '')
    .split(/\s*(?:,|;|\band\b|&|\+)\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const PEOPLE_LINE = /^\s*(?:[-*+]\s+)?(?:\*\*|__)?(incident (?:lead|commander|manager|owner|coordinator)|ic|commander|tech(?:nical)? lead|authors?|written by|created by|prepared by|postmortem (?:owner|author)s?|owners?|reporters?|reported by|resolvers?|resolved by|fixed by|attendees?|atendees|participants?|responders?|on-?call(?: engineers?)?|staff present|people involved)(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(.+)$/i;
const HANDLE = /(?<![\w/@.])@([A-Za-z0-9][\w.-]{0,38}[A-Za-z0-9])\b/g;
const REPORTED_BY = /\b(?:reported|raised|discovered|flagged|submitted|found)\b(?:\s+[\w#-]+){0,4}?\s+by\s+(@[\w.-]+|\p{Lu}[\p{L}'-]+(?:\s+(?:de|van|von|der|da|di|le|la)?\s*\p{Lu}[\p{L}'-]+){0,3})/gu;
const HANDLE_REPORTS = /(?<![\w/])@([\w.-]+)\s+reports?\b/g;
const NAME = "\\p{Lu}[\\p{L}'-]+(?:\\s+(?:(?:de|van|von|der|den|da|di|le|la|du)\\s+)?\\p{Lu}[\\p{L}'-]+){1,3}";
/** "Sarika de Bruyn reports that ...": a full name opening a timeline line. */
const NAME_REPORTS = new RegExp(`(?:^|\\n)\\s*(?:[-*+]\\s+)?(${NAME})\\s+reports?\\b`, 'gu');
/** "First reports of users ... arrive from Sarika de Bruyn." */
const REPORTS_FROM = new RegExp(`\\breports?\\b[^.\\n]{0,80}?\\b(?:from|by)\\s+(${NAME})`, 'gu');

type Found = Sourced<Person>;

function add(out: Found[], record: IncidentRecord, name: string, role: PersonRole, section: string | null, start?: number, end?: number) {
  const clean = cleanName(name);
  if (!isPersonName(clean)) return;
  out.push({ value: { name: clean, role }, from: { documentId: record.documentId, section, ...(start !== undefined ? { start, end } : {}) } });
}

/**
 * One entry per (person, role); a plain "participant" entry is dropped when the same person has a
 * more specific role.
 */
export function dedupePeople(people: Found[]): Found[] {
  const seen = new Set<string>();
  const specific = new Set(people.filter((p) => p.value.role !== 'participant').map((p) => personKey(p.value.name)));
  const out: Found[] = [];
  for (const p of people) {
    const key = personKey(p.value.name);
    const id = `${key}\u0000${p.value.role}`;
    if (seen.has(id) || (p.value.role === 'participant' && specific.has(key))) continue;
    seen.add(id);
    out.push(p);
  }
  return out;
}

/** People of a postmortem: front-matter authors, labelled lines, people sections, timeline handles. */
export function postmortemPeople(record: IncidentRecord, segments: Segment[]): Found[] {
  const out: Found[] = [];
  for (const name of record.fieldPeople) add(out, record, name, 'author', null);
  const body = record.body;
  for (const s of segments) {
    if (s.kind === 'other' && /\b(chat|log|appendix)/i.test(s.title ?? '')) continue;
    const text = body.slice(s.headingStart, s.end);
    let off = s.headingStart;
    for (const line of text.split('\n')) {
      const start = off;
      off += line.length + 1;
      const m = PEOPLE_LINE.exec(line);
      if (m && !(s.inline && start === s.headingStart && s.kind === 'people')) {
        const label = m[1]!;
        let role = peopleRoleOf(label) ?? 'participant';
        // An owner inside action items owns the follow-up: a participant, not the write-up's author.
        if (/^owners?$/i.test(label) && (s.kind === 'actionItems' || s.kind === 'mitigation')) role = 'participant';
        for (const n of splitNames(m[2]!)) add(out, record, n, role, s.heading, start, start + line.length);
      }
    }
    if (s.kind === 'people') {
      const role = s.peopleRole ?? 'participant';
      if (s.inline) {
        for (const n of splitNames(body.slice(s.start, s.end).split('\n')[0]!)) add(out, record, n, role, s.heading, s.start, s.end);
      }
      for (const u of units(body, s.start, s.end)) {
        if (s.inline && u.start <= s.start) continue;
        // "Affected employee: Individual whose ..." names a role, not a person.
        const head = /^([^:]{1,40}):\s/.exec(u.text);
        const value = head ? head[1]! : u.text;
        for (const n of splitNames(value)) add(out, record, n, role, s.heading, u.start, u.end);
      }
    }
    if (s.kind === 'timeline' || s.kind === 'detection' || s.kind === 'summary' || s.kind === 'mitigation') {
      const own = body.slice(s.start, s.end);
      for (const m of own.matchAll(REPORTED_BY)) add(out, record, m[1]!, 'reporter', s.heading, s.start + m.index, s.start + m.index + m[0].length);
      for (const re of [HANDLE_REPORTS, NAME_REPORTS, REPORTS_FROM]) {
        for (const m of own.matchAll(re)) add(out, record, m[1]!, 'reporter', s.heading, s.start + m.index, s.start + m.index + m[0].length);
      }
      if (s.kind === 'timeline') {
        for (const m of own.matchAll(HANDLE)) {
          if (/oncall|on-call|^(here|channel|everyone|team)$/i.test(m[1]!)) continue;
          add(out, record, m[1]!, 'participant', s.heading, s.start + m.index, s.start + m.index + m[0].length);
        }
      }
    }
  }
  return dedupePeople(out);
}

/** The state words of a tracker that mean the work is finished. */
export const DONE_STATUS = /^(done|closed|resolved|fixed|complete|completed|finished|merged|released|deployed|verified|shipped|won'?t (do|fix))$/i;

/** People of a ticket: the assignee (the resolver once it is resolved), the reporter, the commenters. */
export function ticketPeople(record: IncidentRecord): Found[] {
  const out: Found[] = [];
  const meta = record.metadata;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const assignee = str(meta.assignee);
  const reporter = str(meta.reporter);
  const resolved = !!record.resolvedAt || (!!record.status && DONE_STATUS.test(record.status.trim()));
  if (assignee) add(out, record, assignee, resolved ? 'resolver' : 'participant', null);
  if (reporter) add(out, record, reporter, 'reporter', null);
  for (const n of record.fieldPeople) add(out, record, n, 'participant', null);
  return dedupePeople(out);
}
