import * as z from 'zod';
import { ref } from '../../entities/refs.js';
import { parseTrackerDate } from './dates.js';
import { mapFields, type TicketFieldMap } from './field-map.js';
import type { TicketFormat } from './record-source.js';
import { anything, has, list, optionalText, record } from './schema.js';
import type { Ticket } from './ticket.js';
import { fieldPerson } from './values.js';

/** GitHub REST issues and `gh issue list --json` objects → ticket fields, in order of preference. */
export const GITHUB_JSON_FIELDS: TicketFieldMap = {
  key: ['number'],
  title: ['title'],
  url: ['html_url', 'url'],
  status: ['state'],
  reporter: ['user', 'author'],
  assignee: ['assignee', 'assignees.0'],
  people: ['assignees'],
  labels: ['labels'],
  created: ['created_at', 'createdAt'],
  resolved: ['closed_at', 'closedAt'],
  description: ['body'],
};

const issue = record({
  number: z.number().int(),
  title: z.string(),
  html_url: optionalText,
  url: optionalText,
  repository_url: optionalText,
  state_reason: optionalText,
  pull_request: anything,
  isPullRequest: z.boolean().nullish(),
  comments: z.union([z.number(), list(record({ user: anything, author: anything, body: optionalText, created_at: anything, createdAt: anything }))]).nullish(),
});

type GitHubIssue = z.infer<typeof issue>;

const isIssue = (x: unknown) => has(x, 'number', 'title') && typeof x.number === 'number' && typeof x.title === 'string';
const looksGitHub = (i: Record<string, unknown>) =>
  String(i.html_url ?? '').includes('github') || String(i.url ?? '').includes('github') || !!i.repository_url || (has(i.user, 'login')) || has(i.author, 'login');

/**
 * REST objects (`/repos/o/r/issues`, search `{ items }`), `gh issue list --json` objects, and
 * recorded API exchanges (`[{ request…, response }]`, as test fixtures store them).
 */
export function githubRecords(data: unknown): unknown[] | null {
  const unwrap = (d: unknown): unknown[] => {
    if (Array.isArray(d)) return d.flatMap((x) => (has(x, 'response') ? unwrap(x.response) : [x]));
    if (has(d, 'items') && Array.isArray(d.items)) return d.items;
    if (has(d, 'response')) return unwrap(d.response);
    return d && typeof d === 'object' ? [d] : [];
  };
  const issues = unwrap(data).filter(isIssue) as Array<Record<string, unknown>>;
  return issues.length && issues.some(looksGitHub) ? issues : null;
}

export const GITHUB_JSON: TicketFormat<GitHubIssue> = {
  name: 'github-json',
  schema: issue,
  label: (raw) => (has(raw, 'number') ? `#${String(raw.number)}` : null),
  toTicket(i, source) {
    const m = mapFields(GITHUB_JSON_FIELDS, i);
    const url = i.html_url ?? (i.url?.includes('github.com/') ? i.url : undefined);
    const repo = /github\.com\/([^/]+\/[^/]+)\//.exec(url ?? '')?.[1] ?? /repos\/([^/]+\/[^/]+)/.exec(i.repository_url ?? '')?.[1] ?? 'unknown/unknown';
    const key = `${repo}#${i.number}`;
    const isPr = !!i.pull_request || i.isPullRequest === true || /\/pull\/\d+/.test(url ?? '');
    const comments = Array.isArray(i.comments) ? i.comments : [];
    return {
      system: 'github',
      format: 'github-json',
      key,
      title: i.title,
      source: `${source}#${key}`,
      url: url ?? null,
      type: isPr ? 'pull request' : 'issue',
      status: i.state_reason ? `${m.status} (${i.state_reason})` : m.status,
      reporter: m.reporter,
      assignee: m.assignee,
      people: m.people,
      labels: m.labels,
      created: m.created,
      resolved: m.resolved,
      description: m.description,
      comments: comments.map((c) => ({ author: fieldPerson(c.user) ?? fieldPerson(c.author), created: parseTrackerDate(c.created_at ?? c.createdAt), body: c.body ?? '' })),
      refs: [ref.github(repo, i.number)],
      metadata: { repository: repo, pullRequest: isPr, commentCount: Array.isArray(i.comments) ? i.comments.length : (i.comments ?? 0) },
    } satisfies Ticket;
  },
};
