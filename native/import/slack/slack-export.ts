import { basename } from 'node:path';
import { HindsightError, toContractError } from '../../common/errors.js';
import type { ImportFileError, SlackChannelInfo } from '../../contract.js';
import { ref } from '../../entities/refs.js';
import type { FileTree } from '../file-tree.js';
import { skipReason } from '../walk.js';
import { parseJsonBytes } from '../json.js';
import type { ParsedDocument } from '../parsed-document.js';
import { renderBlocks, renderMrkdwn, type SlackNames } from './mrkdwn.js';

/** Metadata files of an export; every other JSON file holds messages. */
/** A Slack export's messages are JSON: anything else in it is skipped. */
const JSON_ONLY: ReadonlySet<string> = new Set(['.json']);
const META_FILES = new Set(['channels.json', 'users.json', 'groups.json', 'dms.json', 'mpims.json', 'integration_logs.json', 'canvases.json', 'huddle_transcripts.json', 'org_users.json', 'file_conversations.json']);
const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.json$/;

/** Subtypes that say nothing about an incident: joins, leaves, topic changes, pins... */
const NOISE_SUBTYPES = new Set([
  'channel_join', 'channel_leave', 'group_join', 'group_leave', 'channel_topic', 'channel_purpose', 'channel_name',
  'group_topic', 'group_purpose', 'group_name', 'channel_archive', 'channel_unarchive', 'group_archive', 'group_unarchive',
  'pinned_item', 'unpinned_item', 'bot_add', 'bot_remove', 'app_conversation_join', 'reminder_add', 'sh_room_created',
  'tombstone', 'joiner_notification', 'channel_convert_to_private', 'channel_posting_permissions',
]);

/** Messages further apart than this start a new conversation (outside threads). */
const BURST_GAP_SECONDS = 30 * 60;
/** Longest conversation cut from channel messages. */
const BURST_MAX_MESSAGES = 60;

export interface SlackMessage {
  ts: string;
  user?: string;
  username?: string;
  bot_id?: string;
  bot_profile?: { name?: string };
  user_profile?: { display_name?: string; real_name?: string };
  subtype?: string;
  text?: string;
  thread_ts?: string;
  reply_count?: number;
  edited?: { ts?: string };
  files?: Array<{ name?: string; title?: string }>;
  attachments?: Array<{ title?: string; text?: string; pretext?: string; fallback?: string; fields?: Array<{ title?: string; value?: string }> }>;
  blocks?: unknown;
  /** Workspace of the message (Web API and slackdump messages carry it; admin exports too). */
  team?: string;
  channel_name?: string;
  /** Channel id named by the envelope of a Web API page or slackdump dump. */
  channel_id?: string;
}

interface ChannelMeta {
  id: string;
  name: string;
  /** Folder of its day files. */
  folder: string;
}

/** Where the export's metadata lives inside the tree: "" or "some-folder/" (ZIPs often wrap one). */
function exportPrefix(tree: FileTree): string | null {
  const meta = tree.files.map((f) => f.path).filter((p) => /(^|\/)(channels|users)\.json$/.test(p));
  if (!meta.length) return null;
  const shortest = meta.sort((a, b) => a.split('/').length - b.split('/').length)[0]!;
  return shortest.slice(0, shortest.lastIndexOf('/') + 1);
}

export function isSlackExport(tree: FileTree): boolean {
  return exportPrefix(tree) !== null;
}

export class SlackExport {
  private userNames = new Map<string, string>();
  private channelNames = new Map<string, string>();
  private channels: ChannelMeta[] = [];
  private teamId = 'T';

  private constructor(
    private readonly tree: FileTree,
    private readonly prefix: string,
  ) {}

  static async open(tree: FileTree): Promise<SlackExport> {
    const prefix = exportPrefix(tree) ?? (tree.loose ? '' : null);
    if (prefix === null) throw new HindsightError('bad-format', `${tree.root} is not a Slack export (no channels.json or users.json).`);
    const ex = new SlackExport(tree, prefix);
    await ex.loadMeta();
    return ex;
  }

  private async readJson(path: string): Promise<unknown> {
    return parseJsonBytes(await this.tree.read(path), this.tree.name(path));
  }

