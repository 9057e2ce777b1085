import * as z from 'zod';
import { ref } from '../../entities/refs.js';
import { parseTrackerDate } from './dates.js';
import { mapFields, type TicketFieldMap } from './field-map.js';
import type { TicketFormat } from './record-source.js';
import { anything, has, list, optionalText, record, someOf } from './schema.js';
import type { Ticket } from './ticket.js';
import { fieldPerson, fieldText } from './values.js';

/**
 * GitLab issues and incidents → ticket fields, in order of preference: REST v4 objects
 * (`/projects/:id/issues`) and the project export's `tree/project/issues.ndjson` lines (which name
 * labels through label_links and people only by id, except note authors).
 */
export const GITLAB_FIELDS: TicketFieldMap = {
  key: ['iid'],
  title: ['title'],
  url: ['web_url'],
  type: ['issue_type', 'type'],
  status: ['state'],
  severity: ['severity'],
  assignee: ['assignee', 'assignees.0'],
  reporter: ['author'],
  resolvedBy: ['closed_by'],
  people: ['assignees'],
  labels: ['labels', 'label_links'],
  created: ['created_at'],
  resolved: ['closed_at'],
  description: ['description'],
};

const issue = record({
  iid: z.number().int(),
  id: z.number().nullish(),
  project_id: z.number().nullish(),
  title: z.string(),
  web_url: optionalText,
  state: optionalText,
  references: record({ full: optionalText }).nullish(),
  notes: list(record({ note: optionalText, system: z.boolean().nullish(), author: anything, created_at: anything })),
  resource_state_events: list(record({ state: optionalText, created_at: anything })),
});

type GitLabIssue = z.infer<typeof issue>;

const isIssue = (x: unknown) => has(x, 'iid', 'title') && typeof x.iid === 'number' && (has(x, 'web_url') || has(x, 'project_id') || has(x, 'references') || has(x, 'author_id'));

export function gitlabRecords(data: unknown): unknown[] | null {
  const list = Array.isArray(data) ? data : isIssue(data) ? [data] : null;
  return list?.length && someOf(list, isIssue) ? list : null;
}

/** "https://gitlab.com/group/sub/proj/-/issues/7" or references.full "group/sub/proj#7" → "group/sub/proj". */
function projectOf(i: GitLabIssue): string {
  const fromUrl = /^https?:\/\/[^/]+\/(.+?)\/-\/(?:issues|incidents|work_items)\b/.exec(i.web_url ?? '')?.[1];
  const fromRef = /^(.+)#\d+$/.exec(i.references?.full ?? '')?.[1];
  return fromUrl ?? fromRef ?? `project-${i.project_id ?? 'unknown'}`;
}

export const GITLAB_JSON: TicketFormat<GitLabIssue> = {
  name: 'gitlab-json',
  schema: issue,
  label: (raw) => (has(raw, 'iid') ? `#${String(raw.iid)}` : null),
  toTicket(i, source) {
    const m = mapFields(GITLAB_FIELDS, i);
    const project = projectOf(i);
    const key = `${project}#${i.iid}`;
    // The export has no closed_at; its state events say when it was closed last.
    const closedEvent = [...i.resource_state_events].reverse().find((e) => e.state === 'closed');
    const resolved = m.status === 'closed' ? (m.resolved ?? parseTrackerDate(closedEvent?.created_at)) : null;
    const type = m.type?.toLowerCase() ?? 'issue';
    return {
      system: 'gitlab',
      format: 'gitlab-json',
      key,
      title: i.title,
      source: `${source}#${key}`,
      url: m.url,
      type,
      status: m.status,
      severity: m.severity,
      assignee: m.assignee,
      reporter: m.reporter,
      resolvedBy: m.resolvedBy,
      people: m.people,
      labels: m.labels,
      components: m.components,
      created: m.created,
      resolved,
      description: m.description,
      comments: i.notes.filter((n) => !n.system).map((n) => ({ author: fieldPerson(n.author), created: parseTrackerDate(n.created_at), body: n.note ?? '' })),
      refs: [ref.gitlab(project, i.iid)],
      metadata: { project, isIncident: type === 'incident', milestone: fieldText((i as Record<string, unknown>).milestone) },
    } satisfies Ticket;
  },
};
