/**
 * Title and dates of a document from whatever it offers: front-matter, headings, file name, text.
 */

const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const MONTH_RE = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

function monthIndex(name: string): number {
  const n = name.toLowerCase().slice(0, 3);
  return MONTHS.findIndex((m) => m.startsWith(n));
}

function iso(y: number, mo: number, d: number, time?: string): string | null {
  if (y < 1970 || y > 2100 || mo < 0 || mo > 11 || d < 1 || d > 31) return null;
  const [hh, mm] = time ? time.split(':').map(Number) : [0, 0];
  const date = new Date(Date.UTC(y, mo, d, hh ?? 0, mm ?? 0));
  if (date.getUTCDate() !== d) return null;
  return date.toISOString();
}

/** The first recognisable calendar date in a string, as ISO 8601 (UTC), or null. */
export function findDate(text: string): string | null {
  const candidates: Array<{ at: number; value: string | null }> = [];
  const isoM = /\b(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}:\d{2}))?/.exec(text);
  if (isoM) candidates.push({ at: isoM.index, value: iso(+isoM[1]!, +isoM[2]! - 1, +isoM[3]!, isoM[4]) });
  const dmy = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of)?\\s+${MONTH_RE}\\.?,?\\s+(\\d{4})\\b`, 'i').exec(text);
  if (dmy) candidates.push({ at: dmy.index, value: iso(+dmy[3]!, monthIndex(dmy[2]!), +dmy[1]!) });
  const mdy = new RegExp(`\\b${MONTH_RE}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'i').exec(text);
  if (mdy) candidates.push({ at: mdy.index, value: iso(+mdy[3]!, monthIndex(mdy[1]!), +mdy[2]!) });
  candidates.sort((a, b) => a.at - b.at);
  return candidates.find((c) => c.value)?.value ?? null;
}

/** A front-matter value as a date, if it is one. */
export function dateValue(value: unknown): string | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') return findDate(String(value));
  return null;
}

const DATE_KEYS = ['date', 'incident_date', 'occurred', 'occurred_at', 'started', 'start', 'created', 'created_at'];
const RESOLVED_KEYS = ['resolved', 'resolved_at', 'end', 'ended', 'closed'];

/** When the incident happened: front-matter, then the file name, then the opening text. */
export function occurredAt(data: Record<string, unknown>, fileName: string, body: string): string | null {
  for (const k of DATE_KEYS) {
    const v = dateValue(data[k]);
    if (v) return v;
  }
  return findDate(fileName) ?? findDate(body.slice(0, 4000));
}

/** When it was resolved, if the document says so plainly. */
export function resolvedAt(data: Record<string, unknown>, body: string): string | null {
  for (const k of RESOLVED_KEYS) {
    const v = dateValue(data[k]);
    if (v) return v;
  }
  const m = /\b(?:resolved|resolution time|fully recovered)\b[^\n\d]{0,24}(\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?)/i.exec(body);
  return m ? findDate(m[1]!) : null;
}

/** Title: front-matter, then the first H1 (or first heading), then the file name made readable. */
export function titleOf(data: Record<string, unknown>, body: string, fileName: string): string {
  const fm = data.title;
  if (typeof fm === 'string' && fm.trim()) return clean(fm);
  const heading = firstHeading(body);
  if (heading) return clean(heading);
  const base = fileName.replace(/\.[^.]+$/, '').replace(/[_]+/g, ' ').replace(/\s+-\s+/g, ' - ');
  return clean(base) || 'Untitled';
}

/** The first level-1 heading (ATX or setext), else the first heading of any level, outside code. */
function firstHeading(body: string): string | null {
  const lines = body.split('\n', 400);
  let inFence = false;
  let fallback: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const atx = /^(#{1,6})\s+(.+?)[\s#]*$/.exec(line);
    if (atx?.[1] === '#') return atx[2]!;
    if (line.trim() && /^=+\s*$/.test(lines[i + 1] ?? '')) return line.trim();
    if (!fallback && atx) fallback = atx[2]!;
  }
  return fallback;
}

/**
 * A title without its Markdown marks: code ticks, and emphasis runs at a word's edge. Marks inside
 * a word stay (`AGG_SIG_UNSAFE`, `snake_case`), as Markdown itself reads them, and so does a `#`
 * (`incident #3301`).
 */
function clean(s: string): string {
  return s
    .replace(/`+/g, '')
    .replace(/(^|[^\p{L}\p{N}])[*_]+(?=[\p{L}\p{N}])/gu, '$1')
    .replace(/(?<=[\p{L}\p{N}.!?)])[*_]+(?=$|[^\p{L}\p{N}])/gu, '')
    .replace(/(^|\s)[*_]+(?=\s|$)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}
