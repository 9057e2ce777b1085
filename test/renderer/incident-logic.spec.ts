import { describe, expect, it } from 'vitest';
import type { IncidentFields, IncidentRecordRef, IncidentView } from '../../native/contract.js';
import { EMPTY_FIELDS } from '../../native/incidents/empty.js';
import { humanMinutes } from '../../renderer/src/lib/format.js';
import { fromStart, isDateOnly, linkLabel, peopleByName, minutesBetween, provenanceLabel, provenanceRoute, timelineRows } from '../../renderer/src/lib/incident.js';
import { parseRoute, routeHash, type Route } from '../../renderer/src/lib/route.js';


const RECORDS: IncidentRecordRef[] = [
  { documentId: 17, title: 'Tracking updates delayed by Kafka consumer lag', kind: 'postmortem', role: 'primary', occurredAt: '2024-02-07T00:00:00.000Z' },
  { documentId: 1, title: 'LF-212: Tracking updates delayed', kind: 'ticket', role: 'record', occurredAt: '2024-02-07T09:25:00.000Z' },
  { documentId: 11, title: '#inc-tracking: Triggered #3107', kind: 'slack-thread', role: 'record', occurredAt: '2024-02-07T09:19:10.000Z' },
];

type Timeline = IncidentView['timeline'];
const at = (documentId: number, section: string | null = null, start?: number) => (start === undefined ? { documentId, section } : { documentId, section, start, end: start + 10 });

describe('incident page: durations', () => {
  it('writes times to detect and resolve for people', () => {
    expect(humanMinutes(135)).toBe('2 h 15 min');
    expect(humanMinutes(17)).toBe('17 min');
    expect(humanMinutes(158)).toBe('2 h 38 min');
  });

  it('measures between two moments, never from a bare date or backwards', () => {
    expect(minutesBetween('2024-02-07T09:02:00Z', '2024-02-07T10:11:00Z')).toBe(69);
    expect(minutesBetween('2024-02-07T09:02:00+01:00', '2024-02-07T09:02:00Z')).toBe(60);
    // A write-up dated "7 Feb" says nothing about the hour.
    expect(minutesBetween('2024-02-07T00:00:00.000Z', '2024-02-07T10:11:00Z')).toBeNull();
    expect(minutesBetween('2024-02-07', '2024-02-08T10:11:00Z')).toBeNull();
    expect(minutesBetween('2024-02-07T11:00:00Z', '2024-02-07T10:00:00Z')).toBeNull();
    expect(minutesBetween(null, '2024-02-07T10:00:00Z')).toBeNull();
    expect(minutesBetween('not a date', '2024-02-07T10:00:00Z')).toBeNull();
  });

  it('drops a duration counted from a start known only by its day', () => {
    // Incident 3 of the demo: started "18 Sep", detected 10:05: not "10 h 5 min to detect".
    expect(fromStart('2024-09-18T00:00:00.000Z', 605)).toBeNull();
    expect(fromStart(null, 605)).toBeNull();
    expect(fromStart('2024-02-07T09:02:00Z', 17)).toBe(17);
    expect(fromStart('2024-02-07T09:02:00Z', null)).toBeNull();
  });

  it('tells a day from a moment', () => {
    expect(isDateOnly('2024-02-07')).toBe(true);
    expect(isDateOnly('2024-02-07T00:00:00.000Z')).toBe(true);
    expect(isDateOnly('2024-02-07T00:00:00.000+02:00')).toBe(false);
    expect(isDateOnly('2024-02-07T09:02:00Z')).toBe(false);
  });
});

