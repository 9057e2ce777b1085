import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HindsightError } from '../common/errors.js';
import type { ImportFileError, SlackChannelInfo } from '../contract.js';
import { detectFormat } from './detect-format.js';
import { bufferZipTree, folderTree, zipTree, type FileTree } from './file-tree.js';
import { parseDocx } from './formats/docx.js';
import { parseHtml } from './formats/html.js';
import { parseMarkdown } from './formats/markdown.js';
import { parsePdf } from './formats/pdf.js';
import { parseText } from './formats/plain-text.js';
import { looksLikeNdjson, ndjsonLines, parseJsonText } from './json.js';
import { IMPORT_LIMITS } from './limits.js';
import type { ParsedDocument } from './parsed-document.js';
import { isSlackExport, SlackExport } from './slack/slack-export.js';
import { openCsv, type CsvMap } from './tickets/csv-tickets.js';
import { assertNoEntityDeclarations, isJiraXml, JIRA_XML, jiraXmlItems } from './tickets/jira-xml.js';
import { positioned, ticketDocuments, type Positioned } from './tickets/record-source.js';
import { TRACKER_JSON_NAMES, trackerJson, type TrackerJson } from './tickets/tracker-json.js';
import { decodeText } from './decode-text.js';
import { archiveDocuments, archiveKind } from './document-archive.js';
import { isMattermostJsonl, mattermostConversations } from './chat/mattermost.js';
import { isTeamsMessages, teamsConversations, teamsNames } from './chat/teams.js';
import { htmlDocument } from './formats/html.js';
import { looksLikeStorageFormat } from './formats/confluence-storage.js';
import { confluencePages, isConfluenceJson } from './formats/confluence-json.js';
import type { FoundFile } from './walk.js';

export interface SourceOptions {
  /** Slack channel names or globs to import (all when absent). */
  channels?: string[];
  /** Column mapping for a CSV no tracker wrote. */
  csvMap?: CsvMap;
  /** Problems inside a multi-document source (one bad day file of a Slack export) that do not stop it. */
  report: (e: ImportFileError) => void;
  /** Rows read by a pass that yields nothing yet (the first of a ServiceNow audit log's two), for progress; false stops the source. */
  onScan?: (records: number) => boolean | void;
  /** Members of an archive that are not documents (attachments, styles, indexes), with the reason. */
  skip?: (source: string, reason: string) => void;
}

export interface SourceDocuments {
  format: string;
  documents: AsyncIterable<ParsedDocument> | Iterable<ParsedDocument>;
  /** Slack exports: the channels found, for the summary and for choosing. */
  channels?: SlackChannelInfo[];
  close(): void;
}

/** A source that is not something Hindsight imports; not an error when a folder walk met it. */
export class NotImportable extends HindsightError {
  constructor(message: string) {
    super('unsupported', message);
  }
}

/**
 * Reads one source (a file, or a Slack export folder) into documents. The format is detected
 * from the content: a Slack ZIP, a Jira XML, a GitHub JSON or a ServiceNow CSV may have any name.
 */
