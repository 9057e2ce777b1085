import { actionItems } from './action-items.js';
import { chatFields, ticketComments } from './chat.js';
import { CAUSE, FUTURE_WORK, MITIGATING_ACTION, NOT_DONE, SYMPTOM } from './cues.js';
import { failureModes, mechanisms, zonesOf } from './failure-modes.js';
import { CLOSE_CODE, mitigation, pick, rootCause, severityFromText, symptom, trigger } from './narrative.js';
import { outline, type Segment } from './outline.js';
import { postmortemPeople, ticketPeople } from './people.js';
import { services } from './services.js';
import type { Taxonomy } from './taxonomy.js';
import { clip, isPlaceholder, units } from './text.js';
import { postmortemTimes, ticketTimes } from './time-fields.js';
import { statedZone } from './times.js';
import { timelineEvents } from './timeline.js';
import type { IncidentFields, IncidentRecord, Sourced } from './types.js';

const field = (record: IncidentRecord, value: string): Sourced<string> => ({ value, from: { documentId: record.documentId, section: null } });

/** The record's title, unless it is a template's ("ISSUE NAME"): then the line under it, if it is one. */
function titleOf(record: IncidentRecord, segments: Segment[]): Sourced<string> | null {
  let title = record.title.trim();
  if (record.kind === 'ticket') title = title.replace(/^[A-Z][\w.-]*-\d+:\s*/, '').replace(/^[A-Z]+-?\d+:\s*/, '');
  title = title.replace(/\s+-\s+(DD\/MM\/YYYY|YYYY-MM-DD)$/i, '');
  if (title && !isPlaceholder(title)) return field(record, title);
  const first = segments[0];
  const line = first ? units(record.body, first.start, first.end)[0] : undefined;
  if (line && line.kind === 'sentence' && line.text.length <= 150 && !isPlaceholder(line.text)) {
    return { value: line.text.replace(/[.:]$/, ''), from: { documentId: record.documentId, section: first!.heading, start: line.start, end: line.end } };
  }
  return null;
}

function severityOf(record: IncidentRecord, segments: Segment[]): Sourced<string> | null {
  const v = record.severity?.trim();
  if (v && !isPlaceholder(v) && v.length <= 40) return field(record, v);
  return record.kind === 'postmortem' ? severityFromText(record, segments) : null;
}

function emptyFields(): IncidentFields {
  return {
    title: null, services: [], symptom: null, trigger: null, rootCause: null, mechanism: [], failureModes: [], mitigation: null,
    actionItems: [], people: [], severity: null, startedAt: null, detectedAt: null, mitigatedAt: null, resolvedAt: null,
  };
}

function postmortemFields(record: IncidentRecord, segments: Segment[], taxonomy: Taxonomy): IncidentFields {
  const title = titleOf(record, segments);
  const events = timelineEvents(record, segments, statedZone(record.body));
  const times = postmortemTimes(record, segments, events);
  const startEvent = times.startedAt?.from.start !== undefined ? (events.find((e) => e.start === times.startedAt!.from.start) ?? null) : null;
  const detectEvent = times.detectedAt?.from.start !== undefined ? (events.find((e) => e.start === times.detectedAt!.from.start) ?? null) : null;
  const zones = zonesOf(segments);
  return {
    title,
    services: services(record, segments, title?.value ?? null),
    symptom: symptom(record, segments, detectEvent),
    trigger: trigger(record, segments, startEvent),
    rootCause: rootCause(record, segments, events),
    mechanism: mechanisms(record, zones, taxonomy, title?.value ?? null),
    failureModes: failureModes(record, zones, taxonomy, title?.value ?? null),
    mitigation: mitigation(record, segments, events, { from: times.detectedAt?.value ?? times.startedAt?.value ?? null, to: times.mitigatedAt?.value ?? null }),
    actionItems: actionItems(record, segments),
    people: postmortemPeople(record, segments),
    severity: severityOf(record, segments),
    ...times,
  };
}

