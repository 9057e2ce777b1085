import { ALERT_TRIGGER, CAUSE, CHANGE, DETECTION, FAILURE, FUTURE_WORK, MITIGATING_ACTION, NOT_DONE, PAPERWORK, RECOVERED, SEEN_BY, START, SYMPTOM, TRIGGER } from './cues.js';
import type { FieldKind, Segment } from './outline.js';
import { clip, isPlaceholder, isUnknownStatement, plain, units, type Unit } from './text.js';
import type { IncidentRecord, Sourced } from './types.js';

export interface PickOptions {
  /** Only units matching this count (a cue sentence in a summary). */
  cue?: { test(text: string): boolean };
  /** Units matching this never count. */
  exclude?: RegExp;
  /** How many consecutive units make the value. */
  take?: number;
  /** Prefer units matching this within the section, else its first units. */
  prefer?: RegExp;
  /** With `prefer`, skip the section when nothing in it matches. */
  requirePrefer?: boolean;
  /** With `cue`, always add the next sentence of the paragraph (a stated cause usually goes on). */
  always?: boolean;
}

const fillerCache = new WeakMap<Unit, boolean>();

/** Units that carry no statement: a link list, a "Slack thread: <url>" line, an intro ending in ":". */
function isFiller(u: Unit, raw: string): boolean {
  let known = fillerCache.get(u);
  if (known === undefined) fillerCache.set(u, (known = fillerOf(u, raw)));
  return known;
}

function fillerOf(u: Unit, raw: string): boolean {
  const text = u.text;
  if (isPlaceholder(text) || isUnknownStatement(text)) return true;
  // "We are committed to:" introduces what follows; a long sentence ending in ":" still says something.
  if (/:\s*$/.test(text) && u.kind === 'sentence' && text.split(/\s+/).length < 10) return true;
  if (/^(slack thread|timeline|thread|discussion|see|ref(erence)?|link|incident|ticket|pr|pull request|jira)\b[^.]{0,30}:\s*\S*$/i.test(text)) return true;
  // A bare link, or a link whose words are only its address or a label ("Slack thread").
  const linkOnly = /^\s*(?:https?:\/\/\S+|\[([^\]]*)\]\([^)]*\))\s*$/.exec(raw.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, ''));
  if (linkOnly && (!linkOnly[1] || /^https?:/.test(linkOnly[1]) || linkOnly[1].split(/\s+/).length < 4)) return true;
  // "Time window of degraded performance: November 11, 16:02 UTC -- November 14, 15:02 UTC" is data.
  const labelled = /^[^:]{3,60}:\s+(.+)$/.exec(text);
  if (labelled && !/[a-z]{3,}/i.test(labelled[1]!.replace(/\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(utc|gmt|approximately|about|around|minutes?|hours?|days?|[ap]m)\b/gi, ''))) return true;
  if (u.kind === 'row') return true;
  // A timeline line ("2023-06-06 10:50 - User reported ...") belongs to the timeline, not the narrative.
  if (/^\s*(\d{4}-\d\d-\d\d|\d{1,2}:\d\d|\[\d)/.test(text)) return true;
  return (text.match(/[\p{L}]{2,}/gu) ?? []).length < 3;
}

export function sourcedText(record: IncidentRecord, s: Segment, us: Unit[], max = 420): Sourced<string> {
  const text = clip(us.map((u) => u.text.replace(/^[✅✔☑✓]\uFE0F?\s*/u, '')).join(us[0]!.kind === 'item' ? '; ' : ' '), max);
  return { value: text, from: { documentId: record.documentId, section: s.heading, start: us[0]!.start, end: us[us.length - 1]!.end } };
}

/**
 * The first usable statement of the first section (in document order) of the given kinds: its
 * first `take` units, or the first ones matching `cue`. Boilerplate, "still unknown" and bare links
 * never count.
 */
