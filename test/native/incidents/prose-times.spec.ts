/**
 * Times and severity from a write-up's own words, and which record's value an incident takes:
 * the write-up's prose ("expired at 00:00 UTC … for 3 hours", "Severity: SEV1") over a tracker's
 * generic fields; a ticket alone starts when it was reported.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { incidentDurations, mergeIncidentFields, type ExtractedRecord } from '../../../native/incidents/merge.js';
import { recordFromParsed } from '../../../native/incidents/record.js';
import type { IncidentRecord } from '../../../native/incidents/types.js';
import { bodyRecord, DEMO, fieldsOf, markdownRecord, sourceDocuments, sourceRecord, spanOf } from './records.js';
import { CORPUS } from '../../support/generated-models.js';

let nextId = 900;
async function demoCertificateWriteUp(): Promise<IncidentRecord> {
  const [doc] = await sourceDocuments(join(DEMO, 'postmortems', '2024-11-21-certificate-expiry.html'));
  return recordFromParsed(doc!, nextId++);
}
const extracted = (record: IncidentRecord): ExtractedRecord => ({
  record: { documentId: record.documentId, kind: record.kind, status: record.status, resolvedAt: record.resolvedAt },
  fields: fieldsOf(record),
});

describe('times and severity from a write-up\'s prose', () => {
  it('reads a start from "expired at 00:00 UTC" and the impact\'s end from "for 3 hours"', async () => {
    const record = await demoCertificateWriteUp();
    const f = fieldsOf(record);
    expect(f.startedAt?.value).toBe('2024-11-21T00:00:00Z');
    expect(f.mitigatedAt?.value).toBe('2024-11-21T03:00:00Z');
    expect(spanOf(record, f.mitigatedAt!.from)).toBe('for 3 hours');
    // "Renewal had failed silently for 30 days" is the root cause's story, not the incident's length.
    expect(f.resolvedAt).toBeNull();
  });

  it('reads the severity a header line states among other labels ("Date: … · Severity: SEV1 · Author: …")', async () => {
    const record = await demoCertificateWriteUp();
    expect(fieldsOf(record).severity?.value).toBe('SEV1');
    expect(fieldsOf(bodyRecord('# Checkout down\n\n## Summary\n\nThis SEV2 incident stopped checkout for an hour.\n')).severity?.value).toBe('SEV2');
  });

  it('never takes a severity the timeline gives something else ("an AWS SEV2 support ticket was created")', () => {
    const record = markdownRecord('chia/2022-01-20-EmployeeCompromise.md');
    expect(record.body).toMatch(/AWS SEV2 support ticket/);
    expect(fieldsOf(record).severity).toBeNull();
  });

  it('a stated range still wins over a stated length ("for about 3 hours, from 15:30 to 18:10 UTC")', () => {
    const f = fieldsOf(markdownRecord('posthog/2024-02-28-decide_is_down.md'));
    expect(f.startedAt?.value).toBe('2024-02-28T15:30:00Z');
    expect(f.mitigatedAt?.value).toBe('2024-02-28T18:10:00Z');
  });
});

describe('an incident\'s times and severity across its records', () => {
  it('takes the write-up\'s severity and times over the page\'s urgency, and the page\'s detection', async () => {
    const writeUp = await demoCertificateWriteUp();
    const page = await sourceRecord(join(DEMO, 'tickets', 'pagerduty-incidents.json'), 'pagerduty:PD-3301');
    expect(page.severity).toMatch(/high/i);
    const merged = mergeIncidentFields([extracted(page), extracted(writeUp)]);
    expect(merged.severity?.value).toBe('SEV1');
    expect(merged.startedAt).toMatchObject({ value: '2024-11-21T00:00:00Z', from: { documentId: writeUp.documentId } });
    expect(merged.detectedAt).toMatchObject({ value: '2024-11-21T00:04:00Z', from: { documentId: page.documentId } });
    expect(merged.mitigatedAt).toMatchObject({ value: '2024-11-21T03:00:00Z', from: { documentId: writeUp.documentId } });
    // The write-up states no resolution: the page's is the incident's.
    expect(merged.resolvedAt).toMatchObject({ value: '2024-11-21T03:02:00Z', from: { documentId: page.documentId } });
    expect(incidentDurations(merged)).toEqual({ timeToDetectMinutes: 4, timeToResolveMinutes: 182 });
  });

  it('a ticket alone starts when it was reported, which gives a time to resolve but no time to detect', async () => {
    const ticket = await sourceRecord(join(CORPUS, 'jira', 'mongodb-jira-xml-export', 'example_jira_mongodb_resolved-recently.xml'), 'jira:CDRIVER-4699');
    const f = fieldsOf(ticket);
    // The ticket itself states no start: that is the incident's reading, not the record's.
    expect(f.startedAt).toBeNull();
    expect(f.detectedAt).not.toBeNull();
    const merged = mergeIncidentFields([extracted(ticket)]);
    expect(merged.startedAt).toEqual(f.detectedAt);
    const d = incidentDurations(merged);
    expect(d.timeToDetectMinutes).toBeNull();
    expect(d.timeToResolveMinutes).toBe(Math.round((Date.parse(f.resolvedAt!.value) - Date.parse(f.detectedAt!.value)) / 60_000));
  });
});
