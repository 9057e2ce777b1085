import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMrkdwn } from '../../../../native/import/slack/mrkdwn.js';
import { channelMatcher } from '../../../../native/import/slack/slack-export.js';
import { CORPUS } from '../../../support/generated-models.js';
import { parseSource } from '../../../support/parse.js';
import { tempDir } from '../../../support/temp.js';

const SLACK = join(CORPUS, 'slack');
const dir = tempDir();

describe('Slack mrkdwn', () => {
  const names = { user: (id: string) => ({ U1: 'alice', U2: 'bob' })[id] ?? id, channel: (id: string) => ({ C1: 'ops' })[id] ?? id };
  it('renders mentions, channels, links, special mentions and entities', () => {
    expect(renderMrkdwn('<@U1> and <@U9|carol> see <#C1> and <#C7|incidents>', names)).toBe('@alice and @carol see #ops and #incidents');
    expect(renderMrkdwn('<!here> <!channel> <!subteam^S1|@oncall> <!date^1392734382^{date}|Feb 18>', names)).toBe('@here @channel @oncall Feb 18');
    expect(renderMrkdwn('<https://status.example.com|status page> <https://x.io> <mailto:a@b.c|a@b.c>', names)).toBe('[status page](https://status.example.com) https://x.io a@b.c');
    expect(renderMrkdwn('p99 &gt; 2s &amp;&amp; errors &lt; 1%', names)).toBe('p99 > 2s && errors < 1%');
  });
});

describe('channel selection', () => {
  it('takes names and globs, case-insensitively, with or without #', () => {
    const m = channelMatcher(['incident-*,#ops']);
    expect(['incident-42', 'INCIDENT-db', 'ops'].every(m)).toBe(true);
    expect(m('ops-chatter')).toBe(false);
    expect(channelMatcher(undefined)('anything')).toBe(true);
  });
});

describe('real Slack exports', () => {
  it('lists what the unzipped export holds besides messages (its README and hidden .LICENSE) as skipped, with reasons', async () => {
    const skipped: Array<[string, string]> = [];
    const root = join(SLACK, 'houstondatavis-2016');
    const r = await parseSource(root, { skip: (source, reason) => skipped.push([source, reason]) });
    expect(r.documents.length).toBeGreaterThan(300);
    expect(skipped).toEqual([
      [join(root, '.LICENSE'), 'a hidden file'],
      [join(root, 'README.md'), 'a readme or licence file, not an incident record'],
    ]);
  });

  it('reads the unzipped houstondatavis export: conversations with people, channel and times, noise dropped', async () => {
    const r = await parseSource(join(SLACK, 'houstondatavis-2016'));
    expect(r.format).toBe('slack');
    expect(r.reported).toEqual([]);
    expect(r.documents.length).toBeGreaterThan(300);
    const channels = new Set(r.documents.map((d) => d.metadata.channel));
    expect(channels).toContain('general');
    // 16 channels; #meetup holds only a join and an archive notice, which are noise.
    expect(channels.size).toBe(15);
    expect(channels).not.toContain('meetup');
    for (const d of r.documents) {
      expect(d.kind).toBe('slack-thread');
      expect(d.title.startsWith(`#${d.metadata.channel}: `)).toBe(true);
      expect(d.body).not.toMatch(/has joined the channel/);
      expect(d.body).not.toMatch(/<@U[A-Z0-9]+>/);
      expect(d.occurredAt! <= (d.metadata.endedAt as string)).toBe(true);
    }
    // Mentions become names from users.json.
    expect(r.documents.some((d) => /@micahstubbs/.test(d.body))).toBe(true);
    expect(r.documents.every((d) => d.refs.every((x) => /^slack:C[A-Z0-9]+:\d+\.\d+$/.test(x)))).toBe(true);
  });

  it('reads the same export shape from a ZIP, with its channel list', async () => {
    const r = await parseSource(join(SLACK, 'slack-export-viewer-testarchive.zip'));
    expect(r.format).toBe('slack');
    expect((r.channels as Array<{ name: string }>).map((c) => c.name).sort()).toEqual(['enrique', 'traveling-sailor']);
    expect(r.documents.length).toBeGreaterThan(5);
    expect(r.documents[0]!.source).toMatch(/testarchive\.zip!/);
  });

  it('groups a modern thread (thread_ts, replies across days) into one conversation', async () => {
    const r = await parseSource(join(SLACK, 'zulip-fixtures'));
    const threads = r.documents.filter((d) => d.metadata.thread);
    expect(threads.length).toBe(2);
    const first = threads.find((d) => d.externalId === '1434139102.000002')!;
    expect(first.metadata.messageCount).toBe(2);
    expect(first.body).toContain('message body text');
    expect(first.body).toContain('random');
    // The rich-text message keeps its file names.
    expect(r.documents.some((d) => /\[file: .*\]/.test(d.body))).toBe(true);
  });
});

