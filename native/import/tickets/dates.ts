const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/**
 * Dates as trackers export them, to ISO 8601 UTC: ISO strings (any offset), RFC 2822 (Jira XML),
 * "15/Jul/23 8:07 PM" (Jira CSV), "29-02-2016 01:16" (ServiceNow, day first), epoch seconds.
 * Null for anything else: a wrong date is worse than none.
 */
export function parseTrackerDate(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value > 1e12 ? value : value * 1000).toISOString() : null;
  const s = String(value).trim();
  if (!s || s === '?' || s.toLowerCase() === 'null') return null;
  // Jira's "2015-12-02T07:39:15.000-0800" has an offset without a colon.
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (iso) {
    const off = iso[3] ? (iso[3] === 'Z' ? 'Z' : iso[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
    const d = new Date(`${iso[1]}T${iso[2] ?? '00:00'}${off}`);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  const jira = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{2,4})(?:\s+(\d{1,2}):(\d{2})\s*(AM|PM)?)?$/i.exec(s);
  if (jira) {
    const year = Number(jira[3]!.length === 2 ? `20${jira[3]}` : jira[3]);
    let h = Number(jira[4] ?? 0);
    if (jira[6]?.toUpperCase() === 'PM' && h < 12) h += 12;
    if (jira[6]?.toUpperCase() === 'AM' && h === 12) h = 0;
    const mo = MONTHS[jira[2]!.toLowerCase()];
    return mo === undefined ? null : new Date(Date.UTC(year, mo, Number(jira[1]), h, Number(jira[5] ?? 0))).toISOString();
  }
  const dmy = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (dmy) {
    const d = new Date(Date.UTC(Number(dmy[3]), Number(dmy[2]) - 1, Number(dmy[1]), Number(dmy[4] ?? 0), Number(dmy[5] ?? 0), Number(dmy[6] ?? 0)));
    return d.getUTCDate() === Number(dmy[1]) ? d.toISOString() : null;
  }
  if (/^\d{9,13}$/.test(s)) return parseTrackerDate(Number(s));
  const parsed = Date.parse(s);
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}