describe('incident page: the timeline', () => {
  it('puts a record dated only by its day after the moments of that day, and keeps equal times in order', () => {
    const timeline: Timeline = [
      { at: '2024-02-07T00:00:00.000Z', text: 'Write-up: Tracking updates delayed by Kafka consumer lag', from: at(17) },
      { at: '2024-02-07T09:02:00Z', text: 'Started', from: at(17, 'Timeline', 553) },
      { at: '2024-02-07T09:19:10.000Z', text: 'Conversation: #inc-tracking: Triggered #3107', from: at(11) },
      { at: '2024-02-07T09:19:10.000Z', text: 'Paged the on-call', from: at(11, null, 40) },
      { at: '2024-02-07T09:25:00.000Z', text: 'Ticket: LF-212: Tracking updates delayed', from: at(1) },
      { at: '2024-02-06T23:59:00Z', text: 'Deploy of v5.14', from: at(17, 'Timeline', 600) },
    ];
    const rows = timelineRows({ timeline, records: RECORDS, fields: EMPTY_FIELDS });
    expect(rows.map((r) => (r.type === 'milestone' ? r.label : r.type === 'record' ? `${r.record?.kind}` : r.text))).toEqual([
      'Deploy of v5.14',
      'Started',
      'slack-thread',
      'Paged the on-call',
      'ticket',
      'postmortem',
    ]);
    expect(rows.at(-1)).toMatchObject({ type: 'record', dateOnly: true, text: RECORDS[0]!.title });
  });

  it('adds the milestones the timeline lacks from the fields, each once, with where they were read', () => {
    const timeline: Timeline = [
      { at: '2024-02-07T09:19:00Z', text: 'Detected', from: at(11, null, 112) },
      { at: '2024-02-07T09:19:00Z', text: 'Detected', from: at(11, null, 112) },
    ];
    const fields: IncidentFields = {
      ...EMPTY_FIELDS,
      detectedAt: { value: '2024-02-07T09:19:00Z', from: at(11, null, 112) },
      mitigatedAt: { value: '2024-02-07T10:11:00Z', from: at(12, null, 575) },
      resolvedAt: { value: '2024-02-07T11:40:00Z', from: at(1) },
      startedAt: { value: '2024-02-07T09:02:00Z', from: at(17, 'Timeline', 553) },
    };
    const rows = timelineRows({ timeline, records: RECORDS, fields });
    expect(rows.map((r) => r.type === 'milestone' && r.label)).toEqual(['Started', 'Detected', 'Mitigated', 'Resolved']);
    expect(rows[2]!.from).toEqual(at(12, null, 575));
  });

  it('lists a record once even when the engine names it twice', () => {
    const timeline: Timeline = [
      { at: '2024-02-07T09:25:00.000Z', text: 'Ticket: LF-212: Tracking updates delayed', from: at(1) },
      { at: '2024-02-07T09:25:00.000Z', text: 'Ticket: LF-212: Tracking updates delayed', from: at(1) },
    ];
    expect(timelineRows({ timeline, records: RECORDS, fields: EMPTY_FIELDS })).toHaveLength(1);
  });
});

describe('incident page: provenance and links', () => {
  it('opens the record at the section a field was read from, or the record alone when no section is known', () => {
    expect(provenanceRoute(at(17, 'Root cause', 922))).toEqual({ view: 'document', id: 17, section: 922 });
    expect(provenanceRoute(at(17, null))).toEqual({ view: 'document', id: 17 });
    expect(provenanceRoute(at(11, null, 112))).toEqual({ view: 'document', id: 11 });
    expect(provenanceRoute({ documentId: 17, section: 'Impact' })).toEqual({ view: 'document', id: 17 });
  });

  it('names the record and the last heading of its section', () => {
    expect(provenanceLabel(at(1, 'Postmortem > Root cause', 5), RECORDS)).toBe('LF-212: Tracking updates delayed · Root cause');
    expect(provenanceLabel(at(17), RECORDS)).toBe('Tracking updates delayed by Kafka consumer lag');
    expect(provenanceLabel(at(99), RECORDS)).toBe('document #99');
    // The write-up bearing the incident's own title is named by its kind.
    expect(provenanceLabel(at(17, 'Root cause', 922), RECORDS, 'Tracking updates delayed by Kafka consumer lag')).toBe('the postmortem · Root cause');
    expect(provenanceLabel(at(1), RECORDS, 'Tracking updates delayed by Kafka consumer lag')).toBe('LF-212: Tracking updates delayed');
  });

  it('lists each person once with every role, each with where it was read', () => {
    const people = [
      { value: { name: 'Jonas Weber', role: 'author' as const }, from: at(20) },
      { value: { name: 'Sam Ortiz', role: 'reporter' as const }, from: at(5) },
      { value: { name: 'Jonas Weber', role: 'resolver' as const }, from: at(5) },
      { value: { name: 'Jonas Weber', role: 'author' as const }, from: at(21) },
    ];
    expect(peopleByName(people)).toEqual([
      { name: 'Jonas Weber', roles: [{ role: 'author', from: at(20) }, { role: 'resolver', from: at(5) }] },
      { name: 'Sam Ortiz', roles: [{ role: 'reporter', from: at(5) }] },
    ]);
  });

  it('reads "recurrence of" from this incident’s side', () => {
    expect(linkLabel('recurrence of', 'out')).toBe('Recurrence of');
    expect(linkLabel('recurrence of', 'in')).toBe('Recurred as');
    expect(linkLabel('related to', 'in')).toBe('Related to');
  });

  it('gives incidents and playbooks an address', () => {
    const routes: Route[] = [
      { view: 'incident', id: 3 },
      { view: 'playbook', failureMode: 'dns' },
      { view: 'playbook', service: 'payments gateway/v2' },
    ];
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
    expect(routeHash({ view: 'incident', id: 3 })).toBe('#/incident/3');
    expect(parseRoute('#/incident/abc')).toEqual({ view: 'search' });
    expect(parseRoute('#/playbook')).toEqual({ view: 'search' });
  });
});
