/**
 * How a document's body is shown. The importers write tickets as Markdown with their fields up
 * front ("- **Status**: Done", times in ISO 8601) and comments headed "**Name** 2024-02-07 10:45"
 * (UTC): the page shows the fields once, in the header, with dates in the user's zone, and the
 * comment times likewise. Pure functions over text, so they are tested without a DOM.
 */
import { dateTime, type FormatOptions } from './format.js';

export interface Fact {
  label: string;
  value: string;
}

const FACT_LINE = /^- \*\*([^*\n]{1,40})\*\*: (.+)$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * The field list that opens a ticket (right after its title), and the body without it. A body
 * that does not open that way is returned whole, with no facts.
 */
export function ticketFacts(body: string): { facts: Fact[]; body: string } {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  if (/^#\s/.test(lines[0] ?? '')) i++;
  while (i < lines.length && !lines[i]!.trim()) i++;
  const start = i;
  const facts: Fact[] = [];
  while (i < lines.length) {
    const m = FACT_LINE.exec(lines[i]!);
    if (!m) break;
    facts.push({ label: m[1]!, value: m[2]! });
    i++;
  }
  // One bold bullet is a list item like any other; the generated block has several.
  if (facts.length < 2 || (lines[i] !== undefined && lines[i]!.trim())) return { facts: [], body };
  return { facts, body: [...lines.slice(0, start), ...lines.slice(i)].join('\n') };
}

/** A fact's value for people: ISO times in the user's zone and locale, anything else as written. */
export function factValue(value: string, o: FormatOptions = {}): string {
  return ISO_TIME.test(value.trim()) ? dateTime(value.trim(), o) : value;
}

const COMMENT_HEAD = /^(\*\*[^*\n]+\*\*) (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})$/gm;

/** Comment headings "**Name** 2024-02-07 10:45" (UTC) with the time in the user's zone. */
export function localCommentTimes(body: string, o: FormatOptions = {}): string {
  return body.replace(COMMENT_HEAD, (_m, who: string, day: string, time: string) => `${who} · ${dateTime(`${day}T${time}:00Z`, o)}`);
}

/** Facts the header already shows (the title line's key, dates it formats itself) are not listed twice. */
export const FACTS_IN_HEADER = new Set(['Key']);

const CHAT_DAY = /^_(\d{4}-\d{2}-\d{2})_$/;
const CHAT_HEAD = /^(\*\*[^*\n]+\*\*(?: \[bot\])?) (\d{2}:\d{2})( \(edited\))?$/;

/**
 * Chat conversations are written with UTC day lines ("_2024-02-07_") and UTC message times
 * ("**Sam Ortiz** 09:20"): shown with the times in the user's zone, and the day lines where the
 * day changes in that zone.
 */
export function localChatTimes(body: string, o: FormatOptions = {}): string {
  const day = new Intl.DateTimeFormat(o.locale, { dateStyle: 'medium', timeZone: o.timeZone });
  const time = new Intl.DateTimeFormat(o.locale, { timeStyle: 'short', timeZone: o.timeZone });
  const out: string[] = [];
  let utcDay: string | null = null;
  let shownDay: string | null = null;
  for (const line of body.split('\n')) {
    const d = CHAT_DAY.exec(line);
    if (d) {
      utcDay = d[1]!;
      continue;
    }
    const h = utcDay ? CHAT_HEAD.exec(line) : null;
    if (!h) {
      out.push(line);
      continue;
    }
    const at = new Date(`${utcDay}T${h[2]}:00Z`);
    const localDay = day.format(at);
    if (localDay !== shownDay) {
      // A day line is its own paragraph, as the importer wrote it.
      if (out.length && out[out.length - 1]!.trim()) out.push('');
      out.push(`_${localDay}_`, '');
      shownDay = localDay;
    }
    out.push(`${h[1]} ${time.format(at)}${h[3] ?? ''}`);
  }
  return out.join('\n');
}
