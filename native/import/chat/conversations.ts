import type { ParsedDocument } from '../parsed-document.js';

/**
 * Conversations of any chat export (Teams, Mattermost...) cut and rendered the way the Slack
 * importer does it: a thread is one conversation; other messages are cut at 30 minutes of
 * silence or 60 messages. Participants carry `messages`, `chars`, `resolvingChars` (what they
 * wrote in the last 40%, where fixes usually are) and `bot`.
 */
export interface ChatMessage {
  id: string;
  /** Seconds since the epoch. */
  at: number;
  author: string;
  bot: boolean;
  /** Markdown. */
  text: string;
  /** The id of the thread's first message, when the message is in a thread. */
  threadId?: string | null;
  edited?: boolean;
}

export interface ChatChannel {
  /** Stable id within the export (channel id, or "team/channel"). */
  id: string;
  name: string;
}

export interface ChatSource {
  system: string;
  format: string;
  /** Names the conversation's place in the source ("export.zip!teams/x/messages.json"). */
  where: string;
  /** Link to the first message, when the export has one. */
  url?: (first: ChatMessage) => string | null;
}

const BURST_GAP_SECONDS = 30 * 60;
const BURST_MAX_MESSAGES = 60;

export function* chatConversations(channel: ChatChannel, messages: ChatMessage[], source: ChatSource): Generator<ParsedDocument> {
  const sorted = [...messages].filter((m) => m.text.trim()).sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  const threads = new Map<string, ChatMessage[]>();
  const loose: ChatMessage[] = [];
  const withReplies = new Set(sorted.filter((m) => m.threadId && m.threadId !== m.id).map((m) => m.threadId!));
  for (const m of sorted) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    const root = m.threadId && m.threadId !== m.id ? m.threadId : withReplies.has(m.id) ? m.id : null;
    if (root) {
      let t = threads.get(root);
      if (!t) threads.set(root, (t = []));
      t.push(m);
    } else loose.push(m);
  }
  const conversations: Array<{ msgs: ChatMessage[]; thread: boolean }> = [...threads.values()].map((msgs) => ({ msgs, thread: true }));
  let burst: ChatMessage[] = [];
  for (const m of loose) {
    const last = burst[burst.length - 1];
    if (last && (m.at - last.at > BURST_GAP_SECONDS || burst.length >= BURST_MAX_MESSAGES)) {
      conversations.push({ msgs: burst, thread: false });
      burst = [];
    }
    burst.push(m);
  }
  if (burst.length) conversations.push({ msgs: burst, thread: false });
  conversations.sort((a, b) => a.msgs[0]!.at - b.msgs[0]!.at);
  for (const c of conversations) yield conversationDocument(channel, c.msgs, c.thread, source);
}

function conversationDocument(channel: ChatChannel, msgs: ChatMessage[], thread: boolean, source: ChatSource): ParsedDocument {
  const parts: string[] = [];
  const people = new Map<string, { messages: number; chars: number; resolvingChars: number; bot: boolean }>();
  const resolvingFrom = Math.floor(msgs.length * 0.6);
  let lastDay = '';
  for (const [i, m] of msgs.entries()) {
    const at = new Date(m.at * 1000).toISOString();
    const day = at.slice(0, 10);
    if (day !== lastDay) {
      parts.push(`_${day}_`);
      lastDay = day;
    }
    parts.push(`**${m.author}**${m.bot ? ' [bot]' : ''} ${at.slice(11, 16)}${m.edited ? ' (edited)' : ''}\n${m.text.trim()}`);
    const p = people.get(m.author) ?? { messages: 0, chars: 0, resolvingChars: 0, bot: m.bot };
    p.messages++;
    p.chars += m.text.length;
    if (i >= resolvingFrom) p.resolvingChars += m.text.length;
    people.set(m.author, p);
  }
  const first = msgs[0]!;
  const last = msgs[msgs.length - 1]!;
  const headline = first.text.replace(/^>\s*/gm, '').replace(/[*_`]/g, '').split('\n').find((l) => l.trim())?.trim() ?? '';
  const title = `#${channel.name}: ${headline.length > 90 ? `${headline.slice(0, 87)}…` : headline}`;
  const started = new Date(first.at * 1000).toISOString();
  return {
    uid: `${source.system}:${channel.id}:${thread ? (first.threadId ?? first.id) : first.id}`,
    kind: 'slack-thread',
    format: source.format,
    title,
    source: `${source.where}#${first.id}`,
    url: source.url?.(first) ?? null,
    externalId: first.id,
    occurredAt: started,
    resolvedAt: null,
    severity: null,
    status: null,
    metadata: {
      system: source.system,
      channel: channel.name,
      channelId: channel.id,
      thread,
      startedAt: started,
      endedAt: new Date(last.at * 1000).toISOString(),
      messageCount: msgs.length,
      participants: [...people.entries()].map(([name, p]) => ({ name, ...p })),
    },
    body: `# ${title}\n\n${parts.join('\n\n')}`,
    refs: msgs.map((m) => `${source.system}:${channel.id}:${m.id}`),
    links: [],
    fields: [...people.entries()].filter(([, p]) => !p.bot).map(([name]) => ({ type: 'person' as const, name })),
  };
}
