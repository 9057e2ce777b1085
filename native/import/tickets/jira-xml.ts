import { XMLParser } from 'fast-xml-parser';
import { HindsightError } from '../../common/errors.js';
import { ref } from '../../entities/refs.js';
import { htmlToMarkdown } from '../formats/html.js';
import { parseTrackerDate } from './dates.js';
import type { Ticket } from './ticket.js';

type Node = Record<string, unknown> | string | undefined;

const ARRAYS = new Set(['item', 'comment', 'issuelinktype', 'issuelink', 'label', 'component', 'customfield', 'customfieldvalue', 'fixVersion', 'version']);

/** Refuses XML that declares entities: the classic "billion laughs" expansion and external entities. */
export function assertNoEntityDeclarations(xml: string, what: string): void {
  if (/<!DOCTYPE[\s\S]*?<!ENTITY/i.test(xml.slice(0, 1_000_000)) || /<!ENTITY/i.test(xml.slice(0, 1_000_000))) {
    throw new HindsightError('unsafe-xml', `${what} declares XML entities (a DOCTYPE with <!ENTITY>); Hindsight refuses such files. Export again from Jira.`);
  }
}

export function isJiraXml(head: string): boolean {
  return /<rss[\s>]/i.test(head) && /<item>|<channel>/i.test(head) && /jira/i.test(head);
}

/** Jira's XML (RSS) export: one <item> per issue, descriptions and comments as escaped HTML. */
export function jiraXmlTickets(xml: string, source: string): Ticket[] {
  assertNoEntityDeclarations(xml, source);
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
    }).parse(xml, true) as Record<string, unknown>;
  } catch (err) {
    throw new HindsightError('bad-xml', `${source} is not well-formed XML (${(err as Error).message.split('\n')[0]}).`);
  }
  const channel = (doc.rss as Record<string, unknown> | undefined)?.channel as Record<string, unknown> | undefined;
  const items = (channel?.item as Array<Record<string, Node>> | undefined) ?? [];
  if (!channel) throw new HindsightError('bad-format', `${source} is XML but not a Jira export (no <rss><channel>).`);
  return items.map((it) => {
    const key = text(it.key);
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
    const summary = text(it.summary) || text(it.title).replace(/^\[[^\]]+\]\s*/, '');
    return {
      system: 'jira',
      format: 'jira-xml',
      key,
      title: summary,
      source: `${source}#${key}`,
      url: text(it.link) || null,
      type: text(it.type) || null,
      status: text(it.status) || null,
      resolution: text(it.resolution) || null,
      priority: text(it.priority) || null,
      assignee: person(text(it.assignee)),
      reporter: person(text(it.reporter)),
      labels: (((it.labels as Record<string, unknown> | undefined)?.label as Node[] | undefined) ?? []).map(text).filter(Boolean),
      components: ((it.component as Node[] | undefined) ?? []).map(text).filter(Boolean),
      created: parseTrackerDate(text(it.created)),
      resolved: parseTrackerDate(text(it.resolved)),
      description: htmlToMarkdown(text(it.description)),
      comments: (((it.comments as Record<string, unknown> | undefined)?.comment as Array<Record<string, Node>> | undefined) ?? []).map((c) => ({
        author: String(c['@_author'] ?? '') || null,
        created: parseTrackerDate(c['@_created']),
        body: htmlToMarkdown(text(c)),
      })),
      links,
      metadata: { project: text(it.project) || null },
    } satisfies Ticket;
  }).filter((t) => t.key);
}

function text(n: unknown): string {
  if (n === undefined || n === null) return '';
  if (typeof n === 'string' || typeof n === 'number') return String(n).trim();
  if (typeof n === 'object' && '#text' in (n as object)) return String((n as Record<string, unknown>)['#text'] ?? '').trim();
  return '';
}

function person(name: string): string | null {
  return name && name !== 'Unassigned' ? name : null;
}
