import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractRecordFields } from '../../../native/incidents/extract.js';
import { incidentDurations, mergeIncidentFields, type ExtractedRecord } from '../../../native/incidents/merge.js';
import { recordFromParsed } from '../../../native/incidents/record.js';
import type { IncidentFields, IncidentRecord } from '../../../native/incidents/types.js';
import { CORPUS } from '../../support/generated-models.js';
import { DEMO, fieldsOf, markdownRecord, shippedTaxonomy, sourceDocuments, spanOf } from './records.js';

/**
 * One incident of our demo company (`demo/`, the project's own data): its postmortem, its Jira
 * ticket and the follow-up ticket an action item names, its PagerDuty incident and its Slack thread.
 */
let postmortem: IncidentRecord;
let ticket: IncidentRecord;
let followUp: IncidentRecord;
let page: IncidentRecord;
let thread: IncidentRecord;

beforeAll(async () => {
  postmortem = markdownRecord(join(DEMO, 'postmortems/2024-02-07-tracking-kafka-lag.md'), 1);
  const jira = await sourceDocuments(join(DEMO, 'tickets/jira-export.json'));
  ticket = recordFromParsed(jira.find((d) => d.uid === 'jira:LF-212')!, 2);
  followUp = recordFromParsed(jira.find((d) => d.uid === 'jira:LF-219')!, 3);
  page = recordFromParsed((await sourceDocuments(join(DEMO, 'tickets/pagerduty-incidents.json'))).find((d) => d.uid === 'pagerduty:PD-3107')!, 4);
  thread = recordFromParsed((await sourceDocuments(join(DEMO, 'slack'), true)).find((d) => d.uid === 'slack:T0LUMEN:C0KAFKA01:1707297600.000000')!, 5);
});

const extracted = (...records: IncidentRecord[]): ExtractedRecord[] => records.map((record) => ({ record, fields: extractRecordFields(record, shippedTaxonomy()) }));

describe('a Slack incident thread', () => {
  it('gives the reporter, the resolver who wrote the fix, the symptom and the times', () => {
    const f = fieldsOf(thread);
    expect(f.people.map((p) => [p.value.name, p.value.role])).toEqual(
      expect.arrayContaining([
        ['Sam Ortiz', 'reporter'],
        ['Mara Okafor', 'resolver'],
        ['Jonas Weber', 'participant'],
      ]),
    );
    expect(f.symptom?.value).toMatch(/^KafkaConsumerLagHigh firing for tracking-worker/);
    expect(f.mitigation?.value).toMatch(/^raising it to 900000/);
    expect(spanOf(thread, f.mitigation!.from)).toContain('raising it to 900000');
    expect(f.trigger?.value).toMatch(/deploy added address normalisation/);
    expect(f.detectedAt?.value).toBe('2024-02-07T09:20:00Z');
    expect(f.mitigatedAt?.value).toBe('2024-02-07T10:11:00Z');
  });

  it('that is not about an incident gives its participants and nothing else', async () => {
    // A real community workspace: people talking about a visualisation, not a failure.
    const docs = await sourceDocuments(join(CORPUS, 'slack/houstondatavis-2016'), true);
    const chat = docs.find((d) => d.uid === 'slack:T061A2UFL:C064FLUHY:1441775712.000002')!;
    expect(chat.body).toMatch(/I think I solved it/);
    const f = fieldsOf(recordFromParsed(chat, 77));
    expect(f.people.map((p) => [p.value.name, p.value.role])).toEqual([
      ['Micah Stubbs', 'participant'],
      ['Neeraj Tandon', 'participant'],
    ]);
    expect([f.title, f.symptom, f.mitigation, f.rootCause, f.detectedAt]).toEqual([null, null, null, null, null]);
    expect(f.failureModes).toEqual([]);
  });
});

