import type { Segment } from './outline.js';
import { isPlaceholder, plain, units } from './text.js';
import { datesIn, parseStamp, stampStarts, statedZone, toIso, type DateParts } from './times.js';
import type { IncidentRecord } from './types.js';

/** One dated event of a write-up: a timeline line, a table row, a "### 5:00 PM" heading. */
export interface TimelineEvent {
  at: string;
  text: string;
  start: number;
  end: number;
  section: string | null;
}

export type TimeField = 'startedAt' | 'detectedAt' | 'mitigatedAt' | 'resolvedAt';

/** A time the document labels itself ("First detected: 2023-09-18 13:42", "Repaired ..."). */
export interface LabelledTime {
  field: TimeField;
  at: string;
  start: number;
  end: number;
  section: string | null;
}

const NARRATIVE: ReadonlySet<Segment['kind']> = new Set(['summary', 'impact', 'symptom', 'rootCause', 'trigger', 'contributing', 'detection', 'mitigation', 'comments']);

const LABELLED = /^\s*(?:[-*+]\s+)?(?:\*\*|__)?(first detected|detected|detection time|fault occur(?:s|red)?|started(?: at)?|start time|incident start(?:ed)?|impact start(?:ed)?|outage start(?:ed)?|began|repaired|mitigated(?: at)?|restored|recovered|resolved(?: at)?|closed|ended|end time)(?:\*\*|__)?\s*[:：]?\s*(?:\*\*|__)?\s*(.+)$/i;

function labelField(label: string): TimeField {
  const l = label.toLowerCase();
  if (/detect/.test(l)) return 'detectedAt';
  if (/repaired|mitigated|restored|recovered/.test(l)) return 'mitigatedAt';
  if (/resolved|closed|ended|end time/.test(l)) return 'resolvedAt';
  return 'startedAt';
}

interface Context {
  date: (DateParts & { y: number }) | null;
  year: number | null;
  zone: number | null;
  last: number | null;
}

function withYear(d: DateParts, ctx: Context): (DateParts & { y: number }) | null {
  const y = d.y ?? ctx.date?.y ?? ctx.year;
  return y ? { ...d, y } : null;
}

/** The incident's own date: front-matter/file-name date, else a dated title, else a date near the top. */
export function documentDate(record: Pick<IncidentRecord, 'occurredAt' | 'title' | 'body'>): (DateParts & { y: number }) | null {
  if (record.occurredAt && !Number.isNaN(Date.parse(record.occurredAt))) {
    const d = new Date(record.occurredAt);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth(), d: d.getUTCDate() };
  }
  for (const text of [record.title, record.body.slice(0, 1500)]) {
    const found = datesIn(text).find((d) => d.y);
    if (found) return found as DateParts & { y: number };
  }
  return null;
}

/** Times the document labels itself, in its "Key events" lines. */
export function labelledTimes(record: IncidentRecord, segments: Segment[], docZone: number | null): LabelledTime[] {
  const out: LabelledTime[] = [];
  const body = record.body;
  const docDate = documentDate(record);
  for (const s of segments) {
    if (s.kind === 'actionItems' || s.kind === 'lessons' || s.kind === 'lessonsWrong') continue;
    let off = s.headingStart;
    for (const line of body.slice(s.headingStart, s.end).split('\n')) {
      const start = off;
      off += line.length + 1;
      const m = LABELLED.exec(line);
      if (!m) continue;
      const rest = m[2]!.replace(/^[\s*_:]+/, '');
      const st = parseStamp(rest);
      if (!st || st.minutes === null || isPlaceholder(rest.slice(0, st.length))) continue;
      const date = st.date ? withYear(st.date, { date: docDate, year: docDate?.y ?? null, zone: null, last: null }) : docDate;
      if (!date) continue;
      const at = toIso(date, st.minutes, st.zone ?? docZone ?? 0);
      if (at) out.push({ field: labelField(m[1]!), at, start, end: start + line.length, section: s.heading });
    }
  }
  return out;
}

