import type { DocumentKind, SectionRole } from '../contract.js';

/** Where a value was read: the record, its heading path, and the span of the body it came from. */
export interface Provenance {
  documentId: number;
  /** Heading path (" > " separated, as the chunker writes it), or null for the title and structured fields. */
  section: string | null;
  /** [start, end) offsets into the record's body. */
  start?: number;
  end?: number;
}

export interface Sourced<T> {
  value: T;
  from: Provenance;
}

export type PersonRole = 'lead' | 'resolver' | 'author' | 'reporter' | 'participant';
export const PERSON_ROLES: readonly PersonRole[] = ['lead', 'resolver', 'author', 'reporter', 'participant'];

export type ActionStatus = 'open' | 'done' | 'unknown';

export interface ActionItem {
  text: string;
  status: ActionStatus;
  /**
   * The tracker record it points at, in `document_refs` form (`ticket:OPS-42`,
   * `github:owner/repo#12`, `pagerduty:P1`, `servicenow:INC1`), so that it joins the ticket's record.
   */
  ticket: string | null;
}

export interface Person {
  name: string;
  role: PersonRole;
}

export interface IncidentFields {
  title: Sourced<string> | null;
  /** Services / components affected. */
  services: Array<Sourced<string>>;
  /** What users or on-call saw. */
  symptom: Sourced<string> | null;
  /** What set it off (a deploy, a certificate expiring, a config push). */
  trigger: Sourced<string> | null;
  rootCause: Sourced<string> | null;
  /** A few key phrases of how it failed ("expired certificate", "crash loop"). */
  mechanism: string[];
  /** Taxonomy ids, multi-label; `score` is the evidence sum (≥ the taxonomy's threshold). */
  failureModes: Array<Sourced<string> & { score: number }>;
  /** What was done to stop it: never follow-up action items, never a ticket's close code. */
  mitigation: Sourced<string> | null;
  actionItems: Array<Sourced<ActionItem>>;
  people: Array<Sourced<Person>>;
  severity: Sourced<string> | null;
  /** ISO 8601 UTC. */
  startedAt: Sourced<string> | null;
  detectedAt: Sourced<string> | null;
  mitigatedAt: Sourced<string> | null;
  resolvedAt: Sourced<string> | null;
}

/** A passage of the record as the chunker cut it (`native/chunk/chunker.ts`). */
export interface RecordSection {
  heading: string;
  role: SectionRole;
  start: number;
  end: number;
  text: string;
}

/**
 * One record (document) as extraction reads it. `fieldServices` and `refs` were added to the
 * brief's shape: services named by structured fields (front-matter, ticket components) are only
 * in the parsed document's field entities, and an action item's ticket can only be matched to a
 * ticket record through the references that record answers to.
 */
export interface IncidentRecord {
  documentId: number;
  kind: DocumentKind;
  format: string;
  title: string;
  /** Markdown. */
  body: string;
  occurredAt: string | null;
  resolvedAt: string | null;
  severity: string | null;
  status: string | null;
  metadata: Record<string, unknown>;
  sections: RecordSection[];
  /** People named by structured fields: front-matter authors, ticket assignee/reporter/commenters, chat participants. */
  fieldPeople: string[];
  /** Services named by structured fields: front-matter services, ticket components/services. */
  fieldServices?: string[];
  /** References this record answers to (`ticket:LF-212`, `github:o/r#7`, `slack:C1:…`). */
  refs?: string[];
}
