import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { parseSource } from '../../support/parse.js';
import { readSource } from '../../../native/import/read-source.js';
import { buildZip } from '../../support/zip-writer.js';
import { fixtureWriter, tempDir } from '../../support/temp.js';

const FIX = join(import.meta.dirname, '../../fixtures');
const dir = tempDir();
const write = fixtureWriter(dir);
const fixture = (p: string) => readFileSync(join(FIX, p));

describe('Confluence storage format (vendor-documented shape: test/fixtures/confluence/SOURCE.md)', () => {
  it('keeps code verbatim in fences, panel titles, status and Jira keys; parameters never leak', async () => {
    const { format, documents: [doc] } = await parseSource(join(FIX, 'confluence/storage-format-postmortem.xml'));
    expect(format).toBe('confluence-storage');
    const body = doc!.body;
    expect(body).toContain('```java\njava.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.\n\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)');
    expect(body).toContain('```bash\nkubectl -n orders rollout undo deployment/orders-api');
    expect(body).toMatch(/^> \*\*Customer impact\*\*$/m);
    expect(body).toMatch(/^> About 3,100 orders failed/m);
    expect(body).toContain('[RESOLVED]');
    expect(body).toContain('OPS-1423');
    expect(body).toMatch(/^\*\*Commands run\*\*$/m);
    expect(body).toMatch(/^## Root cause$/m);
    expect(body).toMatch(/^\| 10:02 \| Deploy of orders-api 7\.3 \|$/m);
    expect(body).toMatch(/^- \[x\] Size the pool from the instance count/m);
    // Macro parameters (language, linenumbers, colour, serverId, anchor names) are settings, not words.
    for (const leak of ['falsefalse', 'linenumbers', 'Green', 'System JIRA', '13f7b4d2', 'maxLevel', 'summarySummary']) expect(body).not.toContain(leak);
  });

  it('reads REST API pages (body.storage.value) with title, URL, people and a stable uid', async () => {
    const storage = fixture('confluence/storage-format-postmortem.xml').toString('utf8');
    const page = (id: string, title: string) => ({ id, type: 'page', status: 'current', title, space: { key: 'OPS' }, history: { createdDate: '2024-03-15T09:00:00.000Z', createdBy: { displayName: 'Ana Lima' } }, version: { number: 3, by: { displayName: 'Ben Ode' } }, body: { storage: { value: storage, representation: 'storage' } }, _links: { webui: `/spaces/OPS/pages/${id}` } });
    const json = { results: [page('98305', 'Postmortem: checkout 500s'), { id: '1', title: 'no body' }], _links: { base: 'https://acme.atlassian.net/wiki' } };
    const { format, documents, reported } = await parseSource(write('confluence-search.json', JSON.stringify(json)));
    expect(format).toBe('confluence-json');
    expect(documents).toHaveLength(1);
    const [doc] = documents;
    expect(doc!.title).toBe('Postmortem: checkout 500s');
    expect(doc!.uid).toBe('confluence:98305');
    expect(doc!.url).toBe('https://acme.atlassian.net/wiki/spaces/OPS/pages/98305');
    expect(doc!.fields.filter((f) => f.type === 'person').map((f) => f.name)).toEqual(['Ana Lima', 'Ben Ode']);
    expect(doc!.occurredAt?.slice(0, 10)).toBe('2024-03-14');
    expect(doc!.body).toContain('HikariPool-1');
    expect(reported).toHaveLength(1);
  });
});

describe('Confluence storage format written by Confluence (Atlassian\'s editor test data: test/fixtures/confluence/SOURCE.md)', () => {
  it('reads code, Jira, panel, status and expand macros; parameters and Atlassian\'s fab: placeholders are never text', async () => {
    const { format, documents: [doc] } = await parseSource(join(FIX, 'confluence/atlaskit-cxhtml-test-data.xml'));
    expect(format).toBe('confluence-storage');
    const body = doc!.body;
    expect(body).toContain("```js\nif (true) {\n  console.log('Hello World');\n}\n```");
    expect(body).toMatch(/^ED-1068$/m);
    expect(body).toContain('> **Hello**\n> \n> Warning panel');
    expect(body).toMatch(/^\[FAIL\]$/m);
    expect(body).toContain('Foo [OK]');
    expect(body).toMatch(/^##### Heading$/m);
    // Macro parameters, server ids, the JQL of an issue list and placeholder URLs stay out.
    expect(body).not.toMatch(/product-fabric|70d83bc8|jira-dev|placeholder|codeblock|maximumIssues|INLINE|BLOCK|Red|Green|true(?!\))/);
  });
});

describe('Confluence HTML export (real page: DiamondLightSource/Savu)', () => {
  it('turns code panels into fenced code with their title, drops the TOC, keeps tables and the author', async () => {
    const { format, documents: [doc] } = await parseSource(join(FIX, 'confluence/html-export/TomopyRecon.html'));
    expect(format).toBe('confluence-html');
    expect(doc!.title).toBe('TomopyRecon');
    expect(doc!.body).toMatch(/^\*\*Savu Configurator command\*\*$/m);
    expect(doc!.body).toContain('```java\n>>> disp -avv');
    expect(doc!.body).toMatch(/^## Summary$/m);
    expect(doc!.body).toMatch(/^### Additional notes$/m);
    expect(doc!.body).toMatch(/^\| reconstructor \| To reconstruct normalised and conditioned data\. \|/m);
    expect(doc!.body).not.toContain('<table');
    expect(doc!.body).not.toMatch(/Document generated by Confluence|rbtoc|\[Summary\]\(#/);
    expect(doc!.fields).toContainEqual({ type: 'person', name: 'Kaz Wanelik' });
  });

  it('reads a space export ZIP as one document per page, skipping the index, attachments and styles', async () => {
    const page = fixture('confluence/html-export/TomopyRecon.html');
    const zip = buildZip([
      { name: 'TOMO/index.html', data: '<html><head><title>Tomography Reconstruction</title></head><body><ul><li><a href="TomopyRecon_76392302.html">TomopyRecon</a></li></ul></body></html>' },
      { name: 'TOMO/TomopyRecon_76392302.html', data: page },
      { name: 'TOMO/Second-page_76392303.html', data: page.toString('utf8').replace(/TomopyRecon/g, 'AstraRecon') },
      { name: 'TOMO/styles/site.css', data: 'body{}' },
      { name: 'TOMO/attachments/76392302/1.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
      { name: 'TOMO/.DS_Store', data: 'x' },
      { name: 'TOMO/LICENSE.txt', data: 'MIT' },
      { name: 'TOMO/pages.json', data: '{}' },
    ]);
    const path = write('space-export.zip', zip);
    const skipped: string[] = [];
    const source = await readSource({ path, root: path }, { report: () => {}, skip: (_s, reason) => skipped.push(reason) });
    const docs = [];
    for await (const d of source.documents) docs.push(d);
    source.close();
    expect(source.format).toBe('confluence');
    expect(docs.map((d) => d.title).sort()).toEqual(['AstraRecon', 'TomopyRecon']);
    expect(new Set(docs.map((d) => d.uid)).size).toBe(2);
    expect(docs[0]!.source).toMatch(/space-export\.zip!TOMO\//);
    expect(skipped.join('\n')).toMatch(/space index/);
    expect(skipped.join('\n')).toMatch(/attachment or image/);
    expect(skipped.join('\n')).toMatch(/hidden file/);
    expect(skipped.join('\n')).toMatch(/licence or readme/);
    expect(skipped.join('\n')).toMatch(/JSON that is not a page/);
  });
});

describe('Google Docs HTML export (real files: Mr0grog/google-docs-to-markdown)', () => {
  it('keeps headings and rebuilds nested lists from the list classes', async () => {
    const { format, documents: [doc] } = await parseSource(join(FIX, 'google-docs/headings-and-paragraphs.export.html'));
    expect(format).toBe('google-docs');
    expect(doc!.body).toMatch(/^# Heading 1$/m);
    expect(doc!.body).toMatch(/^### Heading 3$/m);
    const lists = (await parseSource(join(FIX, 'google-docs/lists.export.html'))).documents[0]!.body;
    expect(lists).toMatch(/^- This is$/m);
    expect(lists).toMatch(/^ {2}- With$/m);
    expect(lists).toMatch(/^ {4}- Sub-subitems$/m);
    expect(lists).toMatch(/^ {2}1\. With$/m);
  });

  it('reads the HTML download ZIP (page + images)', async () => {
    const path = write('Postmortem.zip', buildZip([{ name: 'Postmortem.html', data: fixture('google-docs/headings-and-paragraphs.export.html') }, { name: 'images/image1.png', data: Buffer.from([1, 2, 3]) }]));
    const { format, documents } = await parseSource(path);
    expect(format).toBe('google-docs');
    expect(documents).toHaveLength(1);
    expect(documents[0]!.body).toMatch(/^## Heading 2$/m);
  });
});

describe('Notion "Markdown & CSV" export ZIP (vendor-documented shape, no real sample: see SOURCE.md)', () => {
  it('yields one document per page and database, titles without the Notion id', async () => {
    const id = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const zip = buildZip([
      { name: `Incidents ${id}.md`, data: '# Incidents\n\nAll postmortems live here.\n' },
      { name: `Incidents ${id}/DNS outage ${id.replace(/a/g, 'b')}.md`, data: '# DNS outage\n\nStatus: Resolved\nOwner: Ana Lima\nDate: March 11, 2025\n\n## Root cause\n\nCoreDNS pods were OOM-killed.\n' },
      { name: `Incidents ${id}/Incident log ${id.replace(/a/g, 'c')}.csv`, data: 'Name,Status,Owner\nDNS outage,Resolved,Ana Lima\n' },
      { name: `Incidents ${id}/Incident log ${id.replace(/a/g, 'c')}_all.csv`, data: 'Name,Status,Owner\nDNS outage,Resolved,Ana Lima\nDisk full,Open,Ben Ode\n' },
      { name: `Incidents ${id}/image.png`, data: Buffer.from([1]) },
    ]);
    const { format, documents } = await parseSource(write('notion-export.zip', zip));
    expect(format).toBe('notion');
    expect(documents.map((d) => d.title).sort()).toEqual(['DNS outage', 'Incident log', 'Incidents']);
    const dns = documents.find((d) => d.title === 'DNS outage')!;
    expect(dns.status).toBe('Resolved');
    expect(dns.occurredAt?.slice(0, 10)).toBe('2025-03-11');
    expect(dns.body).toMatch(/^## Root cause$/m);
    expect(documents.find((d) => d.title === 'Incident log')!.body).toMatch(/^\| Disk full \| Open \| Ben Ode \|$/m);
  });
});

describe('Notion\'s export download: the export ZIP wrapped in another (shape from obsidianmd/obsidian-importer\'s test of a real download, see SOURCE.md)', () => {
  const id = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const part = (n: number, pages: Array<{ name: string; data: string }>) => ({ name: `Export-d2b14fbf-86de-4508-a1b2-6515ff8d7aab-Part-${n}.zip`, data: buildZip(pages) });

  it('reads every part inside the download as the export, macOS metadata aside', async () => {
    const download = buildZip([
      { name: '__MACOSX/._Export', data: 'noise' },
      part(1, [{ name: `DNS outage ${id}.md`, data: '# DNS outage\n\nStatus: Resolved\n\n## Root cause\n\nCoreDNS pods were OOM-killed.\n' }]),
      part(2, [{ name: `Disk full ${id.replace(/a/g, 'b')}.md`, data: '# Disk full\n\n## Summary\n\nThe WAL volume filled up.\n' }]),
    ]);
    const path = write('Export-d2b14fbf-86de-4508-a1b2-6515ff8d7aab.zip', download);
    const { format, documents, reported } = await parseSource(path);
    expect(format).toBe('notion');
    expect(reported).toEqual([]);
    expect(documents.map((d) => d.title)).toEqual(['DNS outage', 'Disk full']);
    expect(documents[0]!.status).toBe('Resolved');
    expect(documents[0]!.source).toBe(`${path}!Export-d2b14fbf-86de-4508-a1b2-6515ff8d7aab-Part-1.zip!DNS outage ${id}.md`);
  });

  it('reports a part that holds no Notion pages and reads the others', async () => {
    const download = buildZip([
      part(1, [{ name: 'notes.txt', data: 'not a page' }]),
      part(2, [{ name: `Disk full ${id}.md`, data: '# Disk full\n\nThe WAL volume filled up.\n' }]),
    ]);
    const { documents, reported } = await parseSource(write('Export-wrapped.zip', download));
    expect(documents.map((d) => d.title)).toEqual(['Disk full']);
    expect(reported).toEqual([expect.objectContaining({ code: 'unsupported', message: expect.stringMatching(/Part-1\.zip is named as a part of a Notion export but holds no Notion pages/) })]);
  });
});

describe('Mattermost bulk export (real file: zulip/zulip fixtures)', () => {
  it('yields threads and bursts per channel with display names, participants and DMs', async () => {
    const { format, documents } = await parseSource(join(FIX, 'mattermost/export.jsonl'));
    expect(format).toBe('mattermost');
    const thread = documents.find((d) => d.metadata.thread)!;
    expect(thread.kind).toBe('slack-thread');
    expect(thread.body).toContain('**Ron Weasley**');
    expect(thread.body).toContain('The weather is so hot!');
    expect(thread.metadata.channel).toBe('Dumbledores army');
    const quidditch = documents.filter((d) => d.metadata.channel === 'Gryffindor quidditch team');
    // 23 minutes of messages with no 30-minute silence: one conversation, in time order.
    expect(quidditch).toHaveLength(1);
    expect(quidditch[0]!.body.indexOf('Hello world')).toBeLessThan(quidditch[0]!.body.indexOf('@ron Welcome mate!'));
    const all = documents.flatMap((d) => d.metadata.participants as Array<{ name: string; messages: number; chars: number; resolvingChars: number; bot: boolean }>);
    expect(all[0]).toMatchObject({ bot: false });
    expect(typeof all[0]!.resolvingChars).toBe('number');
    const dm = (await parseSource(join(FIX, 'mattermost/direct-channel-export.jsonl'))).documents.find((d) => String(d.metadata.channel).includes('ginny'))!;
    expect(dm.body).toContain('Who is going to Hogsmeade this weekend?');
    expect(dm.fields.map((f) => f.name).sort()).toEqual(['ginny', 'harry', 'ron']);
  });
});

describe('Microsoft Teams export (real files: zulip/zulip fixtures)', () => {
  const team = join(FIX, 'teams/TeamsData_ZulipChat/teams/7c050abd-3cbb-448b-a9de-405f54cc14b2/messages_7c050abd-3cbb-448b-a9de-405f54cc14b2.json');
  it('reads a channel messages file as threads named by the files beside it, without system events', async () => {
    const { format, documents } = await parseSource(team);
    expect(format).toBe('teams');
    expect(documents).toHaveLength(1);
    const [doc] = documents;
    expect(doc!.metadata.channel).toBe('Core team/General');
    expect(doc!.metadata.thread).toBe(true);
    expect(doc!.metadata.messageCount).toBe(4);
    expect(doc!.body).toMatch(/\*\*Pieter K\*\* 10:28\n\*\*private channel message\*\*\n> I question the need for interrupts/);
    expect(doc!.body).toContain('```\nprint("hi")\n```');
    expect(doc!.fields.map((f) => f.name).sort()).toEqual(['Alya Abbott', 'Pieter K', 'Will Begon']);
    expect(doc!.body).not.toContain('systemEventMessage');
  });

  it('says, importing the real TeamsData folder, that its lists name what its messages files hold (not "unknown JSON")', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'teams.db'), models: NO_MODEL });
    try {
      const s = await api.import({ paths: [join(FIX, 'teams/TeamsData_ZulipChat')] });
      expect(s.byFormat).toEqual({ teams: 2 });
      expect(s.skipped.map((x) => basename(x.source)).sort()).toEqual(['channels_7c050abd-3cbb-448b-a9de-405f54cc14b2.json', 'teamsList.json', 'usersList.json']);
      for (const x of s.skipped) expect(x.reason).toBe('part of a Teams export: it names the teams, channels or people of the messages files beside it, which are what is imported.');
    } finally {
      await api.close();
    }
  });

  it('reads the whole export as a ZIP, chats included', async () => {
    const root = join(FIX, 'teams/TeamsData_ZulipChat');
    const files = ['teams/teamsList.json', 'teams/7c050abd-3cbb-448b-a9de-405f54cc14b2/channels_7c050abd-3cbb-448b-a9de-405f54cc14b2.json', 'teams/7c050abd-3cbb-448b-a9de-405f54cc14b2/messages_7c050abd-3cbb-448b-a9de-405f54cc14b2.json', 'users/usersList.json', 'users/5dbe468a-1e96-4aaa-856d-cdf825081e11/messages_5dbe468a-1e96-4aaa-856d-cdf825081e11.json'];
    const zip = buildZip(files.map((f) => ({ name: `TeamsDataExport/${f}`, data: readFileSync(join(root, f)) })));
    const { format, documents } = await parseSource(write('teams-export.zip', zip));
    expect(format).toBe('teams');
    expect(documents.map((d) => d.metadata.channel).sort()).toEqual(['Core team/General', 'chat 9738fef4']);
    expect(documents.find((d) => d.metadata.channel === 'chat 9738fef4')!.body).toContain('DM from deactivated user');
  });
});

describe('Slack Web API pages and slackdump dumps (vendor-documented shapes)', () => {
  it('reads a conversations.history page and a slackdump dump with nested thread replies', async () => {
    const page = { ok: true, messages: [{ type: 'message', user: 'U1', text: 'checkout is returning 500s', ts: '1710410520.000100', thread_ts: '1710410520.000100', reply_count: 1, user_profile: { display_name: 'ana' } }, { type: 'message', user: 'U2', text: 'rolled back orders-api', ts: '1710411000.000200', thread_ts: '1710410520.000100', user_profile: { display_name: 'ben' } }], has_more: false, pin_count: 0, response_metadata: { next_cursor: '' } };
    const history = await parseSource(write('history-page-1.json', JSON.stringify(page)));
    expect(history.format).toBe('slack');
    expect(history.documents).toHaveLength(1);
    expect(history.documents[0]!.body).toContain('rolled back orders-api');
    const dump = { channel_id: 'C0INC01', name: 'incident-checkout', messages: [{ type: 'message', user: 'U1', text: 'db pool exhausted', ts: '1710410520.000100', thread_ts: '1710410520.000100', reply_count: 1, slackdump_thread_replies: [{ type: 'message', user: 'U2', text: 'raised DB_POOL_MAX to 40', ts: '1710410600.000100', thread_ts: '1710410520.000100' }] }] };
    const d = await parseSource(write('C0INC01.json', JSON.stringify(dump)));
    expect(d.documents).toHaveLength(1);
    expect(d.documents[0]!.metadata.channel).toBe('incident-checkout');
    expect(d.documents[0]!.body).toContain('raised DB_POOL_MAX to 40');
  });

  it('does not take another tool\'s JSON with "ok" and "messages" for a Slack page: its messages must be Slack\'s', async () => {
    // A chat-ops bot's log, say: an envelope like Slack's, messages that are not.
    const other = { ok: true, channel_id: 'ops', messages: [{ id: 1, subject: 'Disk full on db-3', body: 'Cleared old WAL segments.', sent: '2024-03-14T10:02:00Z' }] };
    await expect(parseSource(write('bot-log.json', JSON.stringify(other)))).rejects.toThrow(/not a known export/);
  });
});

describe('Slack Web API page and slackdump dump written by the real tools (test/fixtures/slack/SOURCE.md)', () => {
  it('reads a slackdump dump: threads from nested replies, the dump\'s channel id and workspace, joins dropped', async () => {
    const { format, documents, reported } = await parseSource(join(FIX, 'slack/slackdump-C2R198BRC.json'));
    expect(format).toBe('slack');
    expect(reported).toEqual([]);
    // 1 thread (parent + 4 nested replies) and 3 channel conversations; the channel_join is noise.
    expect(documents.map((d) => [d.uid, d.metadata.messageCount, d.metadata.thread])).toEqual([
      ['slack:T0A7W9V7C:C2R198BRC:1674550520.250679', 5, true],
      ['slack:T0A7W9V7C:C2R198BRC:1674915196.516669', 1, false],
      ['slack:T0A7W9V7C:C2R198BRC:1674919037.155259', 1, false],
      ['slack:T0A7W9V7C:C2R198BRC:1674977789.589839', 2, false],
    ]);
    const thread = documents[0]!;
    expect(thread.metadata.channel).toBe('socrates_ch');
    expect(thread.metadata.channelId).toBe('C2R198BRC');
    expect(thread.occurredAt).toBe('2023-01-24T08:55:20.250Z');
    expect(thread.metadata.endedAt).toBe('2023-01-24T11:23:15.918Z');
    // A dump has no user list: people are their Slack ids, in order of first message.
    expect(thread.fields).toEqual([{ type: 'person', name: 'U0CRVP6SE' }, { type: 'person', name: 'U0AFZD0GL' }, { type: 'person', name: 'U98T2PCRY' }]);
    expect(thread.refs).toContain('slack:C2R198BRC:1674559395.918619');
    expect(thread.body).toContain('**U0AFZD0GL** 09:00 (edited)\nNot sure about the gym.');
    expect(thread.body).toContain('@U0AFZD0GL do you know if there is a gym');
    expect(documents.map((d) => d.body).join('\n')).not.toContain('has joined the channel');
    // The link preview (attachment) is kept under its message.
    expect(documents[2]!.body).toContain('> **SoCraTes Conference Switzerland 2023**');
  });

  it('reads a conversations.replies page: one thread, the bot by its profile name and not a person', async () => {
    const { format, documents } = await parseSource(join(FIX, 'slack/web-api-conversations-replies.json'));
    expect(format).toBe('slack');
    expect(documents).toHaveLength(1);
    const [doc] = documents;
    expect(doc!.uid).toBe('slack:T050K4RHNM6:web-api-conversations-replies:1680410948.295059');
    expect(doc!.metadata.messageCount).toBe(5);
    expect(doc!.occurredAt).toBe('2023-04-02T04:49:08.295Z');
    expect(doc!.body).toContain('**똑똑한 막내** [bot] 04:49');
    expect(doc!.body).toContain('**U050K5BFEGG** 05:03\n테스트 메시지2');
    expect(doc!.fields).toEqual([{ type: 'person', name: 'U050K5BFEGG' }]);
  });
});