export function pick(record: IncidentRecord, segments: Segment[], kinds: FieldKind[], options: PickOptions = {}): Sourced<string> | null {
  const take = options.take ?? 2;
  for (const s of segments) {
    if (!kinds.includes(s.kind)) continue;
    const all = units(record.body, s.start, s.end).filter((u) => !isFiller(u, record.body.slice(u.start, u.end)) && !(options.exclude && options.exclude.test(u.text)));
    if (!all.length) continue;
    let start = 0;
    if (options.cue) {
      start = all.findIndex((u) => options.cue!.test(u.text));
      if (start < 0) continue;
      // A short statement ("Two nodes were down.") goes on in the next sentence of its paragraph.
      const next = all[start + 1];
      const withNext = take > 1 && (options.always || all[start]!.text.length < 60) && next && next.kind === 'sentence' && next.block === all[start]!.block;
      return sourcedText(record, s, all.slice(start, start + (withNext ? 2 : 1)));
    }
    if (options.prefer) {
      const preferred = all.filter((u) => options.prefer!.test(u.text));
      if (preferred.length) return sourcedText(record, s, preferred.slice(0, take));
      if (options.requirePrefer) continue;
    }
    const first = all[start]!;
    // Consecutive units of the same kind (sentences of a paragraph, items of a list).
    const run = all.slice(start, start + take).filter((u) => u.kind === first.kind);
    return sourcedText(record, s, run);
  }
  return null;
}

const NARRATIVE: FieldKind[] = ['summary', 'impact', 'symptom', 'detection', 'mitigation', 'contributing'];
const NEGATED_CAUSE = /\b(not|never|wasn'?t|isn'?t|unrelated)\b[^.]{0,20}\b(caused|due|because|root cause)\b/i;

/** "The root cause was ...", "The ultimate root cause of all issues ... was", "shared the same root cause: ...". */
const STATED_ROOT_CAUSE = /\broot[- ]?causes?\b(?: of [^.]{0,80}?| for this incident| of this incident)?\s*(?:was|is|were|are|has been|:)\s/i;
/** "We're trying to identify the root cause", "began investigating the root cause": not a statement of it. */
const SEEKING_ROOT_CAUSE = /\b(identify(ing)?|investigat\w*|find(ing)?|determin(e|ing)|understand(ing)?|trying to|began|begin|look(ing)? (at|into|for)|until)\b[^.]{0,20}\broot[- ]?cause/i;

const notStated = new RegExp(`${SEEKING_ROOT_CAUSE.source}|${NEGATED_CAUSE.source}`, 'i');

/**
 * A timeline event that records the diagnosis: "Identified that the issue was expired token signing
 * certificates", "it seems we've been hit by some rate limit", "found that the readiness probe was failing".
 */
const DIAGNOSIS = /\b(identified (that|the (issue|problem|cause))|(issue|problem|cause) (was|is) (identified|found|determined) (as|to be)|found (out )?that|turned out|it (seems|appears|looks like)|realised|realized|discovered that|determined that|root cause (was |is )?(identified|found|determined))\b/i;

export function rootCause(record: IncidentRecord, segments: Segment[], events: Array<{ text: string; section: string | null; start?: number; end?: number }> = []): Sourced<string> | null {
  const stated = pick(record, segments, [...NARRATIVE, 'rootCause'], { cue: STATED_ROOT_CAUSE, exclude: notStated, take: 2, always: true });
  if (stated) return stated;
  const own = pick(record, segments, ['rootCause']);
  if (own) return own;
  // A root-cause section that says it is not known means no root cause, whatever else the text suggests.
  const declared = segments.filter((s) => s.kind === 'rootCause').flatMap((s) => units(record.body, s.start, s.end));
  if (declared.some((u) => isUnknownStatement(u.text))) return null;
  // Contributing factors are, by their name, not the root cause.
  const said = pick(record, segments, NARRATIVE.filter((k) => k !== 'contributing'), { cue: CAUSE, exclude: notStated });
  if (said) return said;
  // Templates without a cause section (DFDS's: summary, timeline, contributing factors) record the
  // diagnosis as a timeline event; the clause that states it, not the investigation around it.
  const found = events.find((e) => DIAGNOSIS.test(e.text) && !NOT_DONE_DIAGNOSIS.test(e.text) && !notStated.test(e.text));
  if (found) {
    const clause = found.text.split(/[,;]\s*(?:however|but|although|which|so)\b|\.\s/i)[0]!;
    return { value: clip(clause, 300), from: { documentId: record.documentId, section: found.section, ...(found.start !== undefined ? { start: found.start, end: found.end } : {}) } };
  }
  return pick(record, segments, ['lessonsWrong'], { take: 1 });
}

/** "trying to identify the cause", "will determine": a search, not a finding. */
const NOT_DONE_DIAGNOSIS = /\b(trying to|try to|attempt(ing)? to|will|to be)\s+(identify|determine|find)\b/i;

