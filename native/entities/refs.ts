import { normaliseUrl } from './extract.js';

/**
 * References: the names by which documents point at each other. A document answers to some
 * (its ticket key, its URL, the Slack messages it holds); links name others.
 */
export const ref = {
  ticket: (key: string) => `ticket:${key.toUpperCase()}`,
  github: (repo: string, number: number | string) => `github:${repo.toLowerCase()}#${number}`,
  gitlab: (project: string, iid: number | string) => `gitlab:${project.toLowerCase()}#${iid}`,
  opsgenie: (idOrAlias: string) => `opsgenie:${idOrAlias.toLowerCase()}`,
  zendesk: (id: number | string) => `zendesk:${id}`,
  pagerduty: (idOrNumber: string | number) => `pagerduty:${String(idOrNumber).toUpperCase()}`,
  slack: (channelId: string, ts: string) => `slack:${channelId}:${ts}`,
  servicenow: (number: string) => `servicenow:${number.toUpperCase()}`,
  /** A ServiceNow record known by no number: its table and sys_id or display value ("problem/problem id 2"). */
  servicenowRecord: (table: string, id: string) => `servicenow:${table}/${id.trim().toLowerCase().replace(/\s+/g, ' ')}`,
  url: (url: string) => `url:${normaliseUrl(url)}`,
};

/**
 * The relation of a ticket to the problem record it cites (ServiceNow's problem_id): tickets
 * citing one problem within hours of each other are one event (incidents/build.ts).
 */
export const PROBLEM_RELATION = 'problem';

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
  // https://gitlab.example.com/group/sub/proj/-/issues/7 (also /-/issues/incident/7, /-/incidents/7)
  const gl = /^\/(.+?)\/-\/(?:issues\/incident|issues|incidents|work_items)\/(\d+)/.exec(path);
  if (gl && u.hostname !== 'github.com') out.push(ref.gitlab(gl[1]!, gl[2]!));
  const og = /\/(?:alert|incident)\/detail\/([0-9a-f-]{36}(?:-\d+)?)/i.exec(path);
  if (u.hostname.endsWith('opsgenie.com') && og) out.push(ref.opsgenie(og[1]!));
  const zd = /\/(?:agent\/tickets|api\/v2\/tickets|hc\/[^/]+\/requests|requests)\/(\d+)/.exec(path);
  if (u.hostname.endsWith('zendesk.com') && zd) out.push(ref.zendesk(zd[1]!));
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
