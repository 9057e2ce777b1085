import { CHANGE, DETECTION, FAILURE, MITIGATING_ACTION, NEGATED_RECOVERY, NOT_DONE, RECOVERED, RESOLVED, RESOLVED_OTHER, ROOT_FOUND, START } from './cues.js';
import type { Segment } from './outline.js';
import { labelledTimes, narrativeTimes, statedDurations, timelineEvents, type NarrativeTime, type TimeField, type TimelineEvent } from './timeline.js';
import { statedZone } from './times.js';
import type { IncidentRecord, Sourced } from './types.js';

export type TimeFields = Record<TimeField, Sourced<string> | null>;

const sourced = (record: IncidentRecord, at: string, section: string | null, start?: number, end?: number): Sourced<string> => ({
  value: at,
  from: { documentId: record.documentId, section, ...(start !== undefined ? { start, end } : {}) },
});

/** A field's value from a structured date, only when it carries a time of day. */
function datedField(record: IncidentRecord, value: string | null): Sourced<string> | null {
  if (!value || Number.isNaN(Date.parse(value))) return null;
  const iso = new Date(value).toISOString().replace('.000Z', 'Z');
  return sourced(record, iso, null);
}

/**
 * Started / detected / mitigated / resolved times of a postmortem: what it labels itself ("First
 * detected: …"), else what its timeline events say (the first alert or report is the detection, the
 * first "restored"/"working again" the mitigation, "resolved"/"closed" the resolution, an explicit
 * "outage begins" — or a first event that is a change or a failure — the start), else times in its
 * summary ("from 15:30 to 18:10 UTC").
 */
export function postmortemTimes(record: IncidentRecord, segments: Segment[], events: TimelineEvent[] = timelineEvents(record, segments, statedZone(record.body))): TimeFields {
  const zone = statedZone(record.body);
  const out: TimeFields = { startedAt: null, detectedAt: null, mitigatedAt: null, resolvedAt: null };
  for (const l of labelledTimes(record, segments, zone)) {
    if (!out[l.field]) out[l.field] = sourced(record, l.at, l.section, l.start, l.end);
  }
  const fromEvent = (e: TimelineEvent) => sourced(record, e.at, e.section, e.start, e.end);
  const t = (e: TimelineEvent) => Date.parse(e.at);
  const byTime = [...events].sort((a, b) => t(a) - t(b));
  const isDetection = (e: TimelineEvent) => DETECTION.test(e.text) && !ROOT_FOUND.test(e.text) && !/\b(incident|outage) (is )?(declared|closed|resolved)\b/i.test(e.text);
  if (!out.detectedAt) {
    const d = byTime.find(isDetection);
    if (d) out.detectedAt = fromEvent(d);
  }
  if (!out.startedAt) {
    // A start comes no later than the detection; an alert or a report is the detection, not the start.
    const anchor = out.detectedAt ?? out.mitigatedAt ?? out.resolvedAt;
    const limit = out.detectedAt ? Date.parse(out.detectedAt.value) : Infinity;
    // Timelines often open with background days or weeks before (a beta made available, a
    // vendor's release): the start is looked for in the run of events leading to the detection.
    const floor = anchor ? runStart(byTime.map(t), Date.parse(anchor.value)) : -Infinity;
    const inRun = byTime.filter((e) => t(e) >= floor);
    const explicit = inRun.find((e) => START.test(e.text) && t(e) <= limit);
    // The run's first event, when the timeline reads forward (its first line is its earliest).
    const first = byTime[0] === events[0] ? inRun[0] : undefined;
    const firstIsStart = first && t(first) <= limit && !isDetection(first) && (CHANGE.test(first.text) || (FAILURE.test(first.text) && !ROOT_FOUND.test(first.text)));
    const pick = explicit ?? (firstIsStart ? first : undefined);
    if (pick) out.startedAt = fromEvent(pick);
  }
  const after = (e: TimelineEvent, f: Sourced<string> | null) => !f || t(e) >= Date.parse(f.value);
  if (!out.mitigatedAt) {
    const floor = out.detectedAt ?? out.startedAt;
    const candidates = byTime.filter((e) => after(e, floor) && !ROOT_FOUND.test(e.text) && !NEGATED_RECOVERY.test(e.text));
    const recovered = candidates.find((e) => RECOVERED.test(e.text) && !NOT_DONE.test(e.text.replace(/\bbegins? recovering\b/i, '')));
    const acted = candidates.find((e) => MITIGATING_ACTION.test(e.text) && !NOT_DONE.test(e.text) && !isDetection(e));
    const m = recovered ?? acted;
    if (m) out.mitigatedAt = fromEvent(m);
  }
  if (!out.resolvedAt) {
    const floor = out.mitigatedAt ?? out.detectedAt ?? out.startedAt;
    const r = byTime.find((e) => after(e, floor) && RESOLVED.test(e.text) && !RESOLVED_OTHER.test(e.text));
    if (r) out.resolvedAt = fromEvent(r);
  }
  const said = narrativeTimes(record, segments, zone);
  for (const n of said) {
    if (n.range === 'from' && !out.startedAt) out.startedAt = sourced(record, n.at, n.section, n.start, n.end);
    else if (n.range === 'to' && !out.mitigatedAt) out.mitigatedAt = sourced(record, n.at, n.section, n.start, n.end);
  }
  for (const n of said) {
    if (n.range) continue;
    if (!out.resolvedAt && RESOLVED.test(n.text) && /\bfully\b|\bresolved\b/i.test(n.text)) out.resolvedAt = sourced(record, n.at, n.section, n.start, n.end);
    else if (!out.mitigatedAt && RECOVERED.test(n.text) && !NOT_DONE.test(n.text) && !NEGATED_RECOVERY.test(n.text)) out.mitigatedAt = sourced(record, n.at, n.section, n.start, n.end);
    else if (!out.startedAt && startsIt(n)) out.startedAt = sourced(record, n.at, n.section, n.start, n.end);
  }
  // "expired at 00:00 UTC … for 3 hours": a start and how long the impact lasted give its end.
  if (out.startedAt && !out.mitigatedAt) {
    const d = statedDurations(record, segments)[0];
    const end = d ? new Date(Date.parse(out.startedAt.value) + d.minutes * 60_000).toISOString().replace('.000Z', 'Z') : null;
    if (d && end && (!out.resolvedAt || Date.parse(end) <= Date.parse(out.resolvedAt.value))) out.mitigatedAt = sourced(record, end, d.section, d.start, d.end);
  }
  return out;
}