describe('a ticket', () => {
  it('takes its tracker fields: reporter, resolver, severity, when it was opened and resolved', () => {
    const f = fieldsOf(ticket);
    expect(f.title?.value).toBe('Tracking updates delayed: tracking-worker consumer lag');
    expect(f.services.map((s) => s.value)).toEqual(['tracking-worker']);
    expect(f.people.map((p) => [p.value.name, p.value.role])).toEqual([
      ['Mara Okafor', 'resolver'],
      ['Sam Ortiz', 'reporter'],
    ]);
    expect(f.severity?.value).toBe('High');
    expect(f.detectedAt?.value).toBe('2024-02-07T09:25:00Z');
    expect(f.resolvedAt?.value).toBe('2024-02-07T11:40:00Z');
  });

  it("takes what a commenter did as the mitigation, never the tracker's resolution code", () => {
    const f = fieldsOf(ticket);
    expect(ticket.body).toMatch(/\*\*Resolution\*\*: Fixed/);
    expect(f.mitigation?.value).toBe('Raised max.poll.interval.ms to 900000, rebalancing stopped.');
    expect(f.mitigation?.value).not.toBe('Fixed');
  });

  it('of a real Jira export with no resolution notes has no mitigation', async () => {
    const docs = await sourceDocuments(join(CORPUS, 'jira/mongodb-jira-xml-export/example_jira_mongodb_resolved-recently.xml'));
    for (const d of docs.slice(0, 10)) {
      const f = fieldsOf(recordFromParsed(d, 60));
      expect(f.mitigation?.value ?? '', d.uid).not.toMatch(/^(fixed|done|won't fix|duplicate)\.?$/i);
    }
  });
});

describe('merging the records of one incident', () => {
  let merged: IncidentFields;
  beforeAll(() => {
    merged = mergeIncidentFields(extracted(thread, page, followUp, ticket, postmortem));
  });

  it("takes the postmortem's narrative over the ticket's and the chat's", () => {
    const pm = fieldsOf(postmortem);
    expect(merged.title).toEqual(pm.title);
    expect(merged.symptom).toEqual(pm.symptom);
    expect(merged.rootCause).toEqual(pm.rootCause);
    expect(merged.mitigation).toEqual(pm.mitigation);
    expect(merged.mitigation?.from.documentId).toBe(postmortem.documentId);
    expect(merged.severity?.value).toBe('SEV2');
  });

  it('gives an action item the status of the ticket it names', () => {
    const item = merged.actionItems.find((a) => a.value.ticket === 'ticket:LF-219')!;
    expect(fieldsOf(postmortem).actionItems.find((a) => a.value.ticket === 'ticket:LF-219')!.value.status).toBe('unknown');
    expect(followUp.status).toBe('In Progress');
    expect(item.value.status).toBe('open');
    const closed = mergeIncidentFields(extracted(postmortem, { ...followUp, status: 'Done', resolvedAt: '2024-03-01T10:00:00.000Z' }));
    expect(closed.actionItems.find((a) => a.value.ticket === 'ticket:LF-219')!.value.status).toBe('done');
    // Without the ticket in the incident, the item keeps what the postmortem says.
    expect(mergeIncidentFields(extracted(postmortem)).actionItems.find((a) => a.value.ticket === 'ticket:LF-219')!.value.status).toBe('unknown');
  });

  it('takes participants and the resolver from the chat, the author from the postmortem', () => {
    const roles = merged.people.map((p) => `${p.value.name}/${p.value.role}`);
    expect(roles).toEqual(expect.arrayContaining(['Mara Okafor/author', 'Mara Okafor/resolver', 'Sam Ortiz/reporter', 'Jonas Weber/participant']));
    // One entry per person and role.
    expect(new Set(roles).size).toBe(roles.length);
    expect(merged.people.find((p) => p.value.role === 'author')!.from.documentId).toBe(postmortem.documentId);
  });

  it('takes the earliest start and detection, the first mitigation and the postmortem resolution over a later ticket close', () => {
    const all = [thread, page, followUp, ticket, postmortem].map((r) => fieldsOf(r));
    const earliest = (k: 'startedAt' | 'detectedAt' | 'mitigatedAt') => all.map((f) => f[k]?.value).filter(Boolean).sort()[0];
    expect(merged.startedAt?.value).toBe(earliest('startedAt'));
    expect(merged.detectedAt?.value).toBe(earliest('detectedAt'));
    expect(merged.mitigatedAt?.value).toBe(earliest('mitigatedAt'));
    const withResolution = mergeIncidentFields(
      extracted(ticket).concat([{ record: postmortem, fields: { ...fieldsOf(postmortem), resolvedAt: { value: '2024-02-07T11:15:00Z', from: { documentId: 1, section: 'Timeline' } } } }]),
    );
    expect(fieldsOf(ticket).resolvedAt?.value).toBe('2024-02-07T11:40:00Z');
    expect(withResolution.resolvedAt?.value).toBe('2024-02-07T11:15:00Z');
    // No postmortem: the last resolution a ticket states.
    expect(mergeIncidentFields(extracted(page, ticket)).resolvedAt?.value).toBe('2024-02-07T11:40:00Z');
  });

  it('unites services and failure modes, keeping the strongest score', () => {
    expect(merged.services.map((s) => s.value)).toContain('tracking-worker');
    expect(new Set(merged.services.map((s) => s.value.toLowerCase())).size).toBe(merged.services.length);
    const a = fieldsOf(markdownRecord('dfds/PM2021-004_-_ADFS_outage.md', 11));
    const weaker = { ...a, failureModes: a.failureModes.map((m) => ({ ...m, score: 1, from: { ...m.from, documentId: 12 } })) };
    const both = mergeIncidentFields([
      { record: { documentId: 12, kind: 'ticket', status: null, resolvedAt: null }, fields: weaker },
      { record: { documentId: 11, kind: 'postmortem', status: null, resolvedAt: null }, fields: a },
    ]);
    expect(both.failureModes.map((m) => m.value)).toEqual(a.failureModes.map((m) => m.value));
    expect(both.failureModes.every((m) => m.from.documentId === 11)).toBe(true);
  });

  it('derives the time to detect and to resolve, and refuses negative ones', () => {
    const d = incidentDurations(merged);
    expect(d.timeToDetectMinutes).toBe((Date.parse(merged.detectedAt!.value) - Date.parse(merged.startedAt!.value)) / 60_000);
    expect(d.timeToResolveMinutes).toBeGreaterThan(d.timeToDetectMinutes!);
    const at = (value: string) => ({ value, from: { documentId: 1, section: null } });
    expect(incidentDurations({ startedAt: at('2024-02-07T10:00:00Z'), detectedAt: at('2024-02-07T09:00:00Z'), resolvedAt: null })).toEqual({ timeToDetectMinutes: null, timeToResolveMinutes: null });
    expect(incidentDurations({ startedAt: null, detectedAt: at('2024-02-07T09:00:00Z'), resolvedAt: at('2024-02-07T10:30:00Z') }).timeToResolveMinutes).toBe(90);
  });
});
