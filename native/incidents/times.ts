/**
 * Dates and times as write-ups state them: "2019-11-30 08:24", "12:45 PM PST Saturday Oct 30th",
 * "[03-26 23:04]", "### 5:00 PM" under "Timeline (times in BST)", "Jan 28 | 02:34" in a table whose
 * header says "Date (2022)". A time without a date takes the date of the timeline (a date line above
 * it, the timeline heading, the incident date); a time without a zone takes the zone the document
 * states ("All times in CET"), else UTC. Nothing is inferred beyond what the text says: a time
 * with no date anywhere gives nothing.
 */

export interface DateParts {
  y: number | null;
  mo: number;
  d: number;
}

export interface ParsedStamp {
  date: DateParts | null;
  /** Minutes after midnight. */
  minutes: number | null;
  /** Minutes east of UTC, when the stamp names its zone. */
  zone: number | null;
  /** Length of the stamp, from the start of the text given. */
  length: number;
}

const ZONES: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, WET: 0, WEST: 60, BST: 60, CET: 60, CEST: 120, EET: 120, EEST: 180,
  PST: -480, PDT: -420, MST: -420, MDT: -360, CST: -360, CDT: -300, EST: -300, EDT: -240,
  AEST: 600, AEDT: 660, JST: 540, IST: 330, SGT: 480, HKT: 480, KST: 540, NZST: 720, NZDT: 780,
};
const ZONE_NAMES = Object.keys(ZONES).sort((a, b) => b.length - a.length).join('|');
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const T_ISO = /(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])/y;
const T_SLASH = /(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])/y;
const T_DASH = /(\d{1,2})-(\d{1,2})(?:-(\d{4}))?(?=[\s\]):,|]|$)/y;
const T_MONTH_DAY = new RegExp(`${MONTH}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4})(?!\\d)|(?![\\d:]))`, 'iy');
const T_DAY_MONTH = new RegExp(`(\\d{1,2})(?:st|nd|rd|th)?\\.?\\s+(?:of\\s+)?${MONTH}\\.?(?:,?\\s+(\\d{4}))?(?![a-z])`, 'iy');
const T_TIME = /(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:\s*([ap])\.?m\.?(?![a-z]))?(?![\d])/iy;
/** "15.26" is a time only right after a date ("2023-09-18 15.26"); elsewhere it is a version. */
const T_TIME_DOT = /(\d{1,2})\.(\d{2})(?![\d.])()/y;
const T_ZONE = new RegExp(`(${ZONE_NAMES})(?:\\s*([+\\-−])\\s*(\\d{1,2})(?::?(\\d{2}))?)?(?![a-z])`, 'iy');
const T_WEEKDAY = /(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?(?![a-z])/iy;
const T_FILLER = /(?:at|on|approx\.?|approximately|around|about|circa|ca\.|by|from|since)(?=\s)/iy;
const DECORATION = /[\s*[\]()_~#>|,]+|T(?=\d)/y;
const DATE_TIME_SEPARATOR = /\s*[:\-–@]\s*(?=\d{1,2}[:.]\d{2})/y;

function sticky(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

function monthOf(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase());
}

function year(y: string | undefined): number | null {
  if (!y) return null;
  const n = Number(y);
  return y.length === 2 ? 2000 + n : n;
}

function zoneOf(m: RegExpExecArray): number {
  const base = ZONES[m[1]!.toUpperCase()] ?? 0;
  if (!m[2]) return base;
  const sign = m[2] === '+' ? 1 : -1;
  return base + sign * (Number(m[3]) * 60 + Number(m[4] ?? 0));
}

/**
 * A date and/or time at the start of `s` (after decoration such as "- **", "[", "~"), e.g.
 * "12:45 PM PST Saturday Oct 30th", "2019-11-30 08:24", "[03-26 23:04]". Null when `s` does not
 * start with one.
 */
export function parseStamp(s: string): ParsedStamp | null {
  let i = 0;
  let date: DateParts | null = null;
  let minutes: number | null = null;
  let zone: number | null = null;
  let end = 0;
  let steps = 0;
  while (i < s.length && steps++ < 12) {
    const dec = sticky(DECORATION, s, i);
    if (dec && dec[0].length) i += dec[0].length;
    let m: RegExpExecArray | null;
    if (!date && (m = sticky(T_ISO, s, i))) {
      date = { y: Number(m[1]), mo: Number(m[2]) - 1, d: Number(m[3]) };
    } else if (!date && (m = sticky(T_MONTH_DAY, s, i))) {
      date = { y: year(m[3]), mo: monthOf(m[1]!), d: Number(m[2]) };
    } else if (minutes === null && ((m = sticky(T_TIME, s, i)) || (date && (m = sticky(T_TIME_DOT, s, i))))) {
      let h = Number(m[1]);
      const mi = Number(m[2]);
      if (h > 23 || mi > 59) return end ? { date, minutes, zone, length: end } : null;
      const ampm = m[3]?.toLowerCase();
      if (ampm === 'p' && h < 12) h += 12;
      if (ampm === 'a' && h === 12) h = 0;
      minutes = h * 60 + mi;
    } else if (!date && (m = sticky(T_DAY_MONTH, s, i))) {
      date = { y: year(m[3]), mo: monthOf(m[2]!), d: Number(m[1]) };
    } else if (!date && (m = sticky(T_SLASH, s, i))) {
      const a = Number(m[1]);
      const b = Number(m[2]);
      // US order unless the first number cannot be a month.
      date = a > 12 ? { y: year(m[3]), mo: b - 1, d: a } : { y: year(m[3]), mo: a - 1, d: b };
    } else if (!date && (m = sticky(T_DASH, s, i))) {
      const a = Number(m[1]);
      const b = Number(m[2]);
      date = a > 12 ? { y: year(m[3]), mo: b - 1, d: a } : { y: year(m[3]), mo: a - 1, d: b };
    } else if (zone === null && (date || minutes !== null) && (m = sticky(T_ZONE, s, i))) {
      zone = zoneOf(m);
    } else if ((m = sticky(T_WEEKDAY, s, i)) || (m = sticky(T_FILLER, s, i))) {
      i += m[0].length;
      continue;
    } else if (date && minutes === null && (m = sticky(DATE_TIME_SEPARATOR, s, i))) {
      // "February 15, 2024: 7:56am UTC": the colon joins a date to its time.
      i += m[0].length;
      continue;
    } else break;
    i += m[0].length;
    end = i;
  }
  if (!date && minutes === null) return null;
  if (date && (date.mo < 0 || date.mo > 11 || date.d < 1 || date.d > 31)) date = null;
  if (!date && minutes === null) return null;
  return { date, minutes, zone, length: end };
}

/** The zone a text states for its times ("All times in CET", "Time (UTC)", "times in BST"), in minutes east of UTC. */
export function statedZone(text: string): number | null {
  const re = new RegExp(`(?:\\btimes?\\b[^.\\n|]{0,40}?|\\btimeline\\s*\\((?:[^)\\n]*\\s)?)\\b(${ZONE_NAMES})(?![A-Za-z0-9])(?:\\s*([+\\-−])\\s*(\\d{1,2})(?::?(\\d{2}))?)?`, 'i');
  const m = re.exec(text);
  return m ? zoneOf(m) : null;
}

/** Where a date or a time may start: a number or a month name at a word boundary. */
const STAMP_START = new RegExp(`(?<![A-Za-z0-9])(\\d|${MONTH})`, 'gi');

/** Offsets in a text where a stamp may start (cheap to find; parseStamp decides). */
export function stampStarts(text: string): number[] {
  const out: number[] = [];
  STAMP_START.lastIndex = 0;
  for (let m = STAMP_START.exec(text); m; m = STAMP_START.exec(text)) out.push(m.index);
  return out;
}

/** All dates in a text (headings, date lines): the date context of a timeline. */
export function datesIn(text: string): DateParts[] {
  const out: DateParts[] = [];
  let skipTo = 0;
  for (const i of stampStarts(text)) {
    if (i < skipTo) continue;
    const st = parseStamp(text.slice(i, i + 40));
    if (st?.date) {
      out.push(st.date);
      skipTo = i + st.length;
    }
  }
  return out;
}

/** ISO 8601 UTC of a date and minutes after midnight in a zone; null when the parts are not a real date. */
export function toIso(date: DateParts & { y: number }, minutes: number, zone: number): string | null {
  if (date.y < 1990 || date.y > 2100) return null;
  const t = Date.UTC(date.y, date.mo, date.d, 0, minutes) - zone * 60_000;
  const check = new Date(Date.UTC(date.y, date.mo, date.d));
  if (check.getUTCDate() !== date.d || check.getUTCMonth() !== date.mo) return null;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

export function minutesBetween(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 60_000;
}
