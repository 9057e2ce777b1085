import { CAUSE, CHANGE, DETECTION, FAILURE, FUTURE_WORK, MITIGATING_ACTION, NEGATED_RECOVERY, NOT_DONE, RECOVERED, RESOLVED, SYMPTOM } from './cues.js';
import { dedupePeople, isPersonName } from './people.js';
import { clip, plain } from './text.js';
import type { IncidentRecord, Person, Sourced } from './types.js';

/** One message of a conversation as the Slack importer renders it (`**Name** [bot] 14:02`). */
export interface ChatMessage {
  author: string;
  bot: boolean;
  at: string | null;
  /** [start, end) of the message text in the body. */
  start: number;
  end: number;
  text: string;
}

const DAY = /^_(\d{4}-\d{2}-\d{2})_\s*$/;
const AUTHOR = /^\*\*(.+?)\*\*( \[bot\])? (\d{2}):(\d{2})(?: \(edited\))?\s*$/;

export function chatMessages(body: string): ChatMessage[] {
  const out: ChatMessage[] = [];
  let day: string | null = null;
  let cur: ChatMessage | null = null;
  let off = 0;
  for (const line of body.split('\n')) {
    const start = off;
    off += line.length + 1;
    const d = DAY.exec(line);
    const a = AUTHOR.exec(line);
    if (d || a) {
      if (cur) out.push(cur);
      cur = null;
      if (d) day = d[1]!;
      if (a) cur = { author: a[1]!, bot: !!a[2], at: day ? `${day}T${a[3]}:${a[4]}:00Z` : null, start: start + line.length + 1, end: start + line.length + 1, text: '' };
      continue;
    }
    if (cur) {
      cur.end = start + line.length;
      cur.text = plain(body.slice(cur.start, cur.end));
    }
  }
  if (cur) out.push(cur);
  return out.filter((m) => m.text);
}

/** The comments of a rendered ticket (`**author** 2024-02-07 10:45` then the text). */
export function ticketComments(body: string, start: number, end: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  let cur: ChatMessage | null = null;
  let off = start;
  for (const line of body.slice(start, end).split('\n')) {
    const lineStart = off;
    off += line.length + 1;
    const a = /^\*\*(.+?)\*\*(?: (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}))?\s*$/.exec(line);
    if (a) {
      if (cur) out.push(cur);
      cur = { author: a[1]!, bot: !isPersonName(a[1]!), at: a[2] ? `${a[2]}T${a[3]}:00Z` : null, start: lineStart + line.length + 1, end: lineStart + line.length + 1, text: '' };
      continue;
    }
    if (cur) {
      cur.end = lineStart + line.length;
      cur.text = plain(body.slice(cur.start, cur.end));
    }
  }
  if (cur) out.push(cur);
  return out.filter((m) => m.text);
}

/** Sentences of a message, each with its span (chat lines rarely hold more than a few). */
export function messageSentences(body: string, m: ChatMessage): Array<{ text: string; start: number; end: number }> {
  const raw = body.slice(m.start, m.end);
  const out: Array<{ text: string; start: number; end: number }> = [];
  const re = /[^.!?\n]+(?:[.!?]+|\n|$)/g;
  for (let x = re.exec(raw); x; x = re.exec(raw)) {
    if (!x[0].length) {
      re.lastIndex++;
      continue;
    }
    const text = plain(x[0]);
    if (text) out.push({ text, start: m.start + x.index, end: m.start + x.index + x[0].length });
  }
  return out;
}

export interface ChatFields {
  incident: boolean;
  title: Sourced<string> | null;
  symptom: Sourced<string> | null;
  trigger: Sourced<string> | null;
  rootCause: Sourced<string> | null;
  mitigation: Sourced<string> | null;
  detectedAt: Sourced<string> | null;
  mitigatedAt: Sourced<string> | null;
  resolvedAt: Sourced<string> | null;
  people: Array<Sourced<Person>>;
}

type Participant = { name?: unknown; bot?: unknown };

/**
 * Fields of a Slack conversation. A conversation counts as an incident only when it opens with a
 * problem (an alert bot, or someone reporting a failure); otherwise it yields its participants and
 * nothing else. The reporter is whoever raised it, the resolver whoever wrote the fix that was applied.
 */
export function chatFields(record: IncidentRecord): ChatFields {
  const body = record.body;
  const msgs = chatMessages(body);
  const src = (text: string, start: number, end: number): Sourced<string> => ({ value: clip(text, 400), from: { documentId: record.documentId, section: null, start, end } });
  const at = (m: ChatMessage): Sourced<string> | null => (m.at ? { value: m.at, from: { documentId: record.documentId, section: null, start: m.start, end: m.end } } : null);
  const first = msgs[0];
  const incident = !!first && (first.bot || FAILURE.test(first.text) || SYMPTOM.test(first.text) || (DETECTION.test(first.text) && /\b(alert|firing|fired|paged)\b/i.test(first.text)));
  const out: ChatFields = { incident, title: null, symptom: null, trigger: null, rootCause: null, mitigation: null, detectedAt: null, mitigatedAt: null, resolvedAt: null, people: [] };
  const people: Array<Sourced<Person>> = [];
  const participants = Array.isArray(record.metadata.participants) ? (record.metadata.participants as Participant[]) : [];
  for (const p of participants) {
    if (typeof p?.name === 'string' && p.bot !== true && isPersonName(p.name)) people.push({ value: { name: p.name, role: 'participant' }, from: { documentId: record.documentId, section: null } });
  }
  if (!incident || !first) {
    out.people = dedupePeople(people);
    return out;
  }
  const headline = record.title.replace(/^#[^:]+:\s*/, '').replace(/^(@(here|channel|everyone)\s*)+/i, '').trim();
  out.title = headline ? { value: clip(headline, 200), from: { documentId: record.documentId, section: null } } : null;
  const firstSentence = messageSentences(body, first)[0];
  if (firstSentence) out.symptom = src(firstSentence.text.replace(/^(@(here|channel|everyone)\s*)+/i, ''), firstSentence.start, firstSentence.end);
  out.detectedAt = at(first);
  if (!first.bot && isPersonName(first.author)) people.push({ value: { name: first.author, role: 'reporter' }, from: { documentId: record.documentId, section: null, start: first.start, end: first.end } });
  for (const m of msgs.slice(1)) {
    for (const s of messageSentences(body, m)) {
      if (!out.trigger && CHANGE.test(s.text) && /\b(deploy|release|upgrade|merge|change|config|migration|rollout|push)/i.test(s.text) && !MITIGATING_ACTION.test(s.text)) out.trigger = src(s.text, s.start, s.end);
      if (!out.rootCause && CAUSE.test(s.text)) out.rootCause = src(s.text, s.start, s.end);
      if (!out.mitigation && MITIGATING_ACTION.test(s.text) && !NOT_DONE.test(s.text) && !FUTURE_WORK.test(s.text) && !/\?\s*$/.test(s.text)) {
        out.mitigation = src(s.text, s.start, s.end);
        if (!m.bot && isPersonName(m.author)) people.push({ value: { name: m.author, role: 'resolver' }, from: { documentId: record.documentId, section: null, start: s.start, end: s.end } });
      }
      if (!out.mitigatedAt && RECOVERED.test(s.text) && !NEGATED_RECOVERY.test(s.text) && !/\?\s*$/.test(s.text)) out.mitigatedAt = at(m);
      if (!out.resolvedAt && RESOLVED.test(s.text) && !/\?\s*$/.test(s.text)) out.resolvedAt = at(m);
    }
  }
  out.people = dedupePeople(people);
  return out;
}