export async function readSource(found: FoundFile, options: SourceOptions): Promise<SourceDocuments> {
  if (found.slackExport) return slackFrom(await folderTree(found.path), options);
  const path = found.path;
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new HindsightError('not-found', `${path} does not exist or is not a file.`);
  if (st.size === 0) throw new HindsightError('empty', `${path} is empty.`);
  const head = await readHead(path);
  const format = detectFormat(path, head);
  if (format === 'zip') return zipSource(path, options);
  // A text file may be an export saved as .txt (read below by its content): it gets an export's limit.
  const limit = format === 'json' || format === 'csv' || format === 'xml' || format === 'jsonl' || format === 'text' ? IMPORT_LIMITS.maxExportBytes : IMPORT_LIMITS.maxDocumentBytes;
  if (st.size > limit) {
    throw new HindsightError('too-large', `${path} is ${(st.size / 1048576).toFixed(0)} MB; files of this kind over ${limit / 1048576} MB are not imported.`);
  }
  const bytes = await readAll(path, st.size);
  const docs = (documents: SourceDocuments['documents'], name: string = format): SourceDocuments => ({ format: name, documents, close: () => {} });
  switch (format) {
    case 'markdown':
      return docs(parseMarkdown(path, bytes));
    case 'text': {
      const exported = await exportInText(path, bytes, options);
      if (exported) return exported;
      if (bytes.length > IMPORT_LIMITS.maxDocumentBytes) {
        throw new HindsightError('too-large', `${path} is ${(bytes.length / 1048576).toFixed(0)} MB; text documents over ${IMPORT_LIMITS.maxDocumentBytes / 1048576} MB are not imported.`);
      }
      return docs(parseText(path, bytes));
    }
    case 'html': {
      const [doc] = parseHtml(path, bytes);
      return docs([doc!], doc!.format);
    }
    case 'docx':
      return docs(await parseDocx(path, bytes));
    case 'pdf':
      return docs(await parsePdf(path, bytes));
    case 'jsonl': {
      const text = decodeText(bytes, path);
      // Mattermost's bulk export opens with a version record; any other JSON Lines may be a tracker's.
      if (!isMattermostJsonl(text.slice(0, 200))) return jsonSource(path, bytes, options);
      return docs(mattermostConversations(text, path, options.report), 'mattermost');
    }
    case 'xml': {
      const xml = decodeText(bytes, path);
      assertNoEntityDeclarations(xml, path);
      if (looksLikeStorageFormat(xml.slice(0, 200_000)) && !isJiraXml(xml.slice(0, 4000))) return docs([htmlDocument(path, xml)], 'confluence-storage');
      if (!isJiraXml(xml.slice(0, 4000))) throw new NotImportable(`${path} is XML but not a Jira export (an <rss> with <item>s).`);
      return docs(ticketDocuments(JIRA_XML, positioned(jiraXmlItems(xml, path)), path, options.report), 'jira-xml');
    }
    case 'csv': {
      const csv = await openCsv(decodeText(bytes, path), path);
      const kind = csv.kind ?? (options.csvMap ? 'csv' : null);
      if (!kind) {
        throw new NotImportable(`${path}: these CSV columns are not a Jira, Linear, ServiceNow or PagerDuty export (${csv.header.names.slice(0, 8).join(', ')}…). Import it with --map title=<column>,body=<column>.`);
      }
      return docs(csv.documents(kind, options.report, options.csvMap, options.onScan), kind);
    }
    case 'json':
      return jsonSource(path, bytes, options);
    default:
      throw new NotImportable(`${path} is not a format Hindsight imports (Markdown, text, HTML, DOCX, PDF, Slack/Teams/Mattermost exports, Confluence, Notion, tracker JSON/JSON Lines/CSV/XML).`);
  }
}

/**
 * A tracker export saved under a text name (`.txt`, no extension): Opsgenie or Jira JSON, GitLab
 * NDJSON, a Jira CSV. Read by its content when the content is clearly one (the detectors a file
 * without an extension goes through: a known JSON shape, JSON Lines of a known tracker, CSV
 * columns of a known tracker); anything else stays text, so prose that opens with "[" or holds
 * commas is never refused for not being an export.
 */
async function exportInText(path: string, bytes: Buffer, options: SourceOptions): Promise<SourceDocuments | null> {
  const text = decodeText(bytes, path);
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) {
    try {
      return await jsonSource(path, bytes, options);
    } catch {
      return null;
    }
  }
  const firstLine = start.slice(0, Math.max(0, start.indexOf('\n')) || 4096);
  if (!/[,;\t]/.test(firstLine)) return null;
  const csv = await openCsv(text, path).catch(() => null);
  const kind = csv?.kind ?? (options.csvMap?.title && csv?.header.has(options.csvMap.title) ? 'csv' : null);
  if (!csv || !kind) return null;
  return { format: kind, documents: csv.documents(kind, options.report, options.csvMap, options.onScan), close: () => {} };
}

