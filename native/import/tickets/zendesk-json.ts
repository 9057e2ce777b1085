import * as z from 'zod';
import { ref } from '../../entities/refs.js';
import { mapFields, type TicketFieldMap } from './field-map.js';
import type { TicketFormat } from './record-source.js';
import { anything, has, id, list, optionalText, record, someOf } from './schema.js';
import type { Ticket } from './ticket.js';

/**
 * Zendesk tickets → ticket fields, in order of preference. People are ids in the API
 * (requester_id, assignee_id); they become names only when the export side-loads `users`
 * (`?include=users`), which zendeskRecords resolves into `assignee` / `requester` objects.
 */
export const ZENDESK_FIELDS: TicketFieldMap = {
  key: ['id'],
  title: ['subject', 'raw_subject'],
  type: ['type'],
  status: ['status'],
  priority: ['priority'],
  assignee: ['assignee', 'assignee_id'],
  reporter: ['requester', 'submitter', 'requester_id'],
  labels: ['tags'],
  components: ['group', 'organization'],
  created: ['created_at'],
  resolved: ['metric_set.solved_at', 'solved_at'],
  description: ['description'],
};

const ticket = record({
  id: id,
  url: optionalText,
  subject: optionalText,
  raw_subject: optionalText,
  problem_id: z.union([z.number(), z.string()]).nullish(),
  via: record({ channel: optionalText }).nullish(),
  comments: list(record({ body: optionalText, plain_body: optionalText, author: anything, author_id: anything, created_at: anything, public: z.boolean().nullish() })),
  satisfaction_rating: anything,
});

type ZendeskTicket = z.infer<typeof ticket>;

const isTicket = (x: unknown) => has(x, 'id', 'subject') && (has(x, 'requester_id') || has(x, 'via') || String((x as { url?: unknown }).url ?? '').includes('zendesk'));

/** `{ tickets: [...] }` (list, search, incremental export), `{ ticket: {...} }`, or bare tickets. */
export function zendeskRecords(data: unknown): unknown[] | null {
  const list = Array.isArray(data) ? data : has(data, 'tickets') && Array.isArray(data.tickets) ? data.tickets : has(data, 'ticket') ? [data.ticket] : isTicket(data) ? [data] : null;
  if (!list?.length || !someOf(list, isTicket)) return null;
  const users = new Map<string, unknown>();
  if (has(data, 'users') && Array.isArray(data.users)) for (const u of data.users) if (has(u, 'id')) users.set(String(u.id), u);
  if (!users.size) return list;
  const user = (v: unknown) => (v === null || v === undefined ? undefined : users.get(String(v)));
  return list.map((t) => (has(t, 'id') ? { ...t, assignee: user(t.assignee_id), requester: user(t.requester_id), submitter: user(t.submitter_id) } : t));
}

export const ZENDESK_JSON: TicketFormat<ZendeskTicket> = {
  name: 'zendesk-json',
  schema: ticket,
  label: (raw) => (has(raw, 'id') ? `#${String(raw.id)}` : null),
  toTicket(t, source) {
    const m = mapFields(ZENDESK_FIELDS, t);
    const key = `ZD-${t.id}`;
    // The API gives the JSON URL; people open the agent view.
    const agent = /^(https:\/\/[^/]+)\/api\/v2\/tickets\/(\d+)/.exec(t.url ?? '');
    const comments = t.comments.slice(1).map((c) => ({ author: null, created: null, body: c.plain_body ?? c.body ?? '' }));
    return {
      system: 'zendesk',
      format: 'zendesk-json',
      key,
      title: m.title ?? key,
      source: `${source}#${key}`,
      url: agent ? `${agent[1]}/agent/tickets/${agent[2]}` : null,
      type: m.type,
      status: m.status,
      priority: m.priority,
      assignee: m.assignee,
      reporter: m.reporter,
      labels: m.labels,
      components: m.components,
      created: m.created,
      resolved: m.resolved ?? null,
      description: m.description,
      comments,
      links: t.problem_id ? [{ relation: 'is an incident of', target: ref.zendesk(t.problem_id) }] : [],
      refs: [ref.zendesk(t.id)],
      metadata: { channel: t.via?.channel ?? null, satisfaction: has(t.satisfaction_rating, 'score') ? String(t.satisfaction_rating.score) : null },
    } satisfies Ticket;
  },
};