function ticketFields(record: IncidentRecord, segments: Segment[], taxonomy: Taxonomy): IncidentFields {
  const title = titleOf(record, segments);
  const body = record.body;
  const description = segments.filter((s) => s.kind !== 'comments' && s.kind !== 'other' && s.heading !== null && !s.inline);
  const comments = segments.filter((s) => s.kind === 'comments').flatMap((s) => ticketComments(body, s.start, s.end)).filter((c) => !c.bot);
  // The tracker's resolution notes, but never its close code.
  const notes = segments.filter((s) => s.kind === 'mitigation' && !s.inline);
  let mitigationValue: Sourced<string> | null = null;
  for (const s of notes) {
    const us = units(body, s.start, s.end).filter((u) => !CLOSE_CODE.test(u.text) && !isPlaceholder(u.text));
    if (us.length) {
      mitigationValue = { value: clip(us.slice(0, 2).map((u) => u.text).join(' '), 400), from: { documentId: record.documentId, section: s.heading, start: us[0]!.start, end: us[Math.min(1, us.length - 1)]!.end } };
      break;
    }
  }
  if (!mitigationValue) {
    const c = comments.find((m) => MITIGATING_ACTION.test(m.text) && !NOT_DONE.test(m.text) && !FUTURE_WORK.test(m.text));
    if (c) mitigationValue = { value: clip(c.text, 400), from: { documentId: record.documentId, section: 'Comments', start: c.start, end: c.end } };
  }
  let cause = pick(record, description, ['rootCause']) ?? pick(record, description, ['summary', 'symptom', 'impact'], { cue: CAUSE });
  if (!cause) {
    const c = comments.find((m) => CAUSE.test(m.text));
    if (c) cause = { value: clip(c.text, 400), from: { documentId: record.documentId, section: 'Comments', start: c.start, end: c.end } };
  }
  const zones = zonesOf(segments, (s) => (s.kind === 'comments' ? 'comments' : s.kind === 'other' ? 'other' : s.kind));
  return {
    title,
    services: services(record, [], title?.value ?? null),
    symptom: pick(record, description, ['symptom']) ?? pick(record, description, ['summary', 'impact', 'detection'], { cue: SYMPTOM }),
    trigger: pick(record, description, ['trigger'], { take: 1 }),
    rootCause: cause,
    mechanism: mechanisms(record, zones, taxonomy, title?.value ?? null),
    failureModes: failureModes(record, zones, taxonomy, title?.value ?? null),
    mitigation: mitigationValue,
    actionItems: actionItems(record, segments),
    people: ticketPeople(record),
    severity: severityOf(record, segments),
    ...ticketTimes(record),
  };
}

function chatRecordFields(record: IncidentRecord, segments: Segment[], taxonomy: Taxonomy): IncidentFields {
  const chat = chatFields(record);
  const out = emptyFields();
  out.people = chat.people;
  if (!chat.incident) return out;
  const zones = zonesOf(segments, () => 'chat');
  return {
    ...out,
    title: chat.title,
    services: services(record, segments, chat.title?.value ?? null),
    symptom: chat.symptom,
    trigger: chat.trigger,
    rootCause: chat.rootCause,
    mechanism: mechanisms(record, zones, taxonomy, chat.title?.value ?? null),
    failureModes: failureModes(record, zones, taxonomy, chat.title?.value ?? null),
    mitigation: chat.mitigation,
    detectedAt: chat.detectedAt,
    mitigatedAt: chat.mitigatedAt,
    resolvedAt: chat.resolvedAt,
  };
}

/**
 * Normalised fields of one record (a postmortem, a ticket or a Slack conversation), each with
 * where it was read. A field the record does not state stays empty: nothing is filled from
 * template boilerplate, a ticket's close code or a guess.
 */
export function extractRecordFields(record: IncidentRecord, taxonomy: Taxonomy): IncidentFields {
  const segments = outline(record);
  switch (record.kind) {
    case 'ticket':
      return ticketFields(record, segments, taxonomy);
    case 'slack-thread':
      return chatRecordFields(record, segments, taxonomy);
    default:
      return postmortemFields(record, segments, taxonomy);
  }
}