  private async loadMeta(): Promise<void> {
    const has = (f: string) => this.tree.files.some((x) => x.path === this.prefix + f);
    if (has('users.json')) {
      const users = await this.readJson(this.prefix + 'users.json');
      if (Array.isArray(users)) {
        for (const u of users as Array<{ id?: string; name?: string; real_name?: string; team_id?: string; profile?: { display_name?: string; real_name?: string } }>) {
          if (!u?.id) continue;
          const name = u.profile?.display_name || u.profile?.real_name || u.real_name || u.name || u.id;
          this.userNames.set(u.id, name);
          if (u.team_id) this.teamId = u.team_id;
        }
      }
    }
    for (const f of ['channels.json', 'groups.json', 'mpims.json', 'dms.json']) {
      if (!has(f)) continue;
      const list = await this.readJson(this.prefix + f);
      if (!Array.isArray(list)) continue;
      for (const c of list as Array<{ id?: string; name?: string }>) {
        if (!c?.id) continue;
        const name = c.name ?? c.id;
        this.channelNames.set(c.id, name);
        this.channels.push({ id: c.id, name, folder: `${this.prefix}${name}/` });
      }
    }
    // Folders of day files that no metadata names still hold messages.
    const known = new Set(this.channels.map((c) => c.folder));
    for (const f of this.tree.files) {
      if (!f.path.startsWith(this.prefix)) continue;
      const rest = f.path.slice(this.prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0 && DAY_FILE.test(rest.slice(slash + 1))) {
        const folder = `${this.prefix}${rest.slice(0, slash)}/`;
        if (!known.has(folder)) {
          known.add(folder);
          this.channels.push({ id: rest.slice(0, slash), name: rest.slice(0, slash), folder });
        }
      }
    }
  }

  private names: SlackNames = {
    user: (id) => this.userNames.get(id) ?? id,
    channel: (id) => this.channelNames.get(id) ?? id,
  };

  /** Message files per channel name: day files in channel folders, and loose message arrays. */
  private filesByChannel(): Map<string, { meta: ChannelMeta; files: string[]; bytes: number }> {
    const out = new Map<string, { meta: ChannelMeta; files: string[]; bytes: number }>();
    const byFolder = new Map<string, { meta: ChannelMeta; files: string[]; bytes: number }>();
    for (const c of this.channels) {
      const entry = { meta: c, files: [], bytes: 0 };
      out.set(c.name, entry);
      byFolder.set(c.folder, entry);
    }
    for (const f of this.tree.files) {
      if (!f.path.startsWith(this.prefix) || !f.path.endsWith('.json')) continue;
      const rest = f.path.slice(this.prefix.length);
      if (META_FILES.has(rest)) continue;
      const slash = rest.indexOf('/');
      const channel = slash > 0 ? byFolder.get(this.prefix + rest.slice(0, slash) + '/') : undefined;
      const entry = channel ?? this.looseChannel(out, rest);
      entry.files.push(f.path);
      entry.bytes += f.size;
    }
    return out;
  }

  /** A message file outside channel folders (Slack's API dumps, test fixtures): named by the file. */
  private looseChannel(out: Map<string, { meta: ChannelMeta; files: string[]; bytes: number }>, rest: string) {
    const name = basename(rest, '.json');
    let e = out.get(`~${name}`);
    if (!e) out.set(`~${name}`, (e = { meta: { id: name, name, folder: '' }, files: [], bytes: 0 }));
    return e;
  }

  /** Channels with their size, and whether a `--channels` selection takes them. */
  preview(patterns?: string[]): SlackChannelInfo[] {
    const select = channelMatcher(patterns);
    return [...this.filesByChannel().values()]
      .filter((c) => c.files.length)
      .map((c) => ({ name: c.meta.name, days: c.files.length, bytes: c.bytes, selected: select(c.meta.name) }));
  }

