import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();

describe('links between records, entity filters and show', () => {
  let engine: TestApi;
  const ts = '1700000000.000100';
  beforeAll(async () => {
    engine = await TestApi.open({ dbPath: join(dir, 'l.db'), models: NO_MODEL });
    // A postmortem citing a Jira key, a PagerDuty incident and a Slack thread permalink...
    writeFileSync(join(dir, 'pm.md'), [
      '# Payments outage 2023-11-14',
      '## Summary',
      'payments-api returned HTTP 503 for 20 minutes. Tracked in PAY-7; paged via https://acme.pagerduty.com/incidents/PX9.',
      'Discussion: https://acme.slack.com/archives/C1/p1700000000000100',
      '## Root cause',
      'A PostgreSQL failover left pgbouncer pointing at the old primary.',
    ].join('\n\n'));
    // ...the Jira issue, which duplicates another...
    writeFileSync(join(dir, 'jira.json'), JSON.stringify({ issues: [
      { key: 'PAY-7', fields: { summary: 'payments-api 503s', assignee: { displayName: 'Dana' }, components: [{ name: 'payments-api' }], created: '2023-11-14T10:00:00.000+0000', issuelinks: [{ type: { name: 'Duplicate', outward: 'duplicates', inward: 'is duplicated by' }, outwardIssue: { key: 'PAY-3' } }] } },
      { key: 'PAY-3', fields: { summary: 'Intermittent 503 on payments', created: '2023-10-01T10:00:00.000+0000' } },
    ] }));
    // ...the PagerDuty incident and the Slack thread.
    writeFileSync(join(dir, 'pd.json'), JSON.stringify({ incidents: [{ id: 'PX9', incident_number: 9, title: 'payments-api error rate', status: 'resolved', created_at: '2023-11-14T10:01:00Z' }] }));
    const slack = join(dir, 'slack');
    mkdirSync(join(slack, 'inc-payments'), { recursive: true });
    writeFileSync(join(slack, 'channels.json'), JSON.stringify([{ id: 'C1', name: 'inc-payments' }]));
    writeFileSync(join(slack, 'users.json'), JSON.stringify([{ id: 'U1', name: 'erin' }]));
    writeFileSync(join(slack, 'inc-payments', '2023-11-14.json'), JSON.stringify([{ user: 'U1', text: 'pgbouncer still points at the old primary', ts, thread_ts: ts, reply_count: 1 }, { user: 'U1', text: 'reloaded pgbouncer, the 503 errors are gone', ts: '1700000100.000200', thread_ts: ts }]));
    const s = await engine.import({ paths: [dir] });
    expect(s.errors).toEqual([]);
    expect(s.byFormat).toEqual({ markdown: 1, 'jira-json': 2, 'pagerduty-json': 1, slack: 1 });
  });
  afterAll(() => engine.close());

  const idOf = (title: string) => engine.db.prepare('SELECT id FROM documents WHERE title LIKE ?').pluck().get(`${title}%`) as number;

  it('resolves a postmortem\'s mentions of a ticket, a PagerDuty incident and a Slack thread', async () => {
    const doc = (await engine.show(idOf('Payments outage')))!;
    const resolved = doc.links.filter((l) => l.direction === 'out' && l.documentId).map((l) => l.title);
    expect(resolved).toEqual(expect.arrayContaining(['PAY-7: payments-api 503s', 'PD-9: payments-api error rate', expect.stringMatching(/^#inc-payments: pgbouncer/)]));
  });

  it('shows links both ways, with the tracker\'s relation', async () => {
    const pay3 = (await engine.show(idOf('PAY-3')))!;
    expect(pay3.links).toContainEqual(expect.objectContaining({ direction: 'in', relation: 'duplicates', documentId: idOf('PAY-7') }));
    const pay7 = (await engine.show(idOf('PAY-7')))!;
    expect(pay7.links).toContainEqual(expect.objectContaining({ direction: 'in', relation: 'mentions', documentId: idOf('Payments outage') }));
  });

  it('stores entities and shows them with the document', async () => {
    const doc = (await engine.show(idOf('Payments outage')))!;
    const e = (type: string) => doc.entities.filter((x) => x.type === type).map((x) => x.name);
    expect(e('service')).toContain('payments-api');
    expect(e('error')).toContain('HTTP 503 Service Unavailable');
    expect(e('technology')).toEqual(expect.arrayContaining(['PostgreSQL']));
    expect(e('ticket')).toContain('PAY-7');
    expect(await engine.show(999_999)).toBeNull();
  });

  it('filters search by service, person and error', async () => {
    const byService = await engine.search({ query: 'payments', service: 'payments-api' });
    expect(byService.hits.length).toBeGreaterThanOrEqual(3);
    expect(byService.hits.map((h) => h.title)).not.toContain('PAY-3: Intermittent 503 on payments');
    const byPerson = await engine.search({ query: 'payments', person: 'dana' });
    expect(byPerson.hits.map((h) => h.title)).toEqual(['PAY-7: payments-api 503s']);
    const byError = await engine.search({ query: 'pgbouncer', error: 'HTTP 503 Service Unavailable' });
    expect(byError.hits.map((h) => h.kind).sort()).toEqual(['postmortem', 'slack-thread']);
    expect((await engine.search({ query: 'payments', service: 'no-such-service' })).hits).toEqual([]);
  });
});

describe('the whole corpus in one import', () => {
  it('imports every format in ../shared/corpus, with a summary per format, and finds them by content', async () => {
    const engine = await TestApi.open({ dbPath: join(dir, 'all.db'), models: NO_MODEL });
    try {
      const s = await engine.import({ paths: [CORPUS] });
      expect(s.errors).toEqual([]);
      expect(s.byFormat).toMatchObject({ markdown: expect.any(Number), slack: expect.any(Number), 'jira-xml': 40, 'jira-json': 1, 'github-json': expect.any(Number), 'servicenow-csv': 890 });
      expect(s.byFormat.markdown).toBeGreaterThanOrEqual(125);
      const top = async (query: string, kind: 'ticket' | 'slack-thread' | 'postmortem') => (await engine.search({ query, kinds: [kind], limit: 3 })).hits.map((h) => h.title);
      expect((await top('registerSlot lazily SBE', 'ticket'))[0]).toMatch(/^SERVER-79005/);
      expect((await top('d3 meetup tutorial', 'slack-thread')).length).toBeGreaterThan(0);
      expect((await top('CoreDNS upgrade', 'postmortem'))[0]).toBe('CoreDNS upgrade issue');
      // Idempotent as a whole: nothing changes the second time.
      const again = await engine.import({ paths: [CORPUS] });
      expect(again.documentsAdded + again.documentsUpdated).toBe(0);
    } finally {
      await engine.close();
    }
  });
});

describe('a --channels filter that matches nothing is an error, not an empty import', () => {
  const houston = join(CORPUS, 'slack/houstondatavis-2016');
  let engine: TestApi;
  beforeAll(async () => {
    engine = await TestApi.open({ dbPath: join(dir, 'channels.db'), models: NO_MODEL });
  });
  afterAll(() => engine.close());

  it('names the channels the real export has when none matches', async () => {
    const s = await engine.import({ paths: [houston], channels: ['incident-*'] });
    expect(s.documentsAdded).toBe(0);
    expect(s.errors).toEqual([expect.objectContaining({ source: houston, code: 'not-found', reason: 'no-channel' })]);
    expect(s.errors[0]!.message).toMatch(/No channel of the Slack export .* matches incident-\*; its channels are #datajam, #datasets/);
  });

  it('says so when the batch holds no Slack export at all, and still imports the rest', async () => {
    const folder = join(dir, 'no-slack');
    mkdirSync(folder);
    writeFileSync(join(folder, 'pm.md'), '# Disk full on db-1\n\n## Summary\n\nThe WAL volume filled up.\n');
    const s = await engine.import({ paths: [folder], channels: ['incident-*'] });
    expect(s.documentsAdded).toBe(1);
    expect(s.filesFailed).toBe(0);
    expect(s.errors).toEqual([expect.objectContaining({ source: folder, code: 'not-found', reason: 'no-channel' })]);
    expect(s.errors[0]!.message).toBe(`--channels incident-* matched nothing: no Slack export was among ${folder}.`);
  });

  /** A second, small Slack export (admin-export layout) with one incident channel. */
  function incidentExport(name: string): string {
    const root = join(dir, name);
    mkdirSync(join(root, 'incident-db'), { recursive: true });
    writeFileSync(join(root, 'channels.json'), JSON.stringify([{ id: 'C9', name: 'incident-db' }]));
    writeFileSync(join(root, 'users.json'), JSON.stringify([{ id: 'U9', name: 'sam' }]));
    writeFileSync(join(root, 'incident-db', '2024-01-02.json'), JSON.stringify([{ user: 'U9', text: 'db-1 disk is full, failing over', ts: '1704196800.000100' }]));
    return root;
  }

  it('over a batch of two exports where one matches: imports it and lists the other as skipped, with no error', async () => {
    const other = incidentExport('slack-incidents');
    const s = await engine.import({ paths: [houston, other], channels: ['incident-*'] });
    expect(s.errors).toEqual([]);
    expect(s.filesFailed).toBe(0);
    expect(s.byFormat).toEqual({ slack: 1 });
    // (The corpus folder's .LICENSE and README.md are skipped as not incident records, as always.)
    expect(s.skipped.filter((k) => k.source === houston)).toEqual([{ source: houston, reason: expect.stringMatching(/^no channel matches incident-\* \(its channels are #datajam, #datasets.*\); another Slack export of the batch had one$/) }]);
  });

  it('over a batch of two exports where neither matches: an error for each', async () => {
    const other = incidentExport('slack-incidents-2');
    const s = await engine.import({ paths: [houston, other], channels: ['payments-*'] });
    expect(s.documentsAdded).toBe(0);
    expect(s.filesFailed).toBe(2);
    expect(s.skipped.filter((k) => k.source === houston || k.source === other)).toEqual([]);
    expect(s.errors.map((e) => [e.source, e.reason])).toEqual([[houston, 'no-channel'], [other, 'no-channel']]);
    expect(s.errors[1]!.message).toBe(`No channel of the Slack export ${other} matches payments-*; its channels are #incident-db.`);
  });

  it('is no error when a channel of the batch matched', async () => {
    const s = await engine.import({ paths: [houston], channels: ['general'] });
    expect(s.errors).toEqual([]);
    expect(s.documentsAdded).toBeGreaterThan(100);
  });
});
