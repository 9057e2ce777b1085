import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as z from 'zod';
import { HindsightError } from '../../common/errors.js';
import { ref } from '../../entities/refs.js';
import { htmlToMarkdown } from '../formats/html.js';
import { parseTrackerDate } from './dates.js';
import { refuse, type Refusal, type TicketFormat } from './record-source.js';
import { has, record } from './schema.js';
import type { Ticket } from './ticket.js';
import { jiraTicketFields, mapFields, type RawRecord, type TicketFieldMap } from './field-map.js';
import { fieldPerson } from './values.js';

type Node = Record<string, unknown> | string | undefined;

const ARRAYS = new Set(['item', 'comment', 'issuelinktype', 'issuelink', 'label', 'component', 'customfield', 'customfieldvalue', 'fixVersion', 'version']);
/** Elements whose content is HTML: escaped in a real export, raw when copied out of a browser's XML view. */
const HTML_ELEMENTS = ['description', 'environment', 'comment'];

/** Refuses XML that declares entities: the classic "billion laughs" expansion and external entities. */
export function assertNoEntityDeclarations(xml: string, what: string): void {
  if (/<!DOCTYPE[\s\S]*?<!ENTITY/i.test(xml.slice(0, 1_000_000)) || /<!ENTITY/i.test(xml.slice(0, 1_000_000))) {
    throw new HindsightError('unsafe-xml', `${what} declares XML entities (a DOCTYPE with <!ENTITY>); Hindsight refuses such files. Export again from Jira.`);
  }
}

/**
 * What Chrome, Edge and Firefox show above an XML file they display without a stylesheet; it is
 * in the file when the page is saved as text or copied with Ctrl+A, Ctrl+C from the browser.
 */
const BROWSER_PREAMBLE = /^\s*This XML file does not appear to have any style information associated with it\.\s*The document tree is shown below\.\s*/i;

export function isJiraXml(head: string): boolean {
  const h = head.replace(BROWSER_PREAMBLE, '');
  return /<rss[\s>]/i.test(h) && /<item>|<channel>/i.test(h) && /jira/i.test(h);
}

const item = record({ key: z.union([z.string(), record({ '#text': z.union([z.string(), z.number()]) })]) });

export const JIRA_XML: TicketFormat<Record<string, Node>> = {
  name: 'jira-xml',
  schema: item as unknown as z.ZodType<Record<string, Node>>,
  label: (raw) => (has(raw, 'key') ? text(raw.key) || null : null),
  toTicket: (it, source) => itemTicket(it, source),
};

/**
 * Jira's XML (RSS) export: one <item> per issue, descriptions and comments as escaped HTML.
 * Also accepted: the same file saved from the browser's XML view, with its notice line on top
 * and the HTML of descriptions no longer escaped.
 */
export function jiraXmlItems(raw: string, source: string): unknown[] {
  assertNoEntityDeclarations(raw, source);
  const copied = BROWSER_PREAMBLE.test(raw);
  const xml = raw.replace(BROWSER_PREAMBLE, '');
  const valid = XMLValidator.validate(xml);
  if (valid !== true && !copied) {
    const e = valid.err;
    if (/^\s*[^<\s]/.test(xml)) {
      const start = xml.trimStart().split('\n')[0]!.slice(0, 60);
      throw new HindsightError('bad-xml', `${source} is not an XML file: it starts with text ("${start}") rather than XML. Export again with Jira's Export → XML and import the downloaded file itself, not a copy of the page.`);
    }
    throw new HindsightError('bad-xml', `${source} is not well-formed XML (${e.msg.replace(/\.$/, '')} at line ${e.line}).`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      textNodeName: '#text',
      trimValues: true,
      processEntities: true,
      htmlEntities: false,
      parseTagValue: false,
      isArray: (name) => ARRAYS.has(name),
      // A browser copy has raw HTML inside these: keep it as text rather than as XML elements.
      stopNodes: copied ? HTML_ELEMENTS.map((e) => `*.${e}`) : [],
    }).parse(xml) as Record<string, unknown>;
  } catch (err) {
    throw new HindsightError('bad-xml', `${source} is not well-formed XML (${(err as Error).message.split('\n')[0]}). Export again with Jira's Export → XML and import the downloaded file.`);
  }
  const channel = (doc.rss as Record<string, unknown> | undefined)?.channel as Record<string, unknown> | undefined;
  if (!channel) throw new HindsightError('bad-format', `${source} is XML but not a Jira export (no <rss><channel>).`);
  return (channel.item as unknown[] | undefined) ?? [];
}