/**
 * Dated events, in document order: the lines and rows of timeline sections, plus lines of other
 * narrative sections that open with a full date and time (MOJ puts its timeline under "Context").
 */
export function timelineEvents(record: IncidentRecord, segments: Segment[], docZone: number | null): TimelineEvent[] {
  const body = record.body;
  const docDate = documentDate(record);
  const ctx: Context = { date: docDate, year: docDate?.y ?? null, zone: docZone, last: null };
  const out: TimelineEvent[] = [];
  const push = (date: DateParts | null, minutes: number, zone: number | null, text: string, start: number, end: number, section: string | null) => {
    const explicit = !!date;
    let d = date ? withYear(date, ctx) : ctx.date;
    if (!d) return;
    let at = toIso(d, minutes, zone ?? ctx.zone ?? 0);
    if (!at) return;
    // A time earlier than the one before it, with no date of its own, is on the next day.
    if (!explicit && ctx.last !== null && Date.parse(at) < ctx.last - 3 * 3600_000) {
      const next = new Date(Date.UTC(d.y, d.mo, d.d + 1));
      d = { y: next.getUTCFullYear(), mo: next.getUTCMonth(), d: next.getUTCDate() };
      at = toIso(d, minutes, zone ?? ctx.zone ?? 0);
      if (!at) return;
      ctx.date = d;
    }
    if (explicit) ctx.date = d;
    ctx.last = Date.parse(at);
    const clean = plain(text).replace(/^[\s:\-–—.)\]*|]+/, '').trim();
    if (!clean || isPlaceholder(clean)) return;
    out.push({ at, text: clean, start, end, section });
  };
  const setDate = (d: DateParts) => {
    const full = withYear(d, ctx);
    if (full) {
      ctx.date = full;
      ctx.year = full.y;
      ctx.last = null;
    }
  };
  for (const s of segments) {
    const isTimeline = s.kind === 'timeline';
    if (!isTimeline && !NARRATIVE.has(s.kind)) continue;
    const title = s.title ?? '';
    const zone = isTimeline ? (statedZone(`${title}\n${body.slice(s.start, Math.min(s.end, s.start + 400))}`) ?? null) : null;
    if (zone !== null) ctx.zone = zone;
    if (isTimeline && title) {
      const st = parseStamp(title);
      if (st?.minutes !== null && st && st.length >= title.replace(/\s+$/, '').length - 2) {
        // "### 5:00 PM" then the event on the next lines.
        const first = units(body, s.start, s.end)[0];
        if (first) push(st.date, st.minutes, st.zone, first.text, s.headingStart, first.end, s.heading);
        continue;
      }
      const dates = datesIn(title);
      if (dates.length) setDate(dates[0]!);
    } else if (!isTimeline && title && s.level <= 6) {
      const dates = datesIn(title);
      if (dates.length && dates[0]!.y) setDate(dates[0]!);
    }
    let pending: { date: DateParts | null; minutes: number; zone: number | null; start: number } | null = null;
    let header: string[] | null = null;
    let off = s.start;
    for (const raw of body.slice(s.start, s.end).split('\n')) {
      const lineStart = off;
      off += raw.length + 1;
      if (!raw.trim()) {
        header = null;
        continue;
      }
      if (/^\s*\|/.test(raw)) {
        if (!isTimeline) continue;
        const cells = raw.trim().replace(/^\|/, '').replace(/\|\s*$/, '').split(/(?<!\\)\|/).map((c) => plain(c));
        if (cells.every((c) => /^:?-{2,}:?$/.test(c) || !c)) continue;
        if (!header) {
          header = cells.map((c) => c.toLowerCase());
          const hz = statedZone(header.join(' | ')) ?? zoneInParens(header.join(' '));
          if (hz !== null) ctx.zone = hz;
          const hy = /\b(19|20)\d\d\b/.exec(header.join(' '));
          if (hy) ctx.year = Number(hy[0]);
          // A header row that is itself data (no words, only a stamp) falls through.
          if (!cells.some((c) => parseStamp(c)?.minutes != null)) continue;
        }
        const isStampCol = (i: number) => !!header && /\b(date|time|day|when|timestamp|hour)\b/.test(header[i] ?? '') && !/\bevent|description|action\b/.test(header[i] ?? '');
        let stampCells = cells.filter((_, i) => isStampCol(i));
        let rest = cells.filter((c, i) => !isStampCol(i) && c);
        if (!stampCells.length) {
          const lead = cells.findIndex((c) => !c || !(parseStamp(c) && parseStamp(c)!.length >= c.length - 1));
          stampCells = cells.slice(0, Math.max(0, lead));
          rest = cells.slice(Math.max(0, lead)).filter(Boolean);
        }
        const st = parseStamp(stampCells.join(' '));
        if (st?.minutes != null) push(st.date, st.minutes, st.zone, rest.join(' — '), lineStart, lineStart + raw.length, s.heading);
        else if (st?.date) setDate(st.date);
        continue;
      }
      const text = raw.replace(/^\s*(?:[-*+•]|\d{1,3}[.)])\s+/, '').replace(/^\s*>\s?/, '').replace(/^\s*#{1,6}\s+/, '');
      const st = parseStamp(text);
      if (st && st.length >= 3) {
        const rest = text.slice(st.length);
        if (st.minutes === null) {
          if (isTimeline && st.date) setDate(st.date);
          pending = null;
          continue;
        }
        // Outside a timeline only lines that open with a date and a time are events.
        if (!isTimeline && (!st.date || !/^\s*(\d|[a-z]{3})/i.test(text) || /^\s*(from|by|on|at|since|until)\b/i.test(text))) continue;
        if (!plain(rest).replace(/^[\s:\-–—.)\]*|]+/, '').trim()) {
          pending = { date: st.date, minutes: st.minutes, zone: st.zone, start: lineStart };
          continue;
        }
        push(st.date, st.minutes, st.zone, rest, lineStart, lineStart + raw.length, s.heading);
        pending = null;
        continue;
      }
      if (pending && isTimeline) {
        push(pending.date, pending.minutes, pending.zone, text, pending.start, lineStart + raw.length, s.heading);
        pending = null;
      }
    }
  }
  return out;
}