const NOT_A_TRIGGER = new RegExp(`${ALERT_TRIGGER.source}|${DETECTION.source}`, 'i');

export function trigger(record: IncidentRecord, segments: Segment[], startEvent: { text: string; section: string | null; start?: number; end?: number } | null): Sourced<string> | null {
  const own = pick(record, segments, ['trigger'], { take: 1 });
  if (own) return own;
  // The timeline's first event, when it is the change that started it (not a failure, not an alert).
  if (startEvent && CHANGE.test(startEvent.text) && (!FAILURE.test(startEvent.text) || START.test(startEvent.text)) && !DETECTION.test(startEvent.text)) {
    return { value: clip(startEvent.text, 300), from: { documentId: record.documentId, section: startEvent.section, ...(startEvent.start !== undefined ? { start: startEvent.start, end: startEvent.end } : {}) } };
  }
  return pick(record, segments, ['summary', 'rootCause', 'impact', 'symptom'], { cue: TRIGGER, exclude: NOT_A_TRIGGER, take: 1 });
}

/** Someone saw something go wrong (two tests: one regex with look-aheads scans each sentence twice over). */
const SEEN = { test: (text: string) => SEEN_BY.test(text) && SYMPTOM.test(text) };

export function symptom(record: IncidentRecord, segments: Segment[], detection: { text: string; section: string | null; start?: number; end?: number } | null = null): Sourced<string> | null {
  const fromDetection = detection && SYMPTOM.test(detection.text) ? { value: clip(detection.text, 300), from: { documentId: record.documentId, section: detection.section, ...(detection.start !== undefined ? { start: detection.start, end: detection.end } : {}) } } : null;
  return (
    pick(record, segments, ['symptom']) ??
    pick(record, segments, ['impact'], { cue: SYMPTOM }) ??
    pick(record, segments, ['detection'], { cue: SYMPTOM }) ??
    pick(record, segments, ['summary'], { cue: SEEN }) ??
    fromDetection ??
    pick(record, segments, ['summary'], { cue: SYMPTOM }) ??
    titleSymptom(record)
  );
}

/**
 * The title, when it is a statement of what users saw ("All services returning 404 in Kubernetes",
 * "Two Kubernetes nodes were down") and nothing else says it: many write-ups are titled by their symptom.
 */
function titleSymptom(record: IncidentRecord): Sourced<string> | null {
  const title = record.title?.trim();
  if (!title || title.split(/\s+/).length < 4 || isPlaceholder(title) || !SYMPTOM.test(title) || CAUSE.test(title)) return null;
  return { value: title, from: { documentId: record.documentId, section: null } };
}

const ACTION_OR_RECOVERY = new RegExp(`${MITIGATING_ACTION.source}|${RECOVERED.source}|\\b(resolved|fixed|addressed|mitigated|limit(ed|ing)|restor(ed|ing)|(immediate |the )?resolution was)\\b`, 'i');
/** "To stop the bleeding, ...", "This was resolved by ...", "we rolled back ...", "manually changed ...". */
const SAID_MITIGATION = /\b(to (stop the bleeding|mitigate)|mitigated (it |this )?by|(was|were|is) (resolved|fixed|mitigated) by|resolved by|fixed by|this was resolved|manually (changed|increased|restarted|scaled|deleted|rolled back|reverted|applied|fixed|raised)|we (had |have )?([\w ,]{0,60})\b(deleted|revoked|rotated|reverted|rolled back|restarted|failed over|disabled) (them|it|the|all|our)\b)/i;
/** Follow-up wording, causes and other sections' business inside a resolution section. */
const NOT_MITIGATION = new RegExp(`${FUTURE_WORK.source}|${PAPERWORK.source}|^action items?\\b|\\b(owner|ticket) ?:|^(the )?root cause\\b|\\bcaused\\b|^((the )?team |we )?(identified|found|noticed|discovered|confirmed) that\\b`, 'i');

/**
 * What was done to stop it: the resolution section's list items (or its sentences that state an
 * action or a recovery), else what the summary says was done, else the mitigating actions of the
 * timeline between detection and recovery.
 */
