import type { FieldEntity, ParsedDocument } from '../parsed-document.js';
import { personName } from '../../entities/placeholders.js';
import { ref } from '../../entities/refs.js';
import { sha256 } from '../../common/hash.js';

/** A ticket from any tracker, before it becomes a document. */
export interface Ticket {
  system: 'jira' | 'github' | 'gitlab' | 'pagerduty' | 'opsgenie' | 'linear' | 'servicenow' | 'zendesk' | 'csv';
  format: string;
  /** The tracker's key; null when the record had none (its source then names its row). */
  key: string | null;
  title: string;
  /** Where it came from: `file#KEY`, or `file#row-N` for a record without a key. */
  source: string;
  url?: string | null;
  type?: string | null;
  status?: string | null;
  resolution?: string | null;
  priority?: string | null;
  severity?: string | null;
  assignee?: string | null;
  reporter?: string | null;
  /** The team queue or board an assignee/reporter account stood for ("Backlog - Evergreen Team"); not a person. */
  queue?: string | null;
  labels?: string[];
  components?: string[];
  services?: string[];
  created?: string | null;
  resolved?: string | null;
  /** Incident roles and times, when the tracker records them (see TicketIncidentFacts). */
  incidentCommander?: string | null;
  resolvedBy?: string | null;
  acknowledgedBy?: string | null;
  acknowledged?: string | null;
  mitigated?: string | null;
  /** ServiceNow close code ("Solved (Permanently)"), Opsgenie/Zendesk equivalents. */
  closeCode?: string | null;
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

/**
 * What a ticket says about the incident it records, kept structured in `metadata.incident` for
 * the incident records built from tickets: people with roles, times, and how it was closed
 * (the close notes are the mitigation applied). Null when the tracker does not say.
 */
export interface TicketIncidentFacts {
  assignee: string | null;
  reporter: string | null;
  commander: string | null;
  resolvedBy: string | null;
  acknowledgedBy: string | null;
  createdAt: string | null;
  acknowledgedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  closeCode: string | null;
  closeNotes: string | null;
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
    ['Assignee', personName(t.assignee)],
    ['Reporter', personName(t.reporter)],
    ['Queue', t.queue],
    ['Labels', t.labels?.join(', ')],
    ['Components', t.components?.join(', ')],
    ['Services', t.services?.join(', ')],
    ['Incident commander', t.incidentCommander],
    ['Resolved by', t.resolvedBy],
    ['Acknowledged by', t.acknowledgedBy],
    ['Created', t.created],
    ['Acknowledged', t.acknowledged],
    ['Mitigated', t.mitigated],
    ['Resolved', t.resolved],
    ['Close code', t.closeCode],
  ];
  const lines = facts.filter(([, v]) => v).map(([k, v]) => `- **${k}**: ${v}`);
  const heading = t.key ? `${t.key}: ${t.title}` : t.title;
  const sections = [`# ${heading}`, lines.join('\n')];
  if (t.description?.trim()) sections.push(`## Description\n\n${t.description.trim()}`);
  if (t.resolutionNotes?.trim()) sections.push(`## Resolution\n\n${t.resolutionNotes.trim()}`);
  const comments = (t.comments ?? []).filter((c) => c.body.trim());
  if (comments.length) {
    sections.push(
      `## Comments\n\n${comments.map((c) => `**${c.author ?? 'unknown'}**${c.created ? ` ${c.created.slice(0, 16).replace('T', ' ')}` : ''}\n${c.body.trim()}`).join('\n\n')}`,
    );
  }
  if (t.links?.length) sections.push(`## Links\n\n${t.links.map((l) => `- ${l.relation} ${l.target.replace(/^ticket:/, '')}`).join('\n')}`);
  // Placeholders ("Unassigned") and machine ids (JIRAUSER123, sys_ids) are never people.
  const people = new Set(
    [t.assignee, t.reporter, t.incidentCommander, t.resolvedBy, t.acknowledgedBy, ...(t.people ?? []), ...comments.map((c) => c.author)]
      .map((p) => personName(p))
      .filter((p): p is string => !!p),
  );
  const incident: TicketIncidentFacts = {
    assignee: personName(t.assignee),
    reporter: personName(t.reporter),
    commander: personName(t.incidentCommander),
    resolvedBy: personName(t.resolvedBy),
    acknowledgedBy: personName(t.acknowledgedBy),
    createdAt: t.created ?? null,
    acknowledgedAt: t.acknowledged ?? null,
    mitigatedAt: t.mitigated ?? null,
    resolvedAt: t.resolved ?? null,
    closeCode: t.closeCode ?? null,
    closeNotes: t.resolutionNotes?.trim() || null,
  };
  const fields: FieldEntity[] = [
    ...[...people].map((name) => ({ type: 'person' as const, name })),
    ...[...(t.components ?? []), ...(t.services ?? [])].map((name) => ({ type: 'service' as const, name })),
  ];
  return {
    // A record without a key is known by its file and row, as a file's document is by its path
    // (so browser-mode relabelling, which rehashes `file:` uids from the source, applies to it too).
    uid: t.key ? `${t.system}:${t.key}` : `file:${sha256(t.source).slice(0, 32)}`,
    kind: 'ticket',
    format: t.format,
    title: heading.slice(0, 300),
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
      assignee: personName(t.assignee),
      reporter: personName(t.reporter),
      ...(t.queue ? { queue: t.queue } : {}),
      labels: t.labels ?? [],
      components: t.components ?? [],
      comments: comments.length,
      ...t.metadata,
      incident,
    },
    body: sections.join('\n\n'),
    refs: [...(t.key && (t.system === 'jira' || t.system === 'linear') ? [ref.ticket(t.key)] : []), ...(t.refs ?? [])],
    links: t.links ?? [],
    fields,
  };
}