function zoneInParens(text: string): number | null {
  const m = /\(\s*([a-z]{2,4})\s*\)/i.exec(text);
  return m ? statedZone(`times ${m[1]}`) : null;
}

/** Sentences of narrative sections with a time in them ("from 15:30 to 18:10 UTC", "By 9:30 AM UTC, ..."). */
export interface NarrativeTime {
  at: string;
  text: string;
  start: number;
  end: number;
  section: string | null;
  /** "from X to Y": the first is when it started, the second when it stopped. */
  range?: 'from' | 'to';
  /** The words of its clause before the time ("The TLS certificate … expired at"). */
  lead: string;
}

export function narrativeTimes(record: IncidentRecord, segments: Segment[], docZone: number | null): NarrativeTime[] {
  const out: NarrativeTime[] = [];
  const docDate = documentDate(record);
  for (const s of segments) {
    if (s.kind !== 'summary' && s.kind !== 'impact' && s.kind !== 'mitigation' && s.kind !== 'symptom') continue;
    for (const u of units(record.body, s.start, s.end)) {
      if (u.kind !== 'sentence' && u.kind !== 'item') continue;
      const stamps: Array<{ at: number; date: DateParts | null; minutes: number; zone: number | null }> = [];
      const t = u.text;
      // Only a sentence with a clock time in it can give a time.
      if (!/\d:\d\d/.test(t)) continue;
      let skipTo = 0;
      for (const i of stampStarts(t)) {
        if (i < skipTo) continue;
        const st = parseStamp(t.slice(i, i + 60));
        if (st && st.minutes !== null) {
          stamps.push({ at: i, date: st.date, minutes: st.minutes, zone: st.zone });
          skipTo = i + st.length;
        }
      }
      if (!stamps.length) continue;
      const sentenceZone = stamps.find((x) => x.zone !== null)?.zone ?? null;
      const sentenceDate = datesIn(t).find(Boolean) ?? null;
      for (const [k, st] of stamps.entries()) {
        const date = st.date ?? sentenceDate;
        const full = date ? (date.y ? (date as DateParts & { y: number }) : docDate ? { ...date, y: docDate.y } : null) : docDate;
        // A bare clock time needs the sentence or the document to say its zone.
        if (!full || (st.zone === null && sentenceZone === null && docZone === null)) continue;
        const at = toIso(full, st.minutes, st.zone ?? sentenceZone ?? docZone ?? 0);
        if (!at) continue;
        const before = t.slice(Math.max(0, st.at - 12), st.at).toLowerCase();
        const range = /\bfrom\s*$/.test(before) ? 'from' : k > 0 && /\b(to|until|till)\s*$|[–-]\s*$/.test(before) ? 'to' : undefined;
        const lead = t.slice(0, st.at).split(/[.;!?]\s|,\s(?=(?:and |but |then |so )?[a-z])/i).at(-1) ?? '';
        out.push({ at, text: t, start: u.start, end: u.end, section: s.heading, lead, ...(range ? { range } : {}) });
      }
    }
  }
  return out;
}