function jsonSource(path: string, bytes: Buffer, options: SourceOptions): SourceDocuments | Promise<SourceDocuments> {
  const text = decodeText(bytes, path);
  let data: unknown;
  try {
    data = parseJsonText(text, path);
  } catch (err) {
    if (looksLikeNdjson(text)) return ndjsonSource(path, text, options);
    throw err;
  }
  const found = trackerJson(data);
  if (found) {
    return { format: found.tracker.format.name, documents: ticketDocuments(found.tracker.format, positioned(found.records), path, options.report), close: () => {} };
  }
  if (isConfluenceJson(data)) return { format: 'confluence-json', documents: confluencePages(data, path, options.report), close: () => {} };
  if (isTeamsMessages(data)) return teamsFile(path, data, options);
  if (isSlackApiPage(data)) return slackFrom(singleFileTree(path, bytes), options);
  if (isSlackMessages(data)) {
    // A single day file (or message dump): its folder names the channel.
    return slackFrom(singleFileTree(path, bytes), options);
  }
  const name = basename(path);
  if (['channels.json', 'users.json', 'groups.json', 'dms.json', 'mpims.json', 'integration_logs.json'].includes(name)) {
    throw new NotImportable(`${path} is part of a Slack export: import the whole export folder or ZIP.`);
  }
  // A Teams export's lists are read beside its messages files (teamsFile), never as records.
  if (/^(teamsList|usersList|channels_[0-9a-f-]+)\.json$/i.test(name)) {
    throw new NotImportable(`${path} is part of a Teams export: it names the teams, channels or people of the messages files beside it, which are what is imported.`);
  }
  throw new NotImportable(`${path} is JSON but not a known export (Slack, Teams, Confluence, ${TRACKER_JSON_NAMES}).`);
}

/**
 * JSON Lines of any tracker (a GitLab project export's issues.ndjson, a jq dump): the tracker is
 * told from the first lines that parse; a broken line is a record error, the rest imports.
 */
function ndjsonSource(path: string, text: string, options: SourceOptions): SourceDocuments {
  let tracker: TrackerJson | null = null;
  let sampled = 0;
  for (const l of ndjsonLines(text)) {
    if (l.error) continue;
    tracker = trackerJson(l.value)?.tracker ?? null;
    if (tracker || ++sampled >= 5) break;
  }
  if (!tracker) throw new NotImportable(`${path} is JSON Lines but its records are not a known tracker's (${TRACKER_JSON_NAMES}).`);
  const t = tracker;
  function* records(): Generator<Positioned> {
    for (const l of ndjsonLines(text)) {
      if (l.error) {
        yield { position: l.line, raw: null, error: l.error };
        continue;
      }
      // A line may be one record or a wrapper of several (a list response per line).
      for (const raw of t.records(l.value) ?? [l.value]) yield { position: l.line, raw };
    }
  }
  return { format: `${t.format.name.replace(/-json$/, '')}-ndjson`, documents: ticketDocuments(t.format, records(), path, options.report), close: () => {} };
}

/** A Web API page (conversations.history/replies) or a slackdump dump: messages in an envelope. */
function isSlackApiPage(data: unknown): boolean {
  const messages = (data as { messages?: unknown } | null)?.messages;
  return !!data && typeof data === 'object' && !Array.isArray(data) && Array.isArray(messages) && (messages.length === 0 ? 'ok' in data || 'channel_id' in data : isSlackMessages(messages));
}

/** A Teams messages file on its own: channel and team names come from the files beside it. */
async function teamsFile(path: string, data: unknown, options: SourceOptions): Promise<SourceDocuments> {
  const dir = dirname(path);
  const candidates = [join(dir, basename(path).replace(/^messages_/, 'channels_')), join(dir, '..', 'teamsList.json')];
  const files: Array<{ path: string; size: number }> = [];
  for (const c of candidates) {
    const st = await stat(c).catch(() => null);
    if (st?.isFile()) files.push({ path: c, size: st.size });
  }
  const tree: FileTree = { root: dir, files, read: (p) => readAll(p, files.find((f) => f.path === p)!.size), name: (p) => p, close: () => {} };
  const names = await teamsNames(tree, options.report);
  return { format: 'teams', documents: teamsConversations(data, path, names), close: () => {} };
}

