import type { DocumentKind, EntityType } from '../contract.js';

/** What a format parser produces: one document, normalized to Markdown, ready to chunk and store. */
export interface ParsedDocument {
  /** Stable identity across re-imports. */
  uid: string;
  kind: DocumentKind;
  format: string;
  title: string;
  /** Absolute path as imported, archive member ("zip!member"), or URL. */
  source: string;
  url: string | null;
  externalId: string | null;
  occurredAt: string | null;
  resolvedAt: string | null;
  severity: string | null;
  status: string | null;
  metadata: Record<string, unknown>;
  /** Normalized Markdown. */
  body: string;
  /** References this document answers to (ticket key, Slack message ids...); its URL is added at import. */
  refs: string[];
  /** Links its structure states (Jira issue links); mentions in the text are found at import. */
  links: Array<{ target: string; relation: string }>;
  /** Entities named by structured fields (assignee, components, participants, authors). */
  fields: FieldEntity[];
}

export interface FieldEntity {
  type: EntityType;
  name: string;
}