/** How long the impact lasted, as a summary says it: "for 3 hours", "lasted 2 hours 10 minutes", "a 45-minute outage". */
export interface StatedDuration {
  minutes: number;
  start: number;
  end: number;
  section: string | null;
}

const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, forty: 40, 'forty-five': 45, ninety: 90 };
const AMOUNT = `(\\d+(?:\\.\\d+)?|${Object.keys(NUMBER_WORDS).join('|')}|half an?)`;
const UNIT = '(hours?|hrs?|h|minutes?|mins?|m)';
const APPROX = '(?:about |around |roughly |approximately |nearly |almost |over |more than |just over |just under |~\\s?)?';
const DURATION = new RegExp(
  `\\b(?:for|lasted|lasting|lasts|over a period of|during)\\s+${APPROX}${AMOUNT}[\\s-]?${UNIT}\\b(?:,?\\s*(?:and\\s+)?${AMOUNT}[\\s-]?(minutes?|mins?|m)\\b)?|\\b${AMOUNT}[\\s-]${UNIT}(?:[\\s-]long)?\\s+(?:outage|incident|downtime|disruption|degradation|interruption)\\b`,
  'gi',
);

function amount(word: string | undefined): number {
  if (!word) return 0;
  const w = word.toLowerCase();
  if (w.startsWith('half')) return 0.5;
  return NUMBER_WORDS[w] ?? Number(w);
}

const unitMinutes = (u: string | undefined) => (u && /^h/i.test(u) ? 60 : 1);

/**
 * Durations of the impact stated in a write-up's summary, impact or symptom sections. Root causes
 * and lessons say how long other things lasted ("renewal had failed silently for 30 days"), so only
 * those sections count; days are not an incident's length.
 */
export function statedDurations(record: IncidentRecord, segments: Segment[]): StatedDuration[] {
  const out: StatedDuration[] = [];
  for (const s of segments) {
    if (s.kind !== 'summary' && s.kind !== 'impact' && s.kind !== 'symptom') continue;
    const text = record.body.slice(s.start, s.end);
    DURATION.lastIndex = 0;
    for (let m = DURATION.exec(text); m; m = DURATION.exec(text)) {
      const minutes = m[1] !== undefined ? amount(m[1]) * unitMinutes(m[2]) + amount(m[3]) : amount(m[5]) * unitMinutes(m[6]);
      if (!(minutes > 0) || minutes > 7 * 24 * 60) continue;
      out.push({ minutes: Math.round(minutes), start: s.start + m.index, end: s.start + m.index + m[0].length, section: s.heading });
    }
  }
  return out;
}