function isSlackMessages(data: unknown): boolean {
  if (data && typeof data === 'object' && !Array.isArray(data)) return typeof (data as { ts?: unknown }).ts === 'string' && 'text' in data;
  return Array.isArray(data) && data.length > 0 && data.every((m) => m && typeof m === 'object' && typeof (m as { ts?: unknown }).ts === 'string' && ('text' in m || 'type' in m || 'subtype' in m));
}

async function zipSource(path: string, options: SourceOptions): Promise<SourceDocuments> {
  const tree = await zipTree(path);
  try {
    if (isSlackExport(tree)) return await slackFrom(tree, options);
    const parts = notionParts(tree);
    if (parts) return { format: 'notion', documents: notionPartDocuments(tree, parts, options), close: () => tree.close() };
    if (tree.files.some((f) => f.path === 'word/document.xml')) {
      tree.close();
      const st = await stat(path);
      if (st.size > IMPORT_LIMITS.maxDocumentBytes) throw new HindsightError('too-large', `${path} is ${(st.size / 1048576).toFixed(0)} MB; documents over ${IMPORT_LIMITS.maxDocumentBytes / 1048576} MB are not imported.`);
      return { format: 'docx', documents: await parseDocx(path, await readAll(path, st.size)), close: () => {} };
    }
  } catch (err) {
    tree.close();
    throw err;
  }
  const kind = await archiveKind(tree).catch((err: unknown) => {
    tree.close();
    throw err;
  });
  if (kind) {
    const skip = options.skip ?? (() => {});
    return { format: kind, documents: archiveDocuments(tree, kind, options.report, skip), close: () => tree.close() };
  }
  tree.close();
  throw new NotImportable(`${path} is a ZIP archive but neither a Slack export (channels.json, users.json), nor a Confluence, Notion, Google Docs, Mattermost or Teams export, nor a Word document.`);
}

/** Notion's download wraps its export in a second ZIP: `Export-<uuid>.zip` holds `Export-<uuid>-Part-1.zip`, … */
const NOTION_PART = /^Export-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-Part-\d+\.zip$/i;

/** The parts when a ZIP holds nothing but Notion export parts (macOS metadata aside), else null. */
function notionParts(tree: FileTree): string[] | null {
  const members = tree.files.map((f) => f.path).filter((p) => !p.split('/').some((part) => part.startsWith('.') || part === '__MACOSX'));
  return members.length && members.every((p) => NOTION_PART.test(p)) ? members : null;
}

/** Each part opened in turn (one in memory at a time) and read as the Notion export it is. */
async function* notionPartDocuments(tree: FileTree, parts: string[], options: SourceOptions): AsyncGenerator<ParsedDocument> {
  for (const part of parts) {
    const inner = await bufferZipTree(await tree.read(part, IMPORT_LIMITS.maxNestedArchiveBytes), tree.name(part));
    try {
      if ((await archiveKind(inner)) !== 'notion') {
        options.report({ source: tree.name(part), code: 'unsupported', message: `${tree.name(part)} is named as a part of a Notion export but holds no Notion pages (\`Title <32 hex>.md\`) or databases; it was not imported.` });
        continue;
      }
      yield* archiveDocuments(inner, 'notion', options.report, options.skip ?? (() => {}));
    } finally {
      inner.close();
    }
  }
}

async function slackFrom(tree: FileTree, options: SourceOptions): Promise<SourceDocuments> {
  try {
    const ex = await SlackExport.open(tree);
    return { format: 'slack', channels: ex.preview(options.channels), documents: ex.conversations(options.channels, options.report, options.skip), close: () => tree.close() };
  } catch (err) {
    tree.close();
    throw err;
  }
}

/** One message file as a tree whose only channel is the file's folder. */
function singleFileTree(path: string, bytes: Buffer): FileTree {
  const channel = basename(dirname(path));
  const rel = `${channel}/${basename(path)}`;
  return {
    root: dirname(dirname(path)),
    files: [{ path: rel, size: bytes.length }],
    read: async () => bytes,
    name: () => path,
    close: () => {},
    loose: true,
  };
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Reads no more than was stat'ed (and allowed), even if the file grows meanwhile. */
async function readAll(path: string, size: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (!bytesRead) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } catch (err) {
    throw new HindsightError('unreadable', `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  } finally {
    await fh.close();
  }
}
