import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../native/engine.js';
import { TestApi } from '../../support/api.js';
import { openFixture } from '../../support/fixture-db.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const pm = (rel: string) => join(CORPUS, 'postmortems', rel);

describe('similar past incidents over the real postmortems', () => {
  let engine: TestApi;
  beforeAll(async () => {
    // Built once per mutation run (test/support/fixture-db.ts); here, imported as always.
    engine = await openFixture('similar-postmortems', { dbPath: join(dir, 's.db'), models: NO_MODEL }, async (api) => {
      await api.import({ paths: [join(CORPUS, 'postmortems')] });
    });
  });
  afterAll(() => engine.close());
  const idOf = (path: string) => engine.db.prepare('SELECT id FROM documents WHERE source = ?').pluck().get(path) as number;
  const sourceOf = (i: { incident: { records: Array<{ documentId: number }> } }) => engine.db.prepare('SELECT source FROM documents WHERE id = ?').pluck().get(i.incident.records[0]!.documentId) as string;

  it('finds the right postmortems for a short symptom description, and calls it recurring', async () => {
    const r = await engine.similar({ text: 'Kafka metrics are missing from Prometheus again', limit: 5 });
    const top2 = r.incidents.slice(0, 2).map((i) => sourceOf(i)).sort();
    expect(top2).toEqual([pm('dfds/PM2022-004_-_Kafka_metrics_missing_from_Prometheus.md'), pm('dfds/PM2022-007_-_Kafka_metrics_stopped_being_exported_to_Prometheus.md')].sort());
    expect(r.verdict.label).toBe('recurring');
    expect(r.mode).toBe('lexical');
  });

  it('finds the recurrences of a whole postmortem given by id, never itself', async () => {
    const self = idOf(pm('dfds/PM2021-006_-_All_services_returning_503_in_Kubernetes.md'));
    const r = await engine.similar({ id: self, limit: 5 });
    const sources = r.incidents.map((i) => sourceOf(i));
    expect(sources).not.toContain(pm('dfds/PM2021-006_-_All_services_returning_503_in_Kubernetes.md'));
    expect(sources.slice(0, 3)).toEqual(expect.arrayContaining([pm('dfds/PM2021-005_-_All_services_returning_503_in_Kubernetes.md'), pm('dfds/PM2021-007_-_All_services_returning_503_in_Kubernetes.md')]));
  });

  it('explains each result with real shared entities, passage pairs and what fixed it', async () => {
    const r = await engine.similar({ text: 'After the EKS upgrade CoreDNS pods are in CrashLoopBackOff and DNS resolution fails in the cluster.', limit: 3 });
    const top = r.incidents[0]!;
    expect(top.incident.title).toBe('CoreDNS upgrade issue');
    expect(top.shared.technologies).toEqual(expect.arrayContaining(['CoreDNS', 'EKS']));
    // The mechanism both describe, matched whatever its case ("DNS resolution failure" in the record).
    expect(top.shared.mechanism).toEqual(['crash loop']);
    expect(r.incidents.find((i) => i.incident.title === 'Total DNS outage in Kubernetes cluster')?.shared.mechanism).toEqual(['DNS resolution failure']);
    // Every named entity really is on both sides.
    const doc = (await engine.show(top.incident.records[0]!.documentId))!;
    for (const name of [...top.shared.technologies, ...top.shared.errors, ...top.shared.services]) {
      expect(doc.entities.map((e) => e.name)).toContain(name);
      expect(r.input.entities.map((e) => e.name)).toContain(name);
    }
    // Passage pairs quote the document itself, with its section, and say which words they share.
    expect(top.passages.length).toBeGreaterThan(0);
    for (const p of top.passages) {
      const unellipsed = p.match.text.replace(/^… |\s…$/g, '').replace(/\s+/g, ' ');
      expect(doc.body.replace(/\s+/g, ' ')).toContain(unellipsed.slice(0, 60));
      expect(p.sharedTerms.length).toBeGreaterThan(0);
    }
    // What was done to stop it, quoted from the record with where it says so — not its action items.
    expect(top.mitigation?.value.length).toBeGreaterThan(20);
    expect(doc.body.replace(/\s+/g, ' ')).toContain(top.mitigation!.value.replace(/\s+/g, ' ').slice(0, 40));
    expect(top.strength).toBe('strong');
    expect(top.score.total).toBeGreaterThan(0);
    expect(top.score.semantic).toBeNull();
    expect(top.incident.minutesToResolve === null || top.incident.minutesToResolve >= 0).toBe(true);
  });

  it('quotes, for the input, the passage of the incident most like it, not its first one', async () => {
    const id = idOf(pm('dfds/PM2021-006_-_All_services_returning_503_in_Kubernetes.md'));
    const rows = engine.db.prepare('SELECT id, text FROM chunks WHERE document_id = ? ORDER BY ord').all(id) as Array<{ id: number; text: string }>;
    // Not the first passage (the one a pair would quote if it never compared them), short enough to be read as one.
    const copied = rows.slice(1).filter((p) => p.text.length < 1000).sort((a, b) => b.text.length - a.text.length)[0]!;
    const r = await engine.similar({ text: copied.text, limit: 3 });
    const own = r.incidents.find((i) => i.incident.records.some((m) => m.documentId === id))!;
    expect(own.passages[0]!.match.chunkId).toBe(copied.id);
  });

  it('calls an unrelated incident novel', async () => {
    const r = await engine.similar({ text: 'The espresso machine on the third floor leaks water onto the carpet.', limit: 5 });
    expect(r.verdict.label).toBe('novel');
    // Whatever was found is listed as weak, never dressed as a match, and has no playbook.
    expect(r.incidents.every((i) => i.strength === 'weak')).toBe(true);
    expect(r.playbook.incidents).toEqual([]);
  });

  it('reads the new incident from a file', async () => {
    const file = join(dir, 'draft.md');
    writeFileSync(file, '# Draft: logs missing\n\n## Summary\n\nContainer logs are no longer shipped to CloudWatch; fluentd stopped forwarding.\n');
    const r = await engine.similar({ file, limit: 3 });
    expect(r.incidents[0]!.incident.title).toMatch(/Logs? .*(shipped|CloudWatch)/i);
  });

  it('rejects input that is not exactly one of text, file, id', async () => {
    await expect(engine.similar({ text: 'x', id: 3 })).rejects.toThrow(/exactly one/);
    await expect(engine.similar({})).rejects.toThrow(/exactly one/);
  });
});