export function mitigation(record: IncidentRecord, segments: Segment[], events: Array<{ text: string; at: string; section: string | null; start: number; end: number }>, window: { from: string | null; to: string | null }): Sourced<string> | null {
  for (const s of segments) {
    if (s.kind !== 'mitigation') continue;
    const all = units(record.body, s.start, s.end).filter((u) => !isFiller(u, record.body.slice(u.start, u.end)) && !NOT_MITIGATION.test(u.text));
    const items = all.filter((u) => u.kind === 'item');
    if (items.length && items[0] === all[0]) return sourcedText(record, s, items.slice(0, 3));
    const at = all.findIndex((u) => ACTION_OR_RECOVERY.test(u.text));
    if (at < 0) continue;
    const run = [all[at]!];
    const next = all[at + 1];
    if (next && next.block === all[at]!.block && next.kind === all[at]!.kind) run.push(next);
    return sourcedText(record, s, run);
  }
  const said = pick(record, segments, ['summary', 'impact'], { cue: SAID_MITIGATION, exclude: NOT_MITIGATION });
  if (said) return said;
  const lo = window.from ? Date.parse(window.from) : -Infinity;
  const hi = window.to ? Date.parse(window.to) : Infinity;
  const acts = events.filter((e) => Date.parse(e.at) >= lo && Date.parse(e.at) <= hi && MITIGATING_ACTION.test(e.text) && !NOT_DONE.test(e.text) && !PAPERWORK.test(e.text)).slice(0, 2);
  if (!acts.length) return null;
  return { value: clip(acts.map((e) => e.text).join('; '), 420), from: { documentId: record.documentId, section: acts[0]!.section, start: acts[0]!.start, end: acts[acts.length - 1]!.end } };
}

/** A tracker's close code ("Fixed", "Close code: code 5") is not what was done. */
export const CLOSE_CODE = /^(close[d]? (code|notes?)|resolution( code)?|closed with)\s*:?\s*\S.{0,40}$|^(fixed|done|won'?t (fix|do)|duplicate|cannot reproduce|can'?t reproduce|works as (designed|intended)|incomplete|completed?|resolved|invalid|not a bug|gone away|code \d+|solved|closed)\.?$/i;

export function severityFromText(record: IncidentRecord, segments: Segment[]): Sourced<string> | null {
  let unlabelled: Sourced<string> | null = null;
  for (const s of segments) {
    if (s.kind === 'actionItems' || s.kind === 'lessons' || s.kind === 'lessonsWrong') continue;
    let off = s.headingStart;
    for (const line of record.body.slice(s.headingStart, s.end).split('\n')) {
      const start = off;
      off += line.length + 1;
      // A label at the start of the line or after a separator of a header line
      // ("Date: 2024-11-21 · Severity: SEV1 · Author: …").
      const m = SEVERITY_LABEL.exec(line);
      if (m) {
        const raw = plain(m[3]!).split(/\s+[·•|–—]\s+|\s+\(|;|,/)[0]!.trim();
        const value = m[2]!.toLowerCase() === 'priority' && !/^P[0-4]$/i.test(raw) ? '' : raw;
        // "P0 / P1 / P2 / P3" lists a template's choices.
        if (value && value.length <= 30 && !/\s\/\s|\|/.test(value) && !isPlaceholder(value)) {
          const at = line.indexOf(m[3]!, m.index);
          return { value, from: { documentId: record.documentId, section: s.heading, start: start + Math.max(0, at), end: start + Math.max(0, at) + value.length } };
        }
      }
      // The write-up's own words without a label: "a SEV1 incident", "this Sev-2", "P1 outage".
      // Only where the write-up speaks of itself: a timeline's "created a SEV2 ticket" with a vendor is not it.
      const w: RegExpExecArray | null = unlabelled || !OWN_WORDS.has(s.kind) ? null : SEVERITY_WORD.exec(line);
      if (w && !isPlaceholder(line)) unlabelled = { value: w[0].trim(), from: { documentId: record.documentId, section: s.heading, start: start + w.index, end: start + w.index + w[0].length } };
    }
  }
  return unlabelled;
}

const SEVERITY_LABEL = /(^\s*(?:[-*+]\s+)?|[·•|;]\s*|\s{2,})(?:\*\*|__)?(?:incident )?(severity|sev|impact level|incident level|priority)(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(.+)$/i;
const OWN_WORDS = new Set<string>(['summary', 'impact', 'symptom', 'other']);
/** A severity named as one word: SEV1, Sev-2, "Severity 1", and P0–P4 when it names the incident. */
const SEVERITY_WORD = /\b(?:sev(?:erity)?[- ]?[0-5]|P[0-4](?=[- ](?:incident|outage|issue|event)\b))\b/i;