  /**
   * Conversations of every selected channel, one channel at a time so that memory is bounded by
   * the largest channel, not the export. A broken day file is reported and skipped.
   */
  async *conversations(patterns: string[] | undefined, report: (e: ImportFileError) => void, skip: (source: string, reason: string) => void = () => {}): AsyncGenerator<ParsedDocument> {
    const select = channelMatcher(patterns);
    // What the export holds besides messages (a README, a licence, hidden files) is listed, not read.
    for (const h of this.tree.hidden ?? []) skip(this.tree.name(h.replace(/\/$/, '')), h.endsWith('/') ? 'a hidden folder' : 'a hidden file');
    for (const f of this.tree.files) {
      if (f.path.endsWith('.json') || /\.(zip|tar|tgz|gz|7z|rar)$/i.test(f.path)) continue;
      skip(this.tree.name(f.path), skipReason(basename(f.path), false, false, JSON_ONLY) ?? 'not a Slack message file');
    }
    // Archives inside the export are never opened (each would be another expansion to police).
    for (const f of this.tree.files) {
      if (/\.(zip|tar|tgz|gz|7z|rar)$/i.test(f.path)) {
        report({ source: this.tree.name(f.path), code: 'refused-input', reason: 'nested-archive', message: `${this.tree.name(f.path)} is an archive inside the export; it was not opened. Extract it and import it on its own.` });
      }
    }
    for (const { meta, files } of this.filesByChannel().values()) {
      if (!files.length || !select(meta.name)) continue;
      const byChannel = new Map<string, SlackMessage[]>();
      for (const path of files) {
        let data: unknown;
        try {
          data = await this.readJson(path);
        } catch (err) {
          report({ source: this.tree.name(path), ...toContractError(err) });
          continue;
        }
        // A file holding one message object (API dumps) is a list of one.
        if (data && typeof data === 'object' && !Array.isArray(data) && typeof (data as SlackMessage).ts === 'string') data = [data];
        data = unwrapApiPage(data);
        if (!Array.isArray(data)) {
          report({ source: this.tree.name(path), code: 'refused-input', reason: 'bad-format', message: `${this.tree.name(path)} is not a list of Slack messages.` });
          continue;
        }
        for (const m of data as SlackMessage[]) {
          if (!m || typeof m !== 'object' || typeof m.ts !== 'string' || !/^\d+(\.\d+)?$/.test(m.ts)) continue;
          if (m.subtype && NOISE_SUBTYPES.has(m.subtype)) continue;
          // Loose files may mix channels; each message says which.
          const name = meta.folder ? meta.name : (m.channel_name ?? meta.name);
          let list = byChannel.get(name);
          if (!list) byChannel.set(name, (list = []));
          list.push(m);
        }
      }
      for (const [name, messages] of byChannel) {
        if (!meta.folder && !select(name)) continue;
        // A dump names its channel's id; links to the thread (archives/<id>/p<ts>) use it, not the file name.
        const channel = meta.folder ? meta : (this.channels.find((c) => c.name === name) ?? { ...meta, name, id: messages.find((m) => m.channel_id)?.channel_id ?? meta.id });
        yield* this.toDocuments(channel, messages);
      }
    }
  }

  private *toDocuments(channel: ChannelMeta, messages: SlackMessage[]): Generator<ParsedDocument> {
    messages.sort((a, b) => Number(a.ts) - Number(b.ts));
    const threads = new Map<string, SlackMessage[]>();
    const loose: SlackMessage[] = [];
    const seen = new Set<string>();
    const withReplies = new Set(messages.filter((m) => m.thread_ts && m.thread_ts !== m.ts).map((m) => m.thread_ts!));
    for (const m of messages) {
      if (seen.has(m.ts)) continue; // the same message in two day files
      seen.add(m.ts);
      const isReply = m.thread_ts && m.thread_ts !== m.ts;
      const isParent = m.thread_ts === m.ts && ((m.reply_count ?? 0) > 0 || withReplies.has(m.ts));
      if (isReply || isParent) {
        const key = m.thread_ts!;
        let t = threads.get(key);
        if (!t) threads.set(key, (t = []));
        t.push(m);
      } else loose.push(m);
    }
    const conversations: SlackMessage[][] = [...threads.values()];
    let burst: SlackMessage[] = [];
    for (const m of loose) {
      const last = burst[burst.length - 1];
      if (last && (Number(m.ts) - Number(last.ts) > BURST_GAP_SECONDS || burst.length >= BURST_MAX_MESSAGES)) {
        conversations.push(burst);
        burst = [];
      }
      burst.push(m);
    }
    if (burst.length) conversations.push(burst);
    conversations.sort((a, b) => Number(a[0]!.ts) - Number(b[0]!.ts));
    for (const c of conversations) {
      const doc = this.conversationDocument(channel, c, threads.has(c[0]!.thread_ts ?? ''));
      if (doc) yield doc;
    }
  }

  private author(m: SlackMessage): { name: string; bot: boolean } {
    if (m.user && this.userNames.has(m.user)) return { name: this.userNames.get(m.user)!, bot: false };
    const bot = !!(m.bot_id || m.subtype === 'bot_message');
    const name = m.user_profile?.display_name || m.user_profile?.real_name || m.username || m.bot_profile?.name || m.user || 'unknown';
    return { name, bot };
  }

  private messageText(m: SlackMessage): string {
    let text = m.text ? renderMrkdwn(m.text, this.names) : '';
    if (!text.trim() && m.blocks) text = renderBlocks(m.blocks, this.names);
    const extra: string[] = [];
    for (const a of m.attachments ?? []) {
      // Alerting bots put the alert name and error text in attachments.
      const lines = [a.pretext, a.title ? `**${a.title}**` : undefined, a.text ?? (a.title ? undefined : a.fallback), ...(a.fields ?? []).map((f) => `${f.title}: ${f.value}`)]
        .filter((x): x is string => !!x && !!x.trim())
        .map((x) => renderMrkdwn(x, this.names));
      if (lines.length) extra.push(lines.map((l) => `> ${l.replace(/\n/g, '\n> ')}`).join('\n'));
    }
    for (const f of m.files ?? []) extra.push(`[file: ${f.title && f.title !== f.name ? `${f.title} (${f.name})` : (f.name ?? f.title ?? 'file')}]`);
    return [text.trim(), ...extra].filter(Boolean).join('\n');
  }

