import { normaliseUrl } from './extract.js';

/**
 * References: the names by which documents point at each other. A document answers to some
 * (its ticket key, its URL, the Slack messages it holds); links name others.
 */
export const ref = {
  ticket: (key: string) => `ticket:${key.toUpperCase()}`,
  github: (repo: string, number: number | string) => `github:${repo.toLowerCase()}#${number}`,
  pagerduty: (idOrNumber: string | number) => `pagerduty:${String(idOrNumber).toUpperCase()}`,
  slack: (channelId: string, ts: string) => `slack:${channelId}:${ts}`,
  servicenow: (number: string) => `servicenow:${number.toUpperCase()}`,
  url: (url: string) => `url:${normaliseUrl(url)}`,
};

/** The references a URL stands for: itself, plus the record it addresses in a known tool. */
export function refsFromUrl(raw: string): string[] {
  const out = [ref.url(raw)];
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return out;
  }
  const path = u.pathname;
  const jira = /\/browse\/([A-Z][A-Z0-9]{1,9}-\d+)/.exec(path) ?? (u.searchParams.get('selectedIssue') ? [null, u.searchParams.get('selectedIssue')] : null);
  if (jira?.[1]) out.push(ref.ticket(jira[1]));
  const gh = /^\/([^/]+\/[^/]+)\/(?:issues|pull)\/(\d+)/.exec(path);
  if (u.hostname === 'github.com' && gh) out.push(ref.github(gh[1]!, gh[2]!));
  const pd = /\/incidents\/([A-Z0-9]+)/i.exec(path);
  if (u.hostname.endsWith('pagerduty.com') && pd) out.push(ref.pagerduty(pd[1]!));
  // https://team.slack.com/archives/C123ABC/p1590000000000100?thread_ts=1589999999.000200
  const slack = /\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(path);
  if (u.hostname.endsWith('slack.com') && slack) {
    out.push(ref.slack(slack[1]!, `${slack[2]}.${slack[3]}`));
    const thread = u.searchParams.get('thread_ts');
    if (thread) out.push(ref.slack(slack[1]!, thread));
  }
  const sn = /[?&]sysparm_query=number=(INC\d+)|\/(INC\d{6,})/i.exec(raw);
  if (sn) out.push(ref.servicenow((sn[1] ?? sn[2])!));
  return out;
}
