import { HindsightError } from '../../common/errors.js';
import type { ImportFileError } from '../../contract.js';
import type { ParsedDocument } from '../parsed-document.js';
import { chatConversations, type ChatMessage } from './conversations.js';

/**
 * Mattermost bulk export (`mmctl export create` / `mattermost export bulk`): JSON Lines, one
 * object per line with a `type` (version, team, channel, user, post, direct_channel,
 * direct_post, emoji...). Posts carry their replies inline, so a post with replies is a thread.
 */
export function isMattermostJsonl(head: string): boolean {
  return /^\uFEFF?\s*\{\s*"type"\s*:\s*"version"/.test(head);
}

interface MmPost {
  team?: string;
  channel?: string;
  channel_members?: string[];
  user?: string;
  message?: string;
  create_at?: number;
  edit_at?: number;
  type?: string;
  replies?: MmPost[] | null;
  attachments?: Array<{ path?: string }> | null;
}

export function mattermostConversations(text: string, what: string, report: (e: ImportFileError) => void): ParsedDocument[] {
  const users = new Map<string, string>();
  const channels = new Map<string, string>();
  const byChannel = new Map<string, { name: string; messages: ChatMessage[] }>();
  let sawVersion = false;
  let n = 0;
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let rec: { type?: string; [k: string]: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch (err) {
      report({ source: `${what}:${i + 1}`, code: 'refused-input', reason: 'bad-json', message: `${what} line ${i + 1} is not valid JSON (${(err as Error).message}); the line was skipped.` });
      continue;
    }
    if (rec.type === 'version') sawVersion = true;
    else if (rec.type === 'user') {
      const u = rec.user as { username?: string; first_name?: string; last_name?: string; nickname?: string } | undefined;
      if (u?.username) users.set(u.username, [u.first_name, u.last_name].filter(Boolean).join(' ') || u.nickname || u.username);
    } else if (rec.type === 'channel') {
      const c = rec.channel as { team?: string; name?: string; display_name?: string } | undefined;
      if (c?.name) channels.set(`${c.team ?? ''}/${c.name}`, c.display_name || c.name);
    } else if (rec.type === 'post' || rec.type === 'direct_post') {
      const p = (rec.post ?? rec.direct_post) as MmPost | undefined;
      if (!p) continue;
      const key = p.channel_members ? `dm/${[...p.channel_members].sort().join(',')}` : `${p.team ?? ''}/${p.channel ?? ''}`;
      let entry = byChannel.get(key);
      if (!entry) byChannel.set(key, (entry = { name: p.channel_members ? p.channel_members.join(', ') : (p.channel ?? key), messages: [] }));
      const id = `${p.create_at ?? n}`;
      const push = (m: MmPost, threadId: string | null, suffix: string) => {
        // System posts (joins, header changes) say nothing about an incident.
        if (m.type?.startsWith('system_')) return;
        const files = (m.attachments ?? []).map((a) => `[file: ${(a.path ?? '').split('/').pop()}]`);
        entry!.messages.push({
          id: `${m.create_at ?? n}${suffix}`,
          at: (m.create_at ?? 0) / 1000,
          author: users.get(m.user ?? '') ?? m.user ?? 'unknown',
          bot: false,
          text: [m.message ?? '', ...files].filter(Boolean).join('\n'),
          threadId,
          edited: !!m.edit_at,
        });
        n++;
      };
      const replies = p.replies ?? [];
      push(p, replies.length ? id : null, '');
      for (const [k, r] of replies.entries()) push(r, id, `.r${k}`);
    }
  }
  if (!sawVersion) throw new HindsightError('bad-format', `${what} is JSON Lines but not a Mattermost bulk export (no "version" line).`);
  const out: ParsedDocument[] = [];
  for (const [key, { name, messages }] of byChannel) {
    const display = channels.get(key) ?? name;
    out.push(...chatConversations({ id: key, name: display }, messages, { system: 'mattermost', format: 'mattermost', where: what }));
  }
  return out;
}
