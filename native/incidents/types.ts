import type { DocumentKind } from '../contract.js';

// The field types are the contract's: one definition from extraction to the screen.
export type { ActionItem, ActionStatus, IncidentFields, Person, PersonRole, Provenance, Sourced } from '../contract.js';
export { PERSON_ROLES } from '../contract.js';

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
  /** People named by structured fields: front-matter authors, ticket assignee/reporter/commenters, chat participants. */
  fieldPeople: string[];
  /** Services named by structured fields: front-matter services, ticket components/services. */
  fieldServices?: string[];
  /** References this record answers to (`ticket:LF-212`, `github:o/r#7`, `slack:C1:…`). */
  refs?: string[];
}
