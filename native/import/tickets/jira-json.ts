import type { Ticket } from './ticket.js';
import { adfToMarkdown, wikiToMarkdown } from './jira-text.js';
import { parseTrackerDate } from './dates.js';
import { ref } from '../../entities/refs.js';

/** Jira REST JSON: search results ({ issues: [...] }), one issue, or a list of issues. */
export function isJiraJson(data: unknown): boolean {
  const list = jiraIssues(data);
  return !!list?.length && list.every((i) => typeof i.key === 'string' && !!i.fields && typeof i.fields === 'object');
}

interface JiraIssue {
  key: string;
  self?: string;
  fields: Record<string, unknown> & {
    summary?: string;
    description?: unknown;
    issuetype?: { name?: string };
    status?: { name?: string };
    priority?: { name?: string };
    resolution?: { name?: string } | null;
    assignee?: { displayName?: string } | null;
    reporter?: { displayName?: string } | null;
    labels?: string[];
    components?: Array<{ name?: string }>;
    created?: string;
    resolutiondate?: string | null;
    comment?: { comments?: Array<{ author?: { displayName?: string }; created?: string; body?: unknown }> };
    issuelinks?: Array<{ type?: { name?: string; inward?: string; outward?: string }; inwardIssue?: { key?: string }; outwardIssue?: { key?: string } }>;
  };
}

function jiraIssues(data: unknown): JiraIssue[] | null {
  if (Array.isArray(data)) return data as JiraIssue[];
  if (data && typeof data === 'object') {
    const o = data as { issues?: unknown; key?: unknown; fields?: unknown };
    if (Array.isArray(o.issues)) return o.issues as JiraIssue[];
    if (typeof o.key === 'string' && o.fields) return [o as JiraIssue];
  }
  return null;
}

/** Cloud sends Atlassian Document Format objects, Data Center wiki-markup strings. */
export function jiraRichText(v: unknown): string {
  if (typeof v === 'string') return wikiToMarkdown(v);
  if (v && typeof v === 'object') return adfToMarkdown(v);
  return '';
}

export function jiraJsonTickets(data: unknown, source: string): Ticket[] {
  return (jiraIssues(data) ?? []).map((issue) => {
    const f = issue.fields;
    const base = issue.self ? /^(https?:\/\/[^/]+)/.exec(issue.self)?.[1] : undefined;
    return {
      system: 'jira',
      format: 'jira-json',
      key: issue.key,
      title: f.summary ?? issue.key,
      source: `${source}#${issue.key}`,
      url: base ? `${base}/browse/${issue.key}` : null,
      type: f.issuetype?.name,
      status: f.status?.name,
      resolution: f.resolution?.name ?? null,
      priority: f.priority?.name,
      assignee: f.assignee?.displayName ?? null,
      reporter: f.reporter?.displayName ?? null,
      labels: f.labels ?? [],
      components: (f.components ?? []).map((c) => c.name).filter((n): n is string => !!n),
      created: parseTrackerDate(f.created),
      resolved: parseTrackerDate(f.resolutiondate),
      description: jiraRichText(f.description),
      comments: (f.comment?.comments ?? []).map((c) => ({ author: c.author?.displayName ?? null, created: parseTrackerDate(c.created), body: jiraRichText(c.body) })),
      links: (f.issuelinks ?? []).flatMap((l) => {
        const out: Array<{ relation: string; target: string }> = [];
        if (l.outwardIssue?.key) out.push({ relation: l.type?.outward ?? l.type?.name ?? 'relates to', target: ref.ticket(l.outwardIssue.key) });
        if (l.inwardIssue?.key) out.push({ relation: l.type?.inward ?? l.type?.name ?? 'relates to', target: ref.ticket(l.inwardIssue.key) });
        return out;
      }),
    } satisfies Ticket;
  });
}
