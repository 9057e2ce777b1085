/**
 * Incident records over the demo company's exports (postmortems, a Slack export, Jira and
 * PagerDuty): one incident per event, kept current through re-imports and deletions, rebuilt for
 * an older database, and what similar, playbooks and experts answer from them.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView } from '../../../native/contract.js';
import { TestApi } from '../../support/api.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const demo = join(dir, 'demo');
cpSync(new URL('../../../demo', import.meta.url).pathname, demo, { recursive: true });

describe('incident records', () => {
  let api: TestApi;
  const incidentOf = (title: string) => api.db.prepare(`SELECT r.incident_id FROM incident_records r JOIN documents d ON d.id = r.document_id WHERE d.title LIKE ?`).pluck().get(`${title}%`) as number;
  const view = async (title: string) => (await api.invoke('incident', { id: incidentOf(title) }))!;
  beforeAll(async () => {
    api = await TestApi.open({ dbPath: join(dir, 'i.db'), models: NO_MODEL });
    await api.import({ paths: [demo] });
  });
  afterAll(() => api.close());

  it('groups a postmortem with its ticket, its page and its chat threads — and its follow-up ticket — into one incident', async () => {
    const v = await view('Tracking updates delayed by Kafka consumer lag');
    const records = v.records.map((r) => `${r.kind}:${r.role}:${r.title.split(/[: ]/)[0]}`).sort();
    expect(records).toEqual(
      expect.arrayContaining(['postmortem:primary:Tracking', 'ticket:record:LF-212', 'ticket:record:PD-3107', 'ticket:follow-up:LF-219']),
    );
    // The page's alert is named in the chat: both threads of that day are the same event.
    expect(v.records.filter((r) => r.kind === 'slack-thread')).toHaveLength(2);
    expect(v.title).toBe('Tracking updates delayed by Kafka consumer lag');
    // Resolution comes from the incident's records, not from the follow-up ticket closed weeks later.
    expect(v.minutesToResolve).toBeGreaterThan(60);
    expect(v.minutesToResolve).toBeLessThan(24 * 60);
  });

  it('joins the page a write-up names by its number, and takes the write-up\'s severity and times', async () => {
    // "PagerDuty incident #3301" in the certificate write-up; the page's own title is another wording.
    const v = await view('Partner API down: expired TLS certificate');
    expect(v.records.map((r) => r.title)).toContainEqual(expect.stringMatching(/^PD-3301/));
    expect(v.severity).toBe('SEV1');
    expect(v.fields.startedAt?.value).toBe('2024-11-21T00:00:00Z');
    expect(v.fields.detectedAt?.value).toBe('2024-11-21T00:04:00Z');
    expect(v.fields.mitigatedAt?.value).toBe('2024-11-21T03:00:00Z');
    expect(v.minutesToDetect).toBe(4);
  });

  it('does not join a page whose number only starts another one ("#3301" in "#33010")', async () => {
    const folder = join(dir, 'other-page');
    mkdirSync(folder);
    writeFileSync(join(folder, 'billing.md'), '---\ndate: 2024-11-21\n---\n# Billing export stalled\n\n## Summary\n\nThe nightly billing export stalled for an hour. PagerDuty incident #33010.\n');
    await api.import({ paths: [folder] });
    const billing = await view('Billing export stalled');
    expect(billing.records.map((r) => r.title)).toEqual(['Billing export stalled']);
    // The write-up that names #3301 itself still has its page.
    expect((await view('Partner API down: expired TLS certificate')).records.map((r) => r.title)).toContainEqual(expect.stringMatching(/^PD-3301/));
    await api.invoke('deleteImport', { importId: (await api.invoke('listImports', {})).imports[0]!.importId });
  });

  it('counts no minutes from a start known only by its day', async () => {
    // Dated "2024-09-18" with no time of the start: detection can't be counted from midnight.
    const storm = await view('Second consumer rebalance storm');
    expect(storm.startedAt).toMatch(/^2024-09-18/);
    expect(storm.minutesToDetect).toBeNull();
    // Resolution is then counted from the detection, as the write-up's own times allow.
    expect(storm.minutesToResolve).toBe(55);
  });

  it('keeps a recurrence apart, linked as "recurrence of" the earlier incident', async () => {
    const later = await view('Second consumer rebalance storm');
    const earlier = incidentOf('Tracking updates delayed by Kafka consumer lag');
    expect(later.incidentId).not.toBe(earlier);
    expect(later.links).toContainEqual(expect.objectContaining({ incidentId: earlier, relation: 'recurrence of', direction: 'out' }));
    const first = await view('Tracking updates delayed by Kafka consumer lag');
    expect(first.links).toContainEqual(expect.objectContaining({ incidentId: later.incidentId, direction: 'in' }));
  });

  it('says where each field was read: the record and the span of its body', async () => {
    const v: IncidentView = await view('Checkout failures from payments-gateway');
    for (const field of [v.fields.rootCause, v.fields.mitigation, v.fields.symptom]) {
      expect(field).not.toBeNull();
      expect(v.records.map((r) => r.documentId)).toContain(field!.from.documentId);
      const doc = (await api.show(field!.from.documentId))!;
      const quoted = doc.body.slice(field!.from.start, field!.from.end).replace(/[*_`]/g, '').replace(/\s+/g, ' ');
      expect(quoted).toContain(field!.value.replace(/\s+/g, ' ').slice(0, 30));
    }
    // A record names the incident it belongs to.
    expect((await api.show(v.records[0]!.documentId))!.incident).toMatchObject({ incidentId: v.incidentId });
  });

  it('a re-import changes nothing: no incident is duplicated or split', async () => {
    const before = api.db.prepare('SELECT document_id, incident_id, role FROM incident_records ORDER BY document_id').all();
    const count = api.db.prepare('SELECT count(*) FROM incidents').pluck().get();
    const s = await api.import({ paths: [demo] });
    expect(s.documentsAdded + s.documentsUpdated).toBe(0);
    expect(api.db.prepare('SELECT document_id, incident_id, role FROM incident_records ORDER BY document_id').all()).toEqual(before);
    expect(api.db.prepare('SELECT count(*) FROM incidents').pluck().get()).toBe(count);
  });

  it('a record that goes away leaves its incident rebuilt without it', async () => {
    const id = incidentOf('Checkout failures from payments-gateway');
    const tickets = join(demo, 'tickets', 'jira-export.json');
    const original = readFileSync(tickets, 'utf8');
    const data = JSON.parse(original) as { issues: Array<{ key: string }> };
    writeFileSync(tickets, JSON.stringify({ ...data, issues: data.issues.filter((i) => i.key !== 'LF-244') }));
    try {
      await api.import({ paths: [tickets] });
      const v = (await api.invoke('incident', { id }))!;
      expect(v.records.map((r) => r.title)).not.toContainEqual(expect.stringMatching(/^LF-244/));
      expect(v.records.some((r) => r.kind === 'postmortem')).toBe(true);
      expect(api.db.prepare('SELECT count(*) FROM incidents WHERE dirty = 1').pluck().get()).toBe(0);
    } finally {
      writeFileSync(tickets, original);
      await api.import({ paths: [tickets] });
    }
    expect((await api.invoke('incident', { id }))!.records.map((r) => r.title)).toContainEqual(expect.stringMatching(/^LF-244/));
  });

  it('answers similar with incidents, never the input\'s own, with shared evidence first and a playbook', async () => {
    const r = await api.similar({ text: 'tracking-worker consumer lag keeps growing, the Kafka consumer group is rebalancing in a loop', limit: 5 });
    expect(r.verdict.label).toBe('recurring');
    const top = r.incidents.slice(0, 2).map((i) => i.incident.title).sort();
    expect(top).toEqual(['Second consumer rebalance storm on parcel-events', 'Tracking updates delayed by Kafka consumer lag']);
    expect(r.incidents[0]!.shared.services).toContain('tracking-worker');
    expect(r.playbook.incidents.length).toBeGreaterThanOrEqual(2);
    expect(r.playbook.mitigations.length).toBeGreaterThanOrEqual(2);
    // The follow-up that stayed open while the failure came back is flagged.
    expect(r.playbook.actionItems.find((a) => /geocoding/i.test(a.text))).toMatchObject({ status: 'open', recurredAfter: [expect.objectContaining({ title: 'Second consumer rebalance storm on parcel-events' })] });

    // From a record of the incident (its Slack thread), its own incident is never a result.
    const thread = api.db.prepare(`SELECT id FROM documents WHERE kind = 'slack-thread' AND title LIKE '%KafkaConsumerLagHigh%'`).pluck().get() as number;
    const own = incidentOf('Tracking updates delayed by Kafka consumer lag');
    const fromThread = await api.similar({ id: thread, limit: 5 });
    expect(fromThread.incidents.map((i) => i.incident.incidentId)).not.toContain(own);
    expect(fromThread.incidents[0]?.incident.title).toBe('Second consumer rebalance storm on parcel-events');
  });

  it('from the first Kafka lag write-up, its later recurrence is a strong, recurring match with a playbook', async () => {
    // Both write-ups tell a consumer rebalance loop on tracking-worker: one failure mode (consumer
    // lag), one mechanism, one service — what an engineer calls the same failure again.
    const first = api.db.prepare(`SELECT id FROM documents WHERE kind = 'postmortem' AND title LIKE 'Tracking updates delayed by Kafka%'`).pluck().get() as number;
    const r = await api.similar({ id: first, limit: 5 });
    expect(r.verdict.label).toBe('recurring');
    const top = r.incidents[0]!;
    expect(top.incident.title).toBe('Second consumer rebalance storm on parcel-events');
    expect(top.strength).toBe('strong');
    expect(top.shared.failureModes.map((m) => m.id)).toContain('consumer-lag');
    const p = await api.invoke('playbook', { id: first });
    expect(p.incidents.map((i) => i.title)).toContain('Second consumer rebalance storm on parcel-events');
    expect(p.mitigations.length).toBeGreaterThan(0);
  });

  it('a playbook for a failure mode cites its incidents; an unknown one is refused with the known ones', async () => {
    const p = await api.invoke('playbook', { failureMode: 'certificate-expiry' });
    expect(p.subject).toBe('Certificate expiry');
    expect(p.incidents.map((i) => i.title)).toContain('Partner API down: expired TLS certificate');
    for (const m of p.mitigations) for (const e of m.examples) expect(m.incidents.map((i) => i.incidentId)).toContain(e.incidentId);
    // Each step of "Restored the ingress rule, forced a renewal with cmctl renew, and restarted the
    // partner gateway" once, named by what it acted on (never "renew cmctl renew").
    expect(p.mitigations.map((m) => m.action)).toEqual(expect.arrayContaining(['restore ingress rule', 'restart partner gateway']));
    expect(p.mitigations.filter((m) => m.action.startsWith('renew'))).toHaveLength(1);
    expect(p.mitigations.map((m) => m.action).join(' ')).not.toMatch(/cmctl/);
    await expect(api.invoke('playbook', { failureMode: 'gremlins' })).rejects.toMatchObject({ code: 'not-found', hint: expect.stringMatching(/certificate-expiry/) });
  });

  it('who knows: people by what they did, one line per person per incident', async () => {
    const r = await api.experts({ text: 'Kafka consumer lag on tracking-worker, consumers rebalancing', limit: 5 });
    expect(r.experts[0]!.name).toBe('Mara Okafor');
    for (const e of r.experts) {
      const ids = e.incidents.map((i) => i.incidentId);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(r.experts.map((e) => e.name)).not.toContain('Unassigned');
  });

  it('a database from before incidents existed gets them built when it is opened', async () => {
    const path = join(dir, 'old.db');
    const old = await TestApi.open({ dbPath: path, models: NO_MODEL });
    await old.import({ paths: [demo] });
    const grouped = old.db.prepare('SELECT count(*) FROM incidents').pluck().get();
    await old.close();
    // What the previous version had: documents, and none of the incident tables' rows.
    const raw = new Database(path);
    raw.exec('DELETE FROM record_fields; DELETE FROM incident_records; DELETE FROM incidents; DELETE FROM record_alerts;');
    raw.close();
    const reopened = await TestApi.open({ dbPath: path, models: NO_MODEL });
    expect(reopened.db.prepare('SELECT count(*) FROM incidents').pluck().get()).toBe(grouped);
    expect(reopened.db.prepare('SELECT count(*) FROM documents d LEFT JOIN incident_records r ON r.document_id = d.id WHERE r.document_id IS NULL').pluck().get()).toBe(0);
    await reopened.close();
  });
});