describe('conversations', () => {
  const ts = (min: number) => `${1_700_000_000 + min * 60}.000100`;
  const root = join(dir, 'export');
  mkdirSync(join(root, 'incident-db'), { recursive: true });
  mkdirSync(join(root, 'random'), { recursive: true });
  writeFileSync(join(root, 'users.json'), JSON.stringify([{ id: 'U1', name: 'alice', team_id: 'T9' }, { id: 'U2', name: 'bob', profile: { display_name: 'Bob B' } }]));
  writeFileSync(join(root, 'channels.json'), JSON.stringify([{ id: 'C1', name: 'incident-db' }, { id: 'C2', name: 'random' }]));
  writeFileSync(join(root, 'incident-db', '2023-11-14.json'), JSON.stringify([
    { type: 'message', user: 'U1', text: 'Primary DB is at 100% CPU, <@U2> can you look?', ts: ts(0), thread_ts: ts(0), reply_count: 2 },
    { type: 'message', subtype: 'channel_join', user: 'U2', text: '<@U2> has joined the channel', ts: ts(1) },
    { type: 'message', subtype: 'bot_message', bot_id: 'B1', username: 'Alertmanager', text: '', ts: ts(2), attachments: [{ title: '[FIRING] PostgresHighCPU', text: 'instance db-1.internal cpu > 95%', fields: [{ title: 'severity', value: 'critical' }] }] },
    { type: 'message', user: 'U2', text: 'A runaway analytics query. Killed it.', ts: ts(3), thread_ts: ts(0), edited: { ts: ts(4) } },
    { type: 'message', user: 'U1', text: 'later chatter', ts: ts(200) },
  ]));
  writeFileSync(join(root, 'incident-db', '2023-11-15.json'), JSON.stringify([
    { type: 'message', user: 'U1', text: 'Added a statement_timeout, closing.', ts: ts(60 * 24), thread_ts: ts(0) },
  ]));
  writeFileSync(join(root, 'random', '2023-11-14.json'), '[{"ts": "1700000000.1", "text": "lunch?", "user": "U1"}, ');

  it('builds threads across day files, bursts from loose messages, and keeps bot alerts', async () => {
    const r = await parseSource(root, { channels: ['incident-*'] });
    expect(r.reported).toEqual([]);
    const [thread, alert, later] = r.documents;
    expect(r.documents).toHaveLength(3);
    expect(thread!.metadata).toMatchObject({ channel: 'incident-db', thread: true, messageCount: 3 });
    expect(thread!.title).toBe('#incident-db: Primary DB is at 100% CPU, @Bob B can you look?');
    expect(thread!.body).toContain('**Bob B** 22:16 (edited)');
    expect(thread!.body).toContain('Added a statement_timeout');
    expect(thread!.uid).toBe(`slack:T9:C1:${ts(0)}`);
    expect(thread!.fields.map((f) => f.name).sort()).toEqual(['Bob B', 'alice']);
    expect((thread!.metadata.participants as Array<{ name: string; messages: number }>).find((p) => p.name === 'alice')?.messages).toBe(2);
    expect(alert!.body).toContain('**Alertmanager** [bot]');
    expect(alert!.body).toContain('[FIRING] PostgresHighCPU');
    expect(alert!.body).toContain('severity: critical');
    expect(later!.body).toContain('later chatter');
  });

  it('reports a broken day file and imports the rest', async () => {
    const r = await parseSource(root);
    expect(r.reported).toHaveLength(1);
    expect(r.reported[0]!.source).toBe(join(root, 'random', '2023-11-14.json'));
    expect(r.reported[0]!.message).toMatch(/not valid JSON/);
    expect(r.documents.length).toBe(3);
  });
});