describe('records of one event are one incident', () => {
  it('merges a postmortem with its ticket and Slack thread, and keeps recurrences apart', async () => {
    const root = join(dir, 'merge');
    mkdirSync(join(root, 'slack', 'inc-db'), { recursive: true });
    writeFileSync(join(root, 'pm-old.md'), '---\ndate: 2023-01-10\nurl: https://wiki.acme.io/postmortems/2023-01-pgbouncer\n---\n# Postgres failover left pgbouncer on the old primary\n\n## Summary\n\nAfter an RDS failover pgbouncer kept sending writes to the old primary; checkout failed with read-only errors. DB-1.\n\n## Resolution\n\nReloaded pgbouncer.');
    writeFileSync(join(root, 'pm-new.md'), '---\ndate: 2024-03-02\n---\n# Checkout read-only errors after Postgres failover\n\n## Summary\n\nRDS failover again; pgbouncer kept the old primary and checkout failed with read-only errors. Same as https://wiki.acme.io/postmortems/2023-01-pgbouncer. Ticket DB-9. Thread https://acme.slack.com/archives/C1/p1709370000000100\n\n## Resolution\n\nReloaded pgbouncer and added a DNS TTL check.');
    writeFileSync(join(root, 'tickets.json'), JSON.stringify({ issues: [{ key: 'DB-9', fields: { summary: 'pgbouncer pointing at old primary after failover', created: '2024-03-02T10:00:00.000+0000', resolutiondate: '2024-03-02T11:30:00.000+0000', assignee: { displayName: 'Priya' } } }] }));
    writeFileSync(join(root, 'slack', 'channels.json'), JSON.stringify([{ id: 'C1', name: 'inc-db' }]));
    writeFileSync(join(root, 'slack', 'users.json'), JSON.stringify([{ id: 'U1', name: 'priya' }, { id: 'U2', name: 'sam' }]));
    writeFileSync(join(root, 'slack', 'inc-db', '2024-03-02.json'), JSON.stringify([
      { user: 'U2', text: 'checkout is throwing read-only errors after the RDS failover', ts: '1709370000.000100', thread_ts: '1709370000.000100', reply_count: 2 },
      { user: 'U1', text: 'pgbouncer still resolves the old primary, reloading pgbouncer now', ts: '1709370100.000200', thread_ts: '1709370000.000100' },
      { user: 'U1', text: 'reload done, writes go to the new primary, read-only errors gone', ts: '1709370200.000300', thread_ts: '1709370000.000100' },
    ]));
    const engine = await TestApi.open({ dbPath: join(dir, 'm.db'), models: NO_MODEL });
    try {
      await engine.import({ paths: [root] });
      const r = await engine.similar({ text: 'Checkout failed with read-only errors after an RDS failover; pgbouncer kept the old primary.', limit: 5 });
      const titles = r.incidents.map((i) => i.incident.title);
      // The 2024 postmortem stands for its ticket and thread; the 2023 one is a separate incident.
      expect(titles).toContain('Checkout read-only errors after Postgres failover');
      expect(titles).toContain('Postgres failover left pgbouncer on the old primary');
      expect(titles.some((t) => t.startsWith('DB-9'))).toBe(false);
      expect(titles.some((t) => t.startsWith('#inc-db'))).toBe(false);
      const merged = r.incidents.find((i) => i.incident.title === 'Checkout read-only errors after Postgres failover')!;
      expect(merged.incident.records.map((x) => `${x.kind}:${x.role}`).sort()).toEqual(['postmortem:primary', 'slack-thread:record', 'ticket:record']);
      // The write-up says the date only; the ticket and the thread say when it started and ended.
      expect(merged.incident.minutesToResolve).not.toBeNull();
      // It cites the older write-up: a recurrence, linked, not merged.
      expect(merged.related).toEqual([expect.objectContaining({ title: 'Postgres failover left pgbouncer on the old primary', relation: expect.stringMatching(/recurrence of|related to/), direction: 'out' })]);
      expect(['recurring', 'related']).toContain(r.verdict.label);
      // Passages of two of its records share every word of the input alike (the write-up's summary
      // and the ticket's title): the pair quotes the record the incident's scores are of, the closest one.
      const tie = (await engine.similar({ text: 'pgbouncer old primary failover', limit: 5 })).incidents.find((i) => i.incident.title === merged.incident.title)!;
      expect(tie.passages[0]).toMatchObject({ similarity: 1, match: { documentId: merged.incident.records.find((x) => x.role === 'primary')!.documentId, role: 'summary' } });

      const experts = await engine.experts({ text: 'pgbouncer kept the old primary after failover', limit: 3 });
      expect(experts.experts[0]!.name.toLowerCase()).toBe('priya');
      // One line per person per incident.
      const lines = experts.experts[0]!.incidents.map((i) => i.incidentId);
      expect(new Set(lines).size).toBe(lines.length);
    } finally {
      await engine.close();
    }
  });

  it('never spends the results on the records of the input\'s own incident', async () => {
    const root = join(dir, 'own');
    mkdirSync(root, { recursive: true });
    const story = 'The billing queue consumer stalled and invoices were delayed for hours; the consumer lag grew until the consumer pods were restarted.';
    writeFileSync(join(root, 'pm-new.md'), `---\ndate: 2024-05-01\n---\n# Billing queue consumer stalled\n\n## Summary\n\n${story} Tickets OPS-1, OPS-2, OPS-3, OPS-4, OPS-5.\n`);
    writeFileSync(join(root, 'pm-old.md'), '---\ndate: 2023-02-01\n---\n# Invoices delayed\n\n## Summary\n\nInvoices were delayed: the billing consumer stopped reading its queue until it was restarted.\n');
    const tickets = [1, 2, 3, 4, 5].map((k) => ({ key: `OPS-${k}`, fields: { summary: `${story} (${k})`, created: '2024-05-01T10:00:00.000+0000', resolutiondate: '2024-05-01T11:00:00.000+0000' } }));
    writeFileSync(join(root, 'tickets.json'), JSON.stringify({ issues: tickets }));
    const engine = await TestApi.open({ dbPath: join(dir, 'own.db'), models: NO_MODEL });
    let id: number | undefined;
    try {
      // With other write-ups beside them, so that the story's words are not in most passages.
      await engine.import({ paths: [root, join(CORPUS, 'postmortems', 'dfds')] });
      id = engine.db.prepare('SELECT id FROM documents WHERE source = ?').pluck().get(join(root, 'pm-new.md')) as number;
      // The write-up and its five tickets are one incident, the older write-up another.
      const own = await engine.similar({ text: story, limit: 5 });
      expect(own.incidents.find((i) => i.incident.title === 'Billing queue consumer stalled')?.incident.records).toHaveLength(6);
      // Asked for the one closest past incident, it gets the older write-up, however close its own tickets are.
      expect((await engine.similar({ id: id!, limit: 1 })).incidents.map((i) => i.incident.title)).toEqual(['Invoices delayed']);
    } finally {
      await engine.close();
    }
    // The same with the words-and-meaning ranker (the ranking lab's), which ranks the tickets, word
    // for word the write-up's summary, above the older write-up.
    const lab = await Engine.open({ dbPath: join(dir, 'own.db'), models: NO_MODEL });
    try {
      const r = await lab.similar({ id: id!, limit: 1 }, { weights: { semantic: 0, lexical: 1, entities: 0 } });
      expect(r.incidents.map((i) => i.incident.title)).toEqual(['Invoices delayed']);
    } finally {
      await lab.close();
    }
  });
});
