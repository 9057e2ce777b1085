import * as z from 'zod';
import { ref } from '../../entities/refs.js';
import { parseTrackerDate } from './dates.js';
import { jiraTicketFields, mapFields, type TicketFieldMap } from './field-map.js';
import { adfToMarkdown, wikiToMarkdown } from './jira-text.js';
import type { TicketFormat } from './record-source.js';
import { anything, has, id, list, optionalText, record, someOf } from './schema.js';
import type { Ticket } from './ticket.js';
import { fieldPerson } from './values.js';

/** Jira REST issue fields → ticket fields, in order of preference. */
export const JIRA_JSON_FIELDS: TicketFieldMap = {
  key: ['key'],
  title: ['fields.summary'],
  type: ['fields.issuetype'],
  status: ['fields.status'],
  resolution: ['fields.resolution'],
  priority: ['fields.priority'],
  assignee: ['fields.assignee'],
  reporter: ['fields.reporter', 'fields.creator'],
  queue: ['fields.assignee', 'fields.reporter'],
  labels: ['fields.labels'],
  components: ['fields.components'],
  created: ['fields.created'],
  resolved: ['fields.resolutiondate'],
};

const link = record({ type: record({ name: z.string().nullish(), inward: z.string().nullish(), outward: z.string().nullish() }).nullish(), inwardIssue: record({ key: z.string() }).nullish(), outwardIssue: record({ key: z.string() }).nullish() });

const issue = record({
  key: z.string().trim().min(1),
  self: z.string().nullish(),
  fields: record({
    // A summary that is all digits ("12345") comes as a number from some exporters: it is still the title.
    summary: optionalText,
    // Some exports (and hand-edited files) give one label or component as a plain string.
    labels: list(id),
    components: list(z.union([z.string(), record({ name: z.string().nullish() })])),
    description: anything,
    comment: record({ comments: list(record({ author: anything, created: anything, body: anything })) }).nullish(),
    issuelinks: list(link),
  }),
});

type JiraIssue = z.infer<typeof issue>;

/** Search results ({ issues: [...] }), one issue, or a list of issues. */
export function jiraRecords(data: unknown): unknown[] | null {
  const list = Array.isArray(data) ? data : has(data, 'issues') && Array.isArray(data.issues) ? data.issues : isJiraIssue(data) ? [data] : null;
  return list?.length && someOf(list, isJiraIssue) ? list : null;
}

export function isJiraIssue(x: unknown): boolean {
  return has(x, 'key', 'fields') && typeof x.key === 'string' && !!x.fields && typeof x.fields === 'object';
}

/** Cloud sends Atlassian Document Format objects, Data Center wiki-markup strings. */
export function jiraRichText(v: unknown): string {
  if (typeof v === 'string') return wikiToMarkdown(v);
  if (v && typeof v === 'object') return adfToMarkdown(v);
  return '';
}

export const JIRA_JSON: TicketFormat<JiraIssue> = {
  name: 'jira-json',
  schema: issue,
  label: (raw) => (has(raw, 'key') ? String(raw.key) : null),
  toTicket(i, source) {
    const m = mapFields(JIRA_JSON_FIELDS, i);
    const key = i.key;
    const base = i.self ? /^(https?:\/\/[^/]+)/.exec(i.self)?.[1] : undefined;
    return {
      system: 'jira',
      format: 'jira-json',
      key,
      title: m.title ?? key,
      source: `${source}#${key}`,
      url: base ? `${base}/browse/${key}` : null,
      ...jiraTicketFields(m),
      description: jiraRichText(i.fields.description),
      comments: (i.fields.comment?.comments ?? []).map((c) => ({ author: fieldPerson(c.author), created: parseTrackerDate(c.created), body: jiraRichText(c.body) })),
      links: i.fields.issuelinks.flatMap((l) => {
        const out: Array<{ relation: string; target: string }> = [];
        if (l.outwardIssue?.key) out.push({ relation: l.type?.outward ?? l.type?.name ?? 'relates to', target: ref.ticket(l.outwardIssue.key) });
        if (l.inwardIssue?.key) out.push({ relation: l.type?.inward ?? l.type?.name ?? 'relates to', target: ref.ticket(l.inwardIssue.key) });
        return out;
      }),
    } satisfies Ticket;
  },
};