  private conversationDocument(channel: ChannelMeta, msgs: SlackMessage[], isThread: boolean): ParsedDocument | null {
    const parts: string[] = [];
    // `resolvingChars`: what each person wrote in the last 40% of the conversation, where fixes
    // and conclusions usually are (experts are weighted by it).
    const people = new Map<string, { messages: number; chars: number; resolvingChars: number; bot: boolean }>();
    const resolvingFrom = Math.floor(msgs.length * 0.6);
    let lastDay = '';
    let firstText = '';
    for (const [i, m] of msgs.entries()) {
      const text = this.messageText(m);
      if (!text) continue;
      const who = this.author(m);
      const at = new Date(Number(m.ts) * 1000).toISOString();
      const day = at.slice(0, 10);
      if (day !== lastDay) {
        parts.push(`_${day}_`);
        lastDay = day;
      }
      parts.push(`**${who.name}**${who.bot ? ' [bot]' : ''} ${at.slice(11, 16)}${m.edited ? ' (edited)' : ''}\n${text}`);
      const p = people.get(who.name) ?? { messages: 0, chars: 0, resolvingChars: 0, bot: who.bot };
      p.messages++;
      p.chars += text.length;
      if (i >= resolvingFrom) p.resolvingChars += text.length;
      people.set(who.name, p);
      firstText ||= text;
    }
    if (!parts.length) return null;
    const first = msgs[0]!;
    const last = msgs[msgs.length - 1]!;
    const headline = firstText.replace(/^>\s*/gm, '').replace(/\*\*/g, '').split('\n').find((l) => l.trim())?.trim() ?? '';
    const title = `#${channel.name}: ${headline.length > 90 ? `${headline.slice(0, 87)}…` : headline}`;
    const started = new Date(Number(first.ts) * 1000).toISOString();
    const ended = new Date(Number(last.ts) * 1000).toISOString();
    // API pages and dumps (files outside channel folders) have no users.json naming the workspace:
    // their messages do. (Exports keep their uids as they were.)
    const team = this.teamId === 'T' && !channel.folder ? (msgs.find((m) => m.team)?.team ?? this.teamId) : this.teamId;
    return {
      uid: `slack:${team}:${channel.id}:${first.thread_ts && isThread ? first.thread_ts : first.ts}`,
      kind: 'slack-thread',
      format: 'slack',
      title,
      source: `${this.tree.name(channel.folder || channel.name)}#${first.ts}`,
      url: null,
      externalId: first.ts,
      occurredAt: started,
      resolvedAt: null,
      severity: null,
      status: null,
      metadata: {
        channel: channel.name,
        channelId: channel.id,
        thread: isThread,
        startedAt: started,
        endedAt: ended,
        messageCount: msgs.length,
        participants: [...people.entries()].map(([name, p]) => ({ name, ...p })),
      },
      body: `# ${title}\n\n${parts.join('\n\n')}`,
      refs: msgs.map((m) => ref.slack(channel.id, m.ts)),
      links: [],
      fields: [...people.entries()].filter(([, p]) => !p.bot).map(([name]) => ({ type: 'person' as const, name })),
    };
  }
}

/**
 * Messages of a Web API page (`conversations.history` / `conversations.replies`: {ok, messages})
 * or a slackdump dump ({channel_id, name, messages}, replies nested in
 * `slackdump_thread_replies`), flattened, each naming its channel when the envelope does.
 */
function unwrapApiPage(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  const page = data as { messages?: unknown; channel_id?: string; name?: string; channel?: string };
  if (!Array.isArray(page.messages)) return data;
  const channel = page.name || page.channel_id || (typeof page.channel === 'string' ? page.channel : undefined);
  const id = typeof page.channel_id === 'string' ? page.channel_id : undefined;
  const named = (m: SlackMessage): SlackMessage => ({ ...m, ...(channel && !m.channel_name ? { channel_name: channel } : {}), ...(id && !m.channel_id ? { channel_id: id } : {}) });
  const out: SlackMessage[] = [];
  for (const m of page.messages as Array<SlackMessage & { slackdump_thread_replies?: SlackMessage[] }>) {
    if (!m || typeof m !== 'object') continue;
    out.push(named(m));
    for (const r of m.slackdump_thread_replies ?? []) if (r && typeof r === 'object') out.push(named(r));
  }
  return out;
}

/** `incident-*,ops` → a test on channel names (case-insensitive; no patterns means all). */
export function channelMatcher(patterns?: string[]): (name: string) => boolean {
  const list = (patterns ?? []).flatMap((p) => p.split(',')).map((p) => p.trim().replace(/^#/, '')).filter(Boolean);
  if (!list.length) return () => true;
  const res = list.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i'));
  return (name) => res.some((re) => re.test(name));
}