/** A day without events ends a run of them: what came before is background, not the incident. */
export const QUIET_GAP_MS = 24 * 3600_000;

/**
 * The time of the first event of the run that leads to `anchor` (the detection): the run starts
 * after the last quiet gap of a day or more before it. `times` are sorted.
 */
export function runStart(times: number[], anchor: number): number {
  let floor = -Infinity;
  let prev: number | null = null;
  for (const x of [...times.filter((x) => x <= anchor), anchor]) {
    if (prev !== null && x - prev >= QUIET_GAP_MS) floor = x;
    prev = x;
  }
  return floor;
}

/**
 * A summary sentence that dates the start: it opens with the time ("At 14:02 a deploy …"), or the
 * words of its clause before the time say what changed or broke ("the certificate expired at 00:00
 * UTC", "errors began at 09:12").
 */
function startsIt(n: NarrativeTime): boolean {
  const what = (t: string) => CHANGE.test(t) || FAILURE.test(t) || START.test(t) || /\bcompromised\b/i.test(t);
  if (/^(at|on)\b/i.test(n.text)) return what(n.text);
  return /\b(at|on|around|from|since|by)\s*$/i.test(n.lead) && what(n.lead) && !DETECTION.test(n.lead) && !RECOVERED.test(n.lead) && !RESOLVED.test(n.lead);
}

/** A ticket: opened when it was reported (the detection), resolved when the tracker says so. */
export function ticketTimes(record: IncidentRecord): TimeFields {
  return { startedAt: null, detectedAt: datedField(record, record.occurredAt), mitigatedAt: null, resolvedAt: datedField(record, record.resolvedAt) };
}
