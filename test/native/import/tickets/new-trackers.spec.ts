/**
 * Trackers added for issue 12: Opsgenie, GitLab, Zendesk, ServiceNow Table API JSON and JSON
 * Lines of any tracker. Real files written by the tools are in test/fixtures/<tracker>/ (see
 * each SOURCE.md); where no real sample exists, a case says it uses the vendor's documented shape.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refsFromUrl } from '../../../../native/entities/refs.js';
import { parseSource } from '../../../support/parse.js';
import { fixtureWriter, tempDir } from '../../../support/temp.js';

const dir = tempDir();
const write = fixtureWriter(dir);
const FIXTURES = new URL('../../../fixtures/', import.meta.url).pathname;
const fixture = (p: string) => join(FIXTURES, p);
const people = (d: { fields: Array<{ type: string; name: string }> }) => d.fields.filter((f) => f.type === 'person').map((f) => f.name);
const services = (d: { fields: Array<{ type: string; name: string }> }) => d.fields.filter((f) => f.type === 'service').map((f) => f.name);

describe('Opsgenie (REST API v2)', () => {
  it('reads a real alert list response', async () => {
    const r = await parseSource(fixture('opsgenie/get_alerts.json'));
    expect(r.format).toBe('opsgenie-json');
    expect(r.documents).toHaveLength(1);
    const d = r.documents[0]!;
    expect(d).toMatchObject({ uid: 'opsgenie:OG-163', externalId: 'OG-163', title: 'OG-163: 1234', status: 'open', severity: 'P3', occurredAt: '2021-11-24T12:14:40.926Z', resolvedAt: null });
    expect(d.metadata).toMatchObject({ type: 'alert', integration: 'API', tinyId: '163' });
    expect(d.refs).toContain('opsgenie:b7da6303-0da4-43e2-8e21-9e22faedc594-1637756080926');
    // owner "" and no responders: nobody.
    expect(people(d)).toEqual([]);
  });

  it('reads a real incident list response, whose web link addresses it', async () => {
    const r = await parseSource(fixture('opsgenie/get_incidents.json'));
    const d = r.documents[0]!;
    expect(d).toMatchObject({ externalId: 'OG-INC-86', status: 'open', url: 'https://demisto1.app.opsgenie.com/incident/detail/2a1c07ea-b9bd-4922-afcc-edf406b46904' });
    expect(d.metadata.type).toBe('incident');
    expect(d.refs).toContain('opsgenie:2a1c07ea-b9bd-4922-afcc-edf406b46904');
    // A Slack message that pastes the incident's link resolves to it.
    expect(refsFromUrl(d.url!)).toContain('opsgenie:2a1c07ea-b9bd-4922-afcc-edf406b46904');
  });

  it('is told by its content, whatever the file is called', async () => {
    const p = join(dir, 'download.dat');
    copyFileSync(fixture('opsgenie/get_incidents.json'), p);
    expect((await parseSource(p)).format).toBe('opsgenie-json');
  });

  it('reads a closed alert with its report (vendor-documented "get alert" shape)', async () => {
    // Shape of GET /v2/alerts/{id} as documented by Opsgenie: report times are ms after creation.
    const alert = {
      data: {
        id: '70413a06-38d6-4c85-92b8-5ebc900d42e2', tinyId: '1791', alias: 'event_573', message: 'Our servers are in danger', status: 'closed', acknowledged: true,
        tags: ['OverwriteQuietHours', 'Critical'], createdAt: '2017-05-24T10:59:27.402Z', source: 'Isengard', owner: 'morpheus@opsgenie.com', priority: 'P1',
        teams: [{ id: '8418d193-2dab-4490-b331-8c02cdd196b7' }], responders: [{ type: 'team', id: '8418d193-2dab-4490-b331-8c02cdd196b7' }],
        integration: { id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', name: 'Nebuchadnezzar', type: 'API' },
        report: { ackTime: 15702, closeTime: 60503, acknowledgedBy: 'agent_smith@opsgenie.com', closedBy: 'neo@opsgenie.com' },
        description: 'Every alert needs a description', details: { serverName: 'Zion', region: 'Oregon' },
      },
      took: 0.003, requestId: '8cd4a1f1-6ba5-46ca-b4a3-4b5b0cb2b0b1',
    };
    const d = (await parseSource(write('og-alert.json', JSON.stringify(alert)))).documents[0]!;
    expect(d).toMatchObject({ externalId: 'OG-1791', occurredAt: '2017-05-24T10:59:27.402Z', resolvedAt: '2017-05-24T11:00:27.905Z' });
    expect(d.metadata.incident).toMatchObject({ acknowledgedAt: '2017-05-24T10:59:43.104Z', acknowledgedBy: 'agent_smith@opsgenie.com', resolvedBy: 'neo@opsgenie.com', assignee: 'morpheus@opsgenie.com' });
    expect(d.metadata.labels).toEqual(['OverwriteQuietHours', 'Critical']);
    expect(d.body).toContain('- serverName: Zion');
    // Team ids are not service or team names.
    expect(d.fields.map((f) => f.name).join(' ')).not.toContain('8418d193');
  });
});

describe('GitLab issues and incidents', () => {
  it('reads a real REST v4 issue list (gitlab.com)', async () => {
    const r = await parseSource(fixture('gitlab/issues-api.json'));
    expect(r.format).toBe('gitlab-json');
    expect(r.documents.map((d) => d.uid)).toEqual(['gitlab:test9308/gitlabtest#1', 'gitlab:test9308/gitlabtest#4']);
    const d = r.documents[1]!;
    expect(d).toMatchObject({ title: 'test9308/gitlabtest#4: whatnu', status: 'opened', url: 'https://gitlab.com/test9308/gitlabtest/-/issues/4', occurredAt: '2022-09-29T14:22:56.326Z' });
    expect(d.metadata).toMatchObject({ labels: ['GitlabLabel5'], reporter: 'Test Account', type: 'issue' });
    // severity "UNKNOWN" is GitLab's placeholder, not a severity.
    expect(d.severity).toBeNull();
    expect(d.refs).toEqual(['gitlab:test9308/gitlabtest#4']);
    expect(refsFromUrl('https://gitlab.com/test9308/gitlabtest/-/issues/4')).toContain('gitlab:test9308/gitlabtest#4');
  });

  it("reads the real project export's tree/project/issues.ndjson, by content", async () => {
    const p = join(dir, 'issues-export');
    copyFileSync(fixture('gitlab/project-export-issues.ndjson'), p);
    const r = await parseSource(p);
    expect(r.format).toBe('gitlab-ndjson');
    expect(r.documents.map((d) => d.externalId)).toEqual(['project-5#9', 'project-5#8']);
    const [open, closed] = r.documents;
    expect(open!.body).toMatch(/## Comments\n\n\*\*User 4\*\* 2016-06-14 15:02\nQuo eius velit quia et id quam\./);
    expect(people(open!)).toEqual(expect.arrayContaining(['Ottis Schuster II', 'Administrator']));
    expect(closed!.status).toBe('closed');
    expect(closed!.metadata.labels).toEqual(['test2']);
    expect(r.reported).toEqual([]);
  });

  it('reads an incident with its assignees and close (vendor-documented REST shape)', async () => {
    const incident = [{
      id: 84, iid: 14, project_id: 4, title: 'Checkout API 5xx after deploy', description: 'Error rate 12% on /checkout.', state: 'closed',
      created_at: '2024-03-05T14:22:10.000Z', closed_at: '2024-03-05T15:02:00.000Z', closed_by: { id: 2, username: 'ana', name: 'Ana Ops' },
      labels: ['incident', 'checkout'], assignees: [{ id: 2, username: 'ana', name: 'Ana Ops' }, { id: 3, username: 'bo', name: 'Bo Dev' }],
      author: { id: 1, username: 'root', name: 'Administrator' }, issue_type: 'incident', type: 'INCIDENT', severity: 'HIGH',
      web_url: 'https://gitlab.example.com/shop/api/-/issues/incident/14', references: { full: 'shop/api#14' },
    }];
    const d = (await parseSource(write('gl-incident.json', JSON.stringify(incident)))).documents[0]!;
    expect(d).toMatchObject({ uid: 'gitlab:shop/api#14', severity: 'HIGH', resolvedAt: '2024-03-05T15:02:00.000Z' });
    expect(d.metadata).toMatchObject({ type: 'incident', incident: { resolvedBy: 'Ana Ops', assignee: 'Ana Ops', reporter: 'Administrator' } });
    expect(people(d)).toEqual(expect.arrayContaining(['Ana Ops', 'Bo Dev', 'Administrator']));
    expect(refsFromUrl(d.url!)).toContain('gitlab:shop/api#14');
  });
});

describe('Zendesk tickets', () => {
  it('reads real single-ticket API responses; numeric user ids are not people', async () => {
    const r = await parseSource(fixture('zendesk/ticket-10.json'));
    expect(r.format).toBe('zendesk-json');
    const d = r.documents[0]!;
    expect(d).toMatchObject({ uid: 'zendesk:ZD-10', title: 'ZD-10: one more', status: 'open', url: 'https://subdomain.zendesk.com/agent/tickets/10', occurredAt: '2022-08-08T08:14:25.000Z' });
    expect(d.metadata).toMatchObject({ priority: 'low', channel: 'web' });
    expect(people(d)).toEqual([]);
    expect(refsFromUrl(d.url!)).toContain('zendesk:10');
    const voicemail = (await parseSource(fixture('zendesk/ticket-20.json'))).documents[0]!;
    expect(voicemail).toMatchObject({ externalId: 'ZD-20', status: 'new' });
    expect(voicemail.metadata.channel).toBe('voice');
  });

  it('reads an incremental export with side-loaded users (vendor-documented shape)', async () => {
    const data = {
      tickets: [
        { id: 35436, url: 'https://acme.zendesk.com/api/v2/tickets/35436.json', subject: 'Checkout fails with error 502', description: 'Customers see 502 at checkout.', type: 'incident', priority: 'urgent', status: 'solved', requester_id: 20978392, assignee_id: 235323, problem_id: 35400, tags: ['checkout', 'outage'], created_at: '2024-03-05T14:22:10Z', via: { channel: 'email' }, metric_set: { solved_at: '2024-03-05T16:00:00Z' } },
        { id: 35437, url: 'https://acme.zendesk.com/api/v2/tickets/35437.json', subject: 'Password reset', status: 'open', requester_id: 20978392, assignee_id: null, created_at: '2024-03-06T09:00:00Z', via: { channel: 'web' } },
      ],
      users: [{ id: 20978392, name: 'Kim Customer' }, { id: 235323, name: 'Sam Agent' }],
      next_page: null, end_of_stream: true, end_time: 1709800000, count: 2,
    };
    const r = await parseSource(write('zd-incremental.json', JSON.stringify(data)));
    expect(r.documents).toHaveLength(2);
    const d = r.documents[0]!;
    expect(d.metadata).toMatchObject({ assignee: 'Sam Agent', reporter: 'Kim Customer', type: 'incident', labels: ['checkout', 'outage'] });
    expect(d.resolvedAt).toBe('2024-03-05T16:00:00.000Z');
    expect(d.links).toEqual([{ relation: 'is an incident of', target: 'zendesk:35400' }]);
  });
});

describe('ServiceNow Table API JSON', () => {
  it('reads a real sysparm_display_value=all response: display values for references, UTC values for dates', async () => {
    const r = await parseSource(fixture('servicenow/change-tasks-display-value-all.json'));
    expect(r.format).toBe('servicenow-json');
    const d = r.documents[0]!;
    // opened_at's display value is "06/02/2020 14:19:51" (day first, the user's zone); its value is UTC.
    expect(d).toMatchObject({ uid: 'servicenow:CTASK0010001', title: 'CTASK0010001: Back-Up Database', status: 'Open', occurredAt: '2020-02-06T22:19:51.000Z' });
    expect(d.metadata).toMatchObject({ assignee: 'Don Goodliffe', reporter: 'System Administrator', type: 'Change Task', sysId: 'a9f030cfc611227600f37bb8d031ab1b' });
    expect(services(d)).toEqual(['Oracle']);
    expect(d.links).toEqual([{ relation: 'relates to', target: 'servicenow:CHG0000001' }]);
    expect(d.fields.map((f) => f.name).join(' ')).not.toMatch(/[0-9a-f]{32}/);
  });

  it('reads raw-value records ({link, value} references, choice codes) without naming anyone after a sys_id', async () => {
    // The default Table API response (no display values), as documented by ServiceNow.
    const data = { result: [{ number: 'INC0000060', short_description: 'Unable to connect to email', state: '7', priority: '3', impact: '2', opened_at: '2016-12-12 15:19:57', resolved_at: '2016-12-13 21:43:14', closed_at: '2016-12-14 02:46:44', close_code: 'Solved (Permanently)', close_notes: 'This incident is resolved.', sys_id: '1c741bd70b2322007518478d83673af3', caller_id: { link: 'https://dev128746.service-now.com/api/now/table/sys_user/681ccaf9c0a8016400b98a06818d57c7', value: '681ccaf9c0a8016400b98a06818d57c7' }, assigned_to: { link: 'https://dev128746.service-now.com/api/now/table/sys_user/5137153cc611227c000bbd1bd8cd2007', value: '5137153cc611227c000bbd1bd8cd2007' }, sys_mod_count: '15' }] };
    const d = (await parseSource(write('sn-raw.json', JSON.stringify(data)))).documents[0]!;
    expect(d).toMatchObject({ status: 'Closed', resolvedAt: '2016-12-13T21:43:14.000Z' });
    expect(d.metadata).toMatchObject({ priority: '3 - Moderate', assignee: null, reporter: null, incident: { closeCode: 'Solved (Permanently)', closeNotes: 'This incident is resolved.' } });
    expect(people(d)).toEqual([]);
    expect(d.url).toBe('https://dev128746.service-now.com/nav_to.do?uri=incident.do?sysparm_query=number=INC0000060');
    expect(refsFromUrl(d.url!)).toContain('servicenow:INC0000060');
  });
});

describe('JSON Lines of any tracker', () => {
  it('reads one issue per line; a broken line is a record error and the rest imports', async () => {
    const issue = (key: string) => JSON.stringify({ key, fields: { summary: `Issue ${key}`, created: '2024-05-01T10:00:00.000+0000' } });
    const path = write('jira.jsonl', [issue('OPS-1'), '{"key": "OPS-2", "fields": {', issue('OPS-3'), ''].join('\n'));
    const r = await parseSource(path);
    expect(r.format).toBe('jira-ndjson');
    expect(r.documents.map((d) => d.externalId)).toEqual(['OPS-1', 'OPS-3']);
    expect(r.reported).toHaveLength(1);
    expect(r.reported[0]).toMatchObject({ code: 'refused-input', reason: 'bad-record', record: '2' });
    expect(r.reported[0]!.message).toMatch(/jira\.jsonl record 2: line 2 is not valid JSON/);
  });

  it('reads Opsgenie list responses one per line too', async () => {
    const line = JSON.stringify(JSON.parse(readFileSync(fixture('opsgenie/get_alerts.json'), 'utf8')));
    const r = await parseSource(write('og.ndjson', `${line}\n${JSON.stringify(JSON.parse(readFileSync(fixture('opsgenie/get_incidents.json'), 'utf8')))}\n`));
    expect(r.documents.map((d) => d.externalId)).toEqual(['OG-163', 'OG-INC-86']);
  });

  it('is still broken JSON when its lines are not whole objects', async () => {
    await expect(parseSource(write('broken.json', '{"issues": [\n{"key": "A-1"'))).rejects.toThrow(/broken\.json is not valid JSON/);
  });
});