/** Jira XML <item> elements → ticket fields (read from the flat record `itemFields` makes). */
export const JIRA_XML_FIELDS: TicketFieldMap = {
  key: ['key'],
  title: ['summary', 'title'],
  url: ['link'],
  type: ['type'],
  status: ['status'],
  resolution: ['resolution'],
  priority: ['priority'],
  // <assignee username="-1">Unassigned</assignee>, in the instance's language, is a placeholder.
  assignee: ['assignee'],
  reporter: ['reporter'],
  // MongoDB's Jira assigns untriaged issues to "Backlog - <team>" accounts: a board, not a person.
  queue: ['assignee', 'reporter'],
  labels: ['labels'],
  components: ['components'],
  created: ['created'],
  resolved: ['resolved'],
};

/** The <item>'s elements as text, one key each (the title without its "[KEY] " prefix). */
function itemFields(it: Record<string, Node>): RawRecord {
  return {
    key: text(it.key),
    summary: text(it.summary),
    title: text(it.title).replace(/^\[[^\]]+\]\s*/, ''),
    link: text(it.link),
    type: text(it.type),
    status: text(it.status),
    resolution: text(it.resolution),
    priority: text(it.priority),
    assignee: text(it.assignee),
    reporter: text(it.reporter),
    labels: (((it.labels as Record<string, unknown> | undefined)?.label as Node[] | undefined) ?? []).map(text),
    components: ((it.component as Node[] | undefined) ?? []).map(text),
    created: text(it.created),
    resolved: text(it.resolved),
  };
}

function itemTicket(it: Record<string, Node>, source: string): Ticket | Refusal {
  const key = text(it.key);
  if (!key) return refuse('the <item> has no <key>');
  const links: Ticket['links'] = [];
  const types = ((it.issuelinks as Record<string, unknown> | undefined)?.issuelinktype as Array<Record<string, Node>> | undefined) ?? [];
  for (const t of types) {
    for (const dir of ['outwardlinks', 'inwardlinks'] as const) {
      const group = t[dir] as Record<string, unknown> | undefined;
      if (!group) continue;
      const relation = String(group['@_description'] ?? text(t.name) ?? 'relates to');
      for (const l of (group.issuelink as Array<Record<string, Node>> | undefined) ?? []) {
        const k = text(l.issuekey);
        if (k) links.push({ relation, target: ref.ticket(k) });
      }
    }
  }
  const m = mapFields(JIRA_XML_FIELDS, itemFields(it));
  return {
    system: 'jira',
    format: 'jira-xml',
    key,
    title: m.title ?? key,
    source: `${source}#${key}`,
    url: m.url,
    ...jiraTicketFields(m),
    description: html(it.description),
    comments: (((it.comments as Record<string, unknown> | undefined)?.comment as Array<Record<string, Node>> | undefined) ?? []).map((c) => ({
      author: fieldPerson(String(c['@_author'] ?? '')),
      created: parseTrackerDate(c['@_created']),
      body: html(c),
    })),
    links,
    metadata: { project: text(it.project) || null },
  };
}

/** Escaped HTML (a real export) or raw HTML (a browser copy) to Markdown. */
function html(n: unknown): string {
  const t = text(n);
  return htmlToMarkdown(/^[^<]*&lt;/.test(t) ? t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&') : t);
}

function text(n: unknown): string {
  if (n === undefined || n === null) return '';
  if (typeof n === 'string' || typeof n === 'number') return String(n).trim();
  if (typeof n === 'object' && '#text' in (n as object)) return String((n as Record<string, unknown>)['#text'] ?? '').trim();
  return '';
}
