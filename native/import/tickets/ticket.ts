import type { FieldEntity, ParsedDocument } from '../parsed-document.js';
import { ref } from '../../entities/refs.js';

/** A ticket from any tracker, before it becomes a document. */
export interface Ticket {
  system: 'jira' | 'github' | 'pagerduty' | 'linear' | 'servicenow' | 'csv';
  format: string;
  key: string;
  title: string;
  source: string;
  url?: string | null;
  type?: string | null;
  status?: string | null;
  resolution?: string | null;
  priority?: string | null;
  severity?: string | null;
  assignee?: string | null;
  reporter?: string | null;
  labels?: string[];
  components?: string[];
  services?: string[];
  created?: string | null;
  resolved?: string | null;
  /** Markdown. */
  description?: string;
  /** How it was resolved, when the tracker records it (close notes, resolution text). */
  resolutionNotes?: string;
  comments?: Array<{ author?: string | null; created?: string | null; body: string }>;
  /** Links to other tickets: relation as the tracker words it ("is duplicated by"). */
  links?: Array<{ relation: string; target: string }>;
  refs?: string[];
  people?: string[];
  metadata?: Record<string, unknown>;
}

/** Renders a ticket as a document: fields up front, then description, resolution, comments in order. */
export function ticketDocument(t: Ticket): ParsedDocument {
  const facts: Array<[string, string | null | undefined]> = [
    ['Key', t.key],
    ['Type', t.type],
    ['Status', t.status],
    ['Resolution', t.resolution],
    ['Priority', t.priority],
    ['Severity', t.severity],
    ['Assignee', t.assignee],
    ['Reporter', t.reporter],
    ['Labels', t.labels?.join(', ')],
    ['Components', t.components?.join(', ')],
    ['Services', t.services?.join(', ')],
    ['Created', t.created],
    ['Resolved', t.resolved],
  ];
  const lines = facts.filter(([, v]) => v).map(([k, v]) => `- **${k}**: ${v}`);
  const sections = [`# ${t.key}: ${t.title}`, lines.join('\n')];
  if (t.description?.trim()) sections.push(`## Description\n\n${t.description.trim()}`);
  if (t.resolutionNotes?.trim()) sections.push(`## Resolution\n\n${t.resolutionNotes.trim()}`);
  const comments = (t.comments ?? []).filter((c) => c.body.trim());
  if (comments.length) {
    sections.push(
      `## Comments\n\n${comments.map((c) => `**${c.author ?? 'unknown'}**${c.created ? ` ${c.created.slice(0, 16).replace('T', ' ')}` : ''}\n${c.body.trim()}`).join('\n\n')}`,
    );
  }
  if (t.links?.length) sections.push(`## Links\n\n${t.links.map((l) => `- ${l.relation} ${l.target.replace(/^ticket:/, '')}`).join('\n')}`);
  // Opaque account ids (Jira's JIRAUSER123) name nobody a reader would recognise.
  const people = new Set(
    [t.assignee, t.reporter, ...(t.people ?? []), ...comments.map((c) => c.author)].filter((p): p is string => !!p?.trim() && !/^JIRAUSER\d+$/i.test(p)),
  );
  const fields: FieldEntity[] = [
    ...[...people].map((name) => ({ type: 'person' as const, name })),
    ...[...(t.components ?? []), ...(t.services ?? [])].map((name) => ({ type: 'service' as const, name })),
  ];
  return {
    uid: `${t.system}:${t.key}`,
    kind: 'ticket',
    format: t.format,
    title: `${t.key}: ${t.title}`.slice(0, 300),
    source: t.source,
    url: t.url ?? null,
    externalId: t.key,
    occurredAt: t.created ?? null,
    resolvedAt: t.resolved ?? null,
    severity: t.severity ?? t.priority ?? null,
    status: t.status ?? null,
    metadata: {
      system: t.system,
      type: t.type ?? null,
      priority: t.priority ?? null,
      resolution: t.resolution ?? null,
      assignee: t.assignee ?? null,
      reporter: t.reporter ?? null,
      labels: t.labels ?? [],
      components: t.components ?? [],
      comments: comments.length,
      ...t.metadata,
    },
    body: sections.join('\n\n'),
    refs: [...(t.system === 'jira' || t.system === 'linear' ? [ref.ticket(t.key)] : []), ...(t.refs ?? [])],
    links: t.links ?? [],
    fields,
  };
}
