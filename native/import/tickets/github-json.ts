import { ref } from '../../entities/refs.js';
import { parseTrackerDate } from './dates.js';
import type { Ticket } from './ticket.js';

interface GitHubIssue {
  number: number;
  title: string;
  body?: string | null;
  state?: string;
  html_url?: string;
  url?: string;
  user?: { login?: string } | null;
  author?: { login?: string } | null;
  assignee?: { login?: string } | null;
  assignees?: Array<{ login?: string }>;
  labels?: Array<{ name?: string } | string>;
  created_at?: string;
  createdAt?: string;
  closed_at?: string | null;
  closedAt?: string | null;
  pull_request?: unknown;
  isPullRequest?: boolean;
  repository_url?: string;
  comments?: number | Array<{ user?: { login?: string }; author?: { login?: string }; body?: string; created_at?: string; createdAt?: string }>;
  state_reason?: string | null;
}

/**
 * GitHub issues: REST objects (`/repos/o/r/issues`, search `{ items }`), `gh issue list --json`
 * objects, and recorded API exchanges (`[{ request…, response }]`, as test fixtures store them).
 */
function githubIssues(data: unknown): GitHubIssue[] | null {
  const isIssue = (x: unknown) => !!x && typeof x === 'object' && typeof (x as GitHubIssue).number === 'number' && typeof (x as GitHubIssue).title === 'string';
  const unwrap = (d: unknown): unknown[] => {
    if (Array.isArray(d)) return d.flatMap((x) => (x && typeof x === 'object' && 'response' in (x as object) ? unwrap((x as { response: unknown }).response) : [x]));
    if (d && typeof d === 'object') {
      const o = d as { items?: unknown; response?: unknown };
      if (Array.isArray(o.items)) return o.items;
      if ('response' in o) return unwrap(o.response);
      return [d];
    }
    return [];
  };
  const list = unwrap(data);
  const issues = list.filter(isIssue) as GitHubIssue[];
  const looksGitHub = issues.some((i) => i.html_url?.includes('github') || i.repository_url || i.user?.login || i.author?.login || i.url?.includes('github'));
  return issues.length && looksGitHub ? issues : null;
}

export function isGitHubJson(data: unknown): boolean {
  return githubIssues(data) !== null;
}

export function githubTickets(data: unknown, source: string): Ticket[] {
  const seen = new Set<string>();
  return (githubIssues(data) ?? []).flatMap((i) => {
    const url = i.html_url ?? (i.url?.includes('github.com/') ? i.url : undefined);
    const repo = /github\.com\/([^/]+\/[^/]+)\//.exec(url ?? '')?.[1] ?? /repos\/([^/]+\/[^/]+)/.exec(i.repository_url ?? '')?.[1] ?? 'unknown/unknown';
    const key = `${repo}#${i.number}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const isPr = !!i.pull_request || i.isPullRequest === true || /\/pull\/\d+/.test(url ?? '');
    return [{
      system: 'github',
      format: 'github-json',
      key,
      title: i.title,
      source: `${source}#${key}`,
      url: url ?? null,
      type: isPr ? 'pull request' : 'issue',
      status: i.state_reason ? `${i.state} (${i.state_reason})` : (i.state ?? null),
      reporter: i.user?.login ?? i.author?.login ?? null,
      assignee: i.assignee?.login ?? i.assignees?.[0]?.login ?? null,
      people: (i.assignees ?? []).map((a) => a.login).filter((x): x is string => !!x),
      labels: (i.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
      created: parseTrackerDate(i.created_at ?? i.createdAt),
      resolved: parseTrackerDate(i.closed_at ?? i.closedAt),
      description: i.body ?? '',
      comments: Array.isArray(i.comments)
        ? i.comments.map((c) => ({ author: c.user?.login ?? c.author?.login ?? null, created: parseTrackerDate(c.created_at ?? c.createdAt), body: c.body ?? '' }))
        : [],
      refs: [ref.github(repo, i.number)],
      metadata: { repository: repo, pullRequest: isPr, commentCount: Array.isArray(i.comments) ? i.comments.length : (i.comments ?? 0) },
    } satisfies Ticket];
  });
}
