import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrackerDate } from '../../../../native/import/tickets/dates.js';
import { adfToMarkdown, wikiToMarkdown } from '../../../../native/import/tickets/jira-text.js';
import { CORPUS } from '../../../support/generated-models.js';
import { parseSource } from '../../../support/parse.js';
import { fixtureWriter, tempDir } from '../../../support/temp.js';

const dir = tempDir();
const write = fixtureWriter(dir);

describe('Jira XML (real MongoDB export)', () => {
  it('reads every issue with its fields, comments in order and issue links', async () => {
    const r = await parseSource(join(CORPUS, 'jira/mongodb-jira-xml-export/example_jira_mongodb_new-issues.xml'));
    expect(r.format).toBe('jira-xml');
    expect(r.documents).toHaveLength(20);
    const withLink = r.documents.find((d) => d.links.some((l) => l.target === 'ticket:SERVER-77600'))!;
    expect(withLink.links.find((l) => l.target === 'ticket:SERVER-77600')!.relation).toBe('is caused by');
    for (const d of r.documents) {
      expect(d.kind).toBe('ticket');
      expect(d.uid).toBe(`jira:${d.externalId}`);
      expect(d.refs).toContain(`ticket:${d.externalId}`);
      expect(d.url).toBe(`https://jira.mongodb.org/browse/${d.externalId}`);
      expect(d.occurredAt).toMatch(/^20\d\d-/);
      expect(d.body).not.toMatch(/&lt;|<p>/);
    }
  });

  it('keeps status, resolution, assignee and resolved time', async () => {
    const r = await parseSource(join(CORPUS, 'jira/mongodb-jira-xml-export/example_jira_mongodb_resolved-recently.xml'));
    const d = r.documents.find((x) => x.externalId === 'SERVER-79005')!;
    expect(d.title).toBe('SERVER-79005: [SBE] Call registerSlot() lazily for certain variables');
    expect(d.status).toBe('Closed');
    expect(d.metadata).toMatchObject({ resolution: 'Fixed', assignee: 'Drew Paroski', type: 'Task' });
    expect(d.resolvedAt).toBe('2023-07-30T13:28:35.000Z');
    expect(d.body).toMatch(/## Comments[\s\S]*This reverts commit/);
  });
});

describe('Jira REST JSON', () => {
  it('reads the real search-results shape', async () => {
    const r = await parseSource(join(CORPUS, 'jira/go-jira-mock-data/issues_in_sprint.json'));
    expect(r.format).toBe('jira-json');
    expect(r.documents[0]).toMatchObject({ externalId: 'AR-86', kind: 'ticket', occurredAt: '2015-12-02T15:39:15.000Z', resolvedAt: '2015-12-07T22:19:13.000Z' });
  });

  it('renders Cloud descriptions and comments in Atlassian Document Format', async () => {
    const adf = (...content: unknown[]) => ({ type: 'doc', version: 1, content });
    const p = (...content: unknown[]) => ({ type: 'paragraph', content });
    const t = (text: string, marks?: unknown[]) => ({ type: 'text', text, ...(marks ? { marks } : {}) });
    const issue = {
      key: 'OPS-7',
      self: 'https://acme.atlassian.net/rest/api/3/issue/10007',
      fields: {
        summary: 'Checkout 502s after deploy',
        status: { name: 'Done' },
        priority: { name: 'P1' },
        labels: ['incident', 'checkout'],
        components: [{ name: 'checkout-api' }],
        created: '2024-05-01T10:00:00.000+0200',
        resolutiondate: '2024-05-01T11:30:00.000+0200',
        assignee: { displayName: 'Dana Ops' },
        description: adf(
          { type: 'heading', attrs: { level: 2 }, content: [t('Symptoms')] },
          p(t('Checkout returned '), t('HTTP 502', [{ type: 'strong' }]), t(' for 14% of requests.')),
          { type: 'bulletList', content: [{ type: 'listItem', content: [p(t('nginx upstream timeouts'))] }] },
          { type: 'codeBlock', attrs: { language: 'text' }, content: [t('upstream timed out (110: Connection timed out)')] },
        ),
        comment: { comments: [{ author: { displayName: 'Eve' }, created: '2024-05-01T11:00:00.000+0200', body: adf(p(t('Rolled back to v41, see '), { type: 'inlineCard', attrs: { url: 'https://status.acme.io/x' } })) }] },
        issuelinks: [{ type: { name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' }, outwardIssue: { key: 'OPS-3' } }],
      },
    };
    const r = await parseSource(write('jira-cloud.json', JSON.stringify({ startAt: 0, total: 1, issues: [issue] })));
    const d = r.documents[0]!;
    expect(d.url).toBe('https://acme.atlassian.net/browse/OPS-7');
    expect(d.body).toContain('## Symptoms');
    expect(d.body).toContain('**HTTP 502** for 14% of requests.');
    expect(d.body).toContain('- nginx upstream timeouts');
    expect(d.body).toContain('```text\nupstream timed out (110: Connection timed out)\n```');
    expect(d.body).toMatch(/\*\*Eve\*\* 2024-05-01 09:00\nRolled back to v41, see https:\/\/status.acme.io\/x/);
    expect(d.links).toEqual([{ relation: 'duplicates', target: 'ticket:OPS-3' }]);
    expect(d.fields).toEqual(expect.arrayContaining([{ type: 'service', name: 'checkout-api' }, { type: 'person', name: 'Dana Ops' }]));
  });

  it('renders Data Center wiki markup', () => {
    expect(wikiToMarkdown('h2. Cause\n*bold* and {{code}} [link|https://x.io] [~jdoe]\n{code:java}\nthrow new X();\n{code}\n* one\n** two')).toBe(
      '## Cause\n**bold** and `code` [link](https://x.io) @jdoe\n```java\nthrow new X();\n```\n- one\n  - two',
    );
    expect(adfToMarkdown({ type: 'doc', content: [{ type: 'unknownNode', content: [{ type: 'text', text: 'kept' }] }] })).toBe('kept');
  });
});

describe('Jira CSV', () => {
  it('reads repeated columns, "date;author;body" comments, BOM and CRLF', async () => {
    const rows = [
      ['Summary', 'Issue key', 'Issue Type', 'Status', 'Priority', 'Created', 'Resolved', 'Labels', 'Labels', 'Component/s', 'Description', 'Comment', 'Comment', 'Outward issue link (Duplicate)'],
      ['Kafka consumer lag on orders', 'ORD-12', 'Incident', 'Resolved', 'High', '15/Jul/23 8:07 PM', '16/Jul/23 9:15 AM', 'kafka', 'lag', 'orders-consumer', 'Lag grew to 2M messages; "consumer group rebalancing" loop.', '15/Jul/23 8:30 PM;alice;Restarted consumers; lag draining', '16/Jul/23 9:00 AM;bob;Root cause: max.poll.interval too low', 'ORD-9'],
    ];
    const csv = '\uFEFF' + rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
    const r = await parseSource(write('jira.csv', csv));
    expect(r.format).toBe('jira-csv');
    const d = r.documents[0]!;
    expect(d).toMatchObject({ externalId: 'ORD-12', status: 'Resolved', occurredAt: '2023-07-15T20:07:00.000Z', resolvedAt: '2023-07-16T09:15:00.000Z' });
    expect(d.metadata.labels).toEqual(['kafka', 'lag']);
    expect(d.body).toMatch(/\*\*alice\*\* 2023-07-15 20:30\nRestarted consumers; lag draining/);
    expect(d.body.indexOf('alice')).toBeLessThan(d.body.indexOf('bob'));
    expect(d.links).toEqual([{ relation: 'Duplicate (outward)', target: 'ticket:ORD-9' }]);
  });
});

describe('GitHub issues JSON', () => {
  it('reads recorded REST responses (real octokit fixtures) and tells pull requests apart', async () => {
    const r = await parseSource(join(CORPUS, 'github/octokit-fixtures/paginate-issues.normalized-fixture.json'));
    expect(r.format).toBe('github-json');
    expect(r.documents.length).toBeGreaterThan(5);
    expect(r.documents[0]!.externalId).toMatch(/^octokit-fixture-org\/[\w-]+#\d+$/);
    expect(r.documents[0]!.refs[0]).toMatch(/^github:octokit-fixture-org\//);
  });

  it('reads `gh issue list --json` with comments, and marks pull requests', async () => {
    const data = [
      { number: 101, title: 'Deploys stuck: runner out of disk', body: 'ENOSPC on runner-7', state: 'CLOSED', url: 'https://github.com/acme/infra/issues/101', author: { login: 'alice' }, assignees: [{ login: 'bob' }], labels: [{ name: 'incident' }], createdAt: '2024-02-01T08:00:00Z', closedAt: '2024-02-01T09:00:00Z', comments: [{ author: { login: 'bob' }, body: 'Pruned docker images; added a cleanup cron.', createdAt: '2024-02-01T08:50:00Z' }] },
      { number: 102, title: 'Add disk alert', state: 'MERGED', url: 'https://github.com/acme/infra/pull/102', author: { login: 'bob' }, createdAt: '2024-02-02T08:00:00Z' },
    ];
    const r = await parseSource(write('gh.json', JSON.stringify(data)));
    const [issue, pr] = r.documents;
    expect(issue!.metadata).toMatchObject({ type: 'issue', pullRequest: false });
    expect(issue!.body).toContain('Pruned docker images');
    expect(issue!.refs).toEqual(['github:acme/infra#101']);
    expect(pr!.metadata).toMatchObject({ type: 'pull request', pullRequest: true });
  });
});

describe('PagerDuty', () => {
  it('reads REST incidents with notes and log entries', async () => {
    const data = {
      incidents: [{
        id: 'PT4KHLK', incident_number: 1234, title: 'The server is on fire.', status: 'resolved', urgency: 'high',
        created_at: '2024-03-01T10:00:00Z', last_status_change_at: '2024-03-01T10:42:00Z', html_url: 'https://acme.pagerduty.com/incidents/PT4KHLK',
        service: { summary: 'payments-api' }, priority: { summary: 'P1' }, escalation_policy: { summary: 'Payments' },
        assignments: [{ assignee: { summary: 'Carol' } }], last_status_change_by: { summary: 'Carol' },
        notes: [{ content: 'Failed over to the secondary region.', user: { summary: 'Carol' }, created_at: '2024-03-01T10:30:00Z' }],
        log_entries: [{ type: 'trigger_log_entry', summary: 'Triggered through the API', created_at: '2024-03-01T10:00:00Z' }],
      }],
    };
    const r = await parseSource(write('pd.json', JSON.stringify(data)));
    expect(r.format).toBe('pagerduty-json');
    const d = r.documents[0]!;
    expect(d).toMatchObject({ externalId: 'PD-1234', status: 'resolved', resolvedAt: '2024-03-01T10:42:00.000Z', severity: 'high' });
    expect(d.refs).toEqual(expect.arrayContaining(['pagerduty:1234', 'pagerduty:PT4KHLK']));
    expect(d.body.indexOf('Triggered through the API')).toBeLessThan(d.body.indexOf('Failed over'));
    expect(d.fields).toEqual(expect.arrayContaining([{ type: 'service', name: 'payments-api' }, { type: 'person', name: 'Carol' }]));
  });

  it('reads the incidents CSV export', async () => {
    const csv = 'id,incident_number,description,status,urgency,service_name,escalation_policy_name,created_on,resolved_on,assigned_to_user\nPX1,77,Disk full on db-3,resolved,high,orders-db,DBA,2024-01-05T03:00:00Z,2024-01-05T03:40:00Z,Dave\n';
    const r = await parseSource(write('pd.csv', csv));
    expect(r.format).toBe('pagerduty-csv');
    expect(r.documents[0]).toMatchObject({ externalId: 'PD-77', title: 'PD-77: Disk full on db-3', resolvedAt: '2024-01-05T03:40:00.000Z' });
  });
});

describe('Linear and ServiceNow CSV', () => {
  it('reads a Linear export', async () => {
    const csv = 'ID,Team,Title,Description,Status,Priority,Labels,Created,Completed,Assignee,Creator\nENG-42,Platform,Cache stampede after deploy,Search timed out,Done,Urgent,"incident, cache",2024-04-01T10:00:00.000Z,2024-04-01T12:00:00.000Z,erin,frank\n';
    const r = await parseSource(write('linear.csv', csv));
    expect(r.format).toBe('linear-csv');
    expect(r.documents[0]).toMatchObject({ externalId: 'ENG-42', status: 'Done', resolvedAt: '2024-04-01T12:00:00.000Z' });
    expect(r.documents[0]!.metadata.labels).toEqual(['incident', 'cache']);
  });

  it('folds the real ServiceNow event log into one ticket per incident', async () => {
    const r = await parseSource(join(CORPUS, 'servicenow/servicenow-incident-event-log/incident_event_log.csv'));
    expect(r.format).toBe('servicenow-csv');
    expect(r.documents).toHaveLength(890);
    const d = r.documents.find((x) => x.externalId === 'INC0000045')!;
    expect(d.status).toBe('Closed');
    expect(d.occurredAt).toBe('2016-02-29T01:16:00.000Z');
    expect(d.body).toMatch(/State changes:[\s\S]*New[\s\S]*Resolved[\s\S]*Closed/);
  });

  it('reads any CSV through a column map, and says which columns exist when the map is wrong', async () => {
    const path = write('custom.csv', 'Ref,Headline,Details,Opened\nX-1,VPN down,Tunnel flapping,2024-06-01\n');
    const r = await parseSource(path, { csvMap: { title: 'Headline', body: 'Details', key: 'Ref', created: 'Opened' } });
    expect(r.documents[0]).toMatchObject({ externalId: 'X-1', title: 'X-1: VPN down', occurredAt: '2024-06-01T00:00:00.000Z' });
    await expect(parseSource(path, { csvMap: { title: 'Nope' } })).rejects.toThrow(/no column "Nope" \(columns: Ref, Headline, Details, Opened\)/);
    await expect(parseSource(path)).rejects.toThrow(/--map title=/);
  });
});

describe('tracker dates', () => {
  it.each([
    ['2015-12-02T07:39:15.000-0800', '2015-12-02T15:39:15.000Z'],
    ['Sat, 15 Jul 2023 20:07:23 +0000', '2023-07-15T20:07:23.000Z'],
    ['15/Jul/23 8:07 PM', '2023-07-15T20:07:00.000Z'],
    ['29-02-2016 01:16', '2016-02-29T01:16:00.000Z'],
    ['?', null],
    ['31-02-2016 01:16', null],
  ])('%s → %s', (input, out) => expect(parseTrackerDate(input)).toBe(out));
});
