import { isValid, parse, parseISO } from 'date-fns';
import { UTCDate } from './utc-date.js';

/**
 * Dates as trackers write them, to ISO 8601 UTC, or null: a wrong date is worse than none.
 *
 * - ISO 8601 with or without a zone, `T` or a space between date and time ("2024-03-05 14:22:10",
 *   ServiceNow; "2015-12-02T07:39:15.000-0800", Jira; "2016-07-06T11:16:50 -10:00").
 * - Jira CSV "05/Mar/24 2:22 PM" (also 24-hour and 4-digit years).
 * - RFC 2822 "Sat, 15 Jul 2023 20:07:23 +0000" (Jira XML, mail); JS `Date.toString()`
 *   "Tue Mar 05 2024 14:22:00 GMT+0000 (Coordinated Universal Time)".
 * - Month names: "March 5, 2024 2:22 PM", "5 March 2024", "05-Mar-2024 14:22"; year first:
 *   "2024/03/05 14:22", "2024-03-05 2:22 PM".
 * - Numeric dates. Ambiguous day/month orders are resolved by the separator, the way the tools
 *   that write them do: a slash is month first (US locale: PagerDuty CSV, Excel, ServiceNow en-US:
 *   "3/5/2024 14:22" is 5 March) unless the first number cannot be a month ("29/02/2016" is day
 *   first); a dash or a dot after a 1–2 digit day is day first ("29-02-2016 01:16" from ServiceNow
 *   en-GB, "05.03.2024" German).
 * - Epoch seconds or milliseconds (numbers, or strings of 9–13 digits).
 *
 * Times without a zone are taken as UTC (API exports write UTC; a wrong zone is off by hours,
 * never by days). Years outside 1971–2099 are refused: they are durations or junk, not incidents.
 */
export function parseTrackerDate(value: unknown): string | null {
  if (value === null || value === undefined || typeof value === 'boolean') return null;
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!s || s === '?' || /^(null|none|n\/a|-)$/i.test(s)) return null;
  if (/^\d{9,13}$/.test(s)) return fromEpoch(Number(s));
  const iso = isoShape(s);
  if (iso) return sane(parseISO(iso));
  // "GMT+0000 (Coordinated Universal Time)" (JS Date.toString), "… GMT", "… UTC": a zone date-fns reads.
  const zoned = s.replace(/\s*\([^()]*\)$/, '').replace(/\s+(?:GMT|UTC)?([+-]\d{2}:?\d{2})$/i, ' $1').replace(/\s+(GMT|UTC|Z)$/i, ' +0000');
  const formats = formatsFor(zoned);
  // An export writes every date of a column alike: the format that read the last date of this
  // family is tried first (date-fns' parse is costly, ~0.1 ms a try, and a file has 100k dates).
  const hit = lastHit.get(formats);
  for (const format of hit ? [hit, ...formats] : formats) {
    const d = parse(zoned, format, REFERENCE());
    // A shape that reads but lands outside the sane years (3/5/24 read as year 24) is the wrong
    // shape, not a wrong date: the next one ("M/d/yy") may be right.
    const iso = isValid(d) ? sane(d) : null;
    if (iso) {
      lastHit.set(formats, format);
      return iso;
    }
  }
  return null;
}

const lastHit = new Map<string[], string>();

const REFERENCE = () => new UTCDate(Date.now());

/** "2024-03-05 14:22:10" and friends → a string parseISO reads with an explicit zone. */
function isoShape(s: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?))?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i.exec(s);
  if (!m) return null;
  const zone = !m[3] || /^(z|utc|gmt)$/i.test(m[3]) ? 'Z' : m[3];
  return `${m[1]}T${(m[2] ?? '00:00').replace(',', '.')}${zone}`;
}

const TIME_24 = ['H:mm', 'H:mm:ss'];
const TIME_12 = ['h:mm a', 'h:mm:ss a'];
const withTimes = (day: string, times: string[]) => [day, ...times.map((t) => `${day} ${t}`), ...times.map((t) => `${day} ${t} xx`)];

const TIMES = [...TIME_24, ...TIME_12];
const JIRA = [...withTimes('d/MMM/yy', [...TIME_12, ...TIME_24]), ...withTimes('d/MMM/yyyy', [...TIME_12, ...TIME_24])];
/** Dates with a month name or a year first: no day/month ambiguity. */
const WORDED = [
  // RFC 2822 (Jira XML, mail)
  'EEE, d MMM yyyy HH:mm:ss xx', 'd MMM yyyy HH:mm:ss xx', 'EEE, d MMM yyyy HH:mm xx', 'EEE, d MMM yyyy HH:mm:ss',
  // JS Date.toString(), its "(zone name)" cut off: "Tue Mar 05 2024 14:22:00 +0000"
  'EEE MMM d yyyy HH:mm:ss xx', 'EEE MMM d yyyy HH:mm:ss',
  // "March 5, 2024 2:22 PM", "Mar 5, 2024" (US long dates, Excel, Google Sheets)
  ...withTimes('MMMM d, yyyy', TIMES), ...withTimes('MMM d, yyyy', TIMES), ...withTimes('EEEE, MMMM d, yyyy', TIMES),
  // "5 March 2024", "05-Mar-2024 14:22" (UK long dates, Oracle/SQL dumps)
  ...withTimes('d MMMM yyyy', TIMES), ...withTimes('d MMM yyyy', TIMES), ...withTimes('d-MMM-yyyy', TIMES), ...withTimes('d-MMM-yy', TIMES),
  // "2024/03/05 14:22" (Japanese/Chinese locales), "2024-03-05 2:22 PM"
  ...withTimes('yyyy/M/d', TIMES), ...withTimes('yyyy-MM-dd', TIME_12), ...withTimes('yyyy.M.d', TIMES),
];
// Four-digit years first; a two-digit one ("3/5/24", an Excel re-save) is read by the yy shapes.
const MONTH_FIRST = [...withTimes('M/d/yyyy', TIMES), ...withTimes('M/d/yy', TIMES)];
const DAY_FIRST_SLASH = [...withTimes('d/M/yyyy', TIMES), ...withTimes('d/M/yy', TIMES)];
const DAY_FIRST = [...withTimes('d-M-yyyy', TIMES), ...withTimes('d-M-yy', TIMES), ...withTimes('d.M.yyyy', TIMES), ...withTimes('d.M.yy', TIMES)];

function formatsFor(s: string): string[] {
  if (/^\d{1,2}\/[A-Za-z]{3}\//.test(s)) return JIRA;
  const slash = /^(\d{1,2})\/(\d{1,2})\/\d{2,4}\b/.exec(s);
  if (slash) return Number(slash[1]) > 12 ? DAY_FIRST_SLASH : MONTH_FIRST;
  if (/^\d{1,2}[-.]\d{1,2}[-.]\d{2,4}\b/.test(s)) return DAY_FIRST;
  return WORDED;
}

function fromEpoch(n: number): string | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  return sane(new Date(n > 1e11 ? n : n * 1000));
}

function sane(d: Date): string | null {
  if (!isValid(d)) return null;
  const y = d.getUTCFullYear();
  return y > 1970 && y < 2100 ? d.toISOString() : null;
}
