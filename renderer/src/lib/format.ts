/**
 * Dates and numbers for people: in the user's locale and time zone (the browser's or the
 * desktop's), never raw ISO strings. `locale` and `timeZone` are parameters for tests only.
 */
export interface FormatOptions {
  locale?: string;
  timeZone?: string;
}

/**
 * A stored date without a time of day ("2024-03-12" from a postmortem's front matter) is kept as
 * midnight UTC; shown in a zone west of UTC it would become the day before. Such values are shown
 * as the calendar date they name.
 */
function isDateOnly(d: Date, iso: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) || (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0);
}

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "12 Mar 2024" (as the locale writes it); "undated" when unknown. */
export function shortDate(iso: string | null | undefined, o: FormatOptions = {}): string {
  const d = parse(iso);
  if (!d) return 'undated';
  return new Intl.DateTimeFormat(o.locale, { dateStyle: 'medium', timeZone: isDateOnly(d, iso!) ? 'UTC' : o.timeZone }).format(d);
}

/** "12 Mar 2024, 14:05" in the user's zone; a date without a time shows as the date alone. */
export function dateTime(iso: string | null | undefined, o: FormatOptions = {}): string {
  const d = parse(iso);
  if (!d) return 'undated';
  if (isDateOnly(d, iso!)) return shortDate(iso, o);
  return new Intl.DateTimeFormat(o.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: o.timeZone }).format(d);
}

/** The full date and time with its zone, for a tooltip. */
export function fullDateTime(iso: string | null | undefined, o: FormatOptions = {}): string | undefined {
  const d = parse(iso);
  if (!d) return undefined;
  return new Intl.DateTimeFormat(o.locale, { dateStyle: 'full', timeStyle: 'long', timeZone: isDateOnly(d, iso!) ? 'UTC' : o.timeZone }).format(d);
}

/** "3 min ago", "yesterday", "in 2 days" relative to `now`. */
export function relativeTime(iso: string | null | undefined, now = Date.now(), o: FormatOptions = {}): string {
  const d = parse(iso);
  if (!d) return '';
  const secs = (d.getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(o.locale, { numeric: 'auto' });
  const abs = Math.abs(secs);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 2700) return rtf.format(Math.round(secs / 60), 'minute');
  if (abs < 64_800) return rtf.format(Math.round(secs / 3600), 'hour');
  if (abs < 30 * 86_400) return rtf.format(Math.round(secs / 86_400), 'day');
  return shortDate(iso, o);
}

/** "Mar 2024" from "2024-03". */
export function monthLabel(ym: string, o: FormatOptions = {}): string {
  const [y, m] = ym.split('-').map(Number);
  if (!y || !m) return ym;
  return new Intl.DateTimeFormat(o.locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 1));
}

/** Minutes as "45 min", "3 h 20 min", "2 days 4 h" (rounded to the hour past two days, never "24 h"). */
export function humanMinutes(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes)} min`;
  if (minutes < 60 * 48) {
    const total = Math.round(minutes);
    const h = Math.floor(total / 60);
    const m = total % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const hours = Math.round(minutes / 60);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${d} days ${h} h` : `${d} days`;
}

/** Seconds left as "about 2 min left", for progress. */
export function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/** 1234 → "1,234" in the user's locale. */
export function count(n: number, o: FormatOptions = {}): string {
  return new Intl.NumberFormat(o.locale).format(n);
}

/** "1 document", "3 documents". */
export function plural(n: number, one: string, many = `${one}s`, o: FormatOptions = {}): string {
  return `${count(n, o)} ${n === 1 ? one : many}`;
}

/** Bytes as "34 MB", "812 KB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

export const KIND_LABEL: Record<string, string> = { postmortem: 'Postmortem', 'slack-thread': 'Slack', ticket: 'Ticket' };
