import { basename } from 'node:path';
import type { ImportFileError } from '../../contract.js';
import type { FileTree } from '../file-tree.js';
import { htmlToMarkdown } from '../formats/html.js';
import { parseJsonBytes } from '../json.js';
import type { ParsedDocument } from '../parsed-document.js';
import { chatConversations, type ChatMessage } from './conversations.js';

/**
 * Microsoft Teams exports: the Teams export (teams/teamsList.json, teams/<id>/channels_<id>.json
 * and messages_<id>.json, users/<id>/messages_<id>.json for chats; PascalCase fields) and Graph
 * API chatMessage lists ({"value": [...]}, camelCase). A channel thread is a root message and its
 * replies (ReplyToId); chats are cut into bursts. System events are dropped.
 */

type Obj = Record<string, unknown>;

/** A field in either spelling (Teams export: PascalCase, Graph API: camelCase). */
function get(o: unknown, name: string): unknown {
  if (!o || typeof o !== 'object') return undefined;
  const r = o as Obj;
  return r[name] ?? r[name.charAt(0).toLowerCase() + name.slice(1)];
}

export function isTeamsMessages(data: unknown): boolean {
  const list = Array.isArray(data) ? data : (get(data, 'Value') as unknown);
  if (!Array.isArray(list) || !list.length) return false;
  const m = list.find((x) => x && typeof x === 'object');
  return !!m && get(m, 'Body') !== undefined && get(m, 'CreatedDateTime') !== undefined && get(m, 'MessageType') !== undefined;
}

export function isTeamsExport(tree: FileTree): boolean {
  return tree.files.some((f) => /(^|\/)teams\/teamsList\.json$|(^|\/)users\/usersList\.json$/.test(f.path)) && tree.files.some((f) => /\/messages_[^/]+\.json$/.test(f.path));
}

interface Names {
  channels: Map<string, string>;
  teams: Map<string, string>;
}

export function teamsConversations(data: unknown, where: string, names: Names = { channels: new Map(), teams: new Map() }): ParsedDocument[] {
  const list = (Array.isArray(data) ? data : (get(data, 'Value') as unknown[])) ?? [];
  const byPlace = new Map<string, { name: string; messages: ChatMessage[] }>();
  for (const m of list) {
    if (!m || typeof m !== 'object') continue;
    if (get(m, 'MessageType') !== 'message' || get(m, 'DeletedDateTime')) continue;
    const body = get(m, 'Body');
    const html = String(get(body, 'Content') ?? '');
    if (!html || /^<systemEventMessage\s*\/>$/.test(html.trim())) continue;
    const text = (get(body, 'ContentType') === 'text' ? html : htmlToMarkdown(html.replace(/<at\b[^>]*>([^<]*)<\/at>/g, '@$1').replace(/<emoji\b[^>]*alt="([^"]*)"[^>]*>\s*<\/emoji>/g, '$1')))
      .replace(/^\s*(&nbsp;|\u00a0)\s*$/gm, '')
      .trim();
    if (!text) continue;
    const from = get(m, 'From');
    const user = get(from, 'User');
    const app = get(from, 'Application');
    const author = String(get(user, 'DisplayName') ?? get(app, 'DisplayName') ?? 'unknown');
    const ci = get(m, 'ChannelIdentity');
    const channelId = String(get(ci, 'ChannelId') ?? get(m, 'ChatId') ?? 'chat');
    const teamId = String(get(ci, 'TeamId') ?? '');
    const name = names.channels.get(channelId) ? `${names.teams.get(teamId) ? `${names.teams.get(teamId)}/` : ''}${names.channels.get(channelId)}` : get(m, 'ChatId') ? `chat ${String(get(m, 'ChatId')).slice(3, 11)}` : channelId;
    let place = byPlace.get(channelId);
    if (!place) byPlace.set(channelId, (place = { name, messages: [] }));
    const id = String(get(m, 'Id'));
    const subject = String(get(m, 'Subject') ?? '').trim();
    const replyTo = get(m, 'ReplyToId');
    place.messages.push({
      id,
      at: Date.parse(String(get(m, 'CreatedDateTime'))) / 1000,
      author,
      bot: !user && !!app,
      text: subject && !replyTo ? `**${subject}**\n${text}` : text,
      // Channel posts are threads (root + replies); chats have no threads.
      threadId: ci ? String(replyTo ?? id) : null,
      edited: !!get(m, 'LastEditedDateTime'),
    });
  }
  const out: ParsedDocument[] = [];
  for (const [id, { name, messages }] of byPlace) {
    // A channel's root post with no replies is still its own conversation, not part of a burst.
    out.push(...chatConversations({ id, name }, messages, { system: 'teams', format: 'teams', where, url: () => null }));
  }
  return out;
}

/** Channel and team names from the files beside a messages file (channels_<team>.json, teamsList.json). */
export async function teamsNames(tree: FileTree, report: (e: ImportFileError) => void): Promise<Names> {
  const names: Names = { channels: new Map(), teams: new Map() };
  for (const f of tree.files) {
    const file = basename(f.path);
    if (file !== 'teamsList.json' && !/^channels_.+\.json$/.test(file)) continue;
    try {
      const list = parseJsonBytes(await tree.read(f.path), tree.name(f.path));
      if (!Array.isArray(list)) continue;
      for (const x of list) {
        if (file === 'teamsList.json') names.teams.set(String(get(x, 'GroupsId')), String(get(x, 'Name')));
        else names.channels.set(String(get(x, 'Id')), String(get(x, 'DisplayName')));
      }
    } catch (err) {
      report({ source: tree.name(f.path), code: 'refused-input', reason: 'bad-json', message: (err as Error).message });
    }
  }
  return names;
}

export async function* teamsExportConversations(tree: FileTree, report: (e: ImportFileError) => void): AsyncGenerator<ParsedDocument> {
  const names = await teamsNames(tree, report);
  for (const f of tree.files) {
    if (!/(^|\/)messages_[^/]+\.json$/.test(f.path)) continue;
    let data: unknown;
    try {
      data = parseJsonBytes(await tree.read(f.path), tree.name(f.path));
    } catch (err) {
      report({ source: tree.name(f.path), code: 'refused-input', reason: 'bad-json', message: (err as Error).message });
      continue;
    }
    yield* teamsConversations(data, tree.name(f.path), names);
  }
}
