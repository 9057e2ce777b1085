import type { DocumentFields, EntityType } from '../contract.js';

/** What a format parser produces: one document, normalized to Markdown, ready to chunk and store. */
export interface ParsedDocument extends DocumentFields {
  /** Stable identity across re-imports. */
  uid: string;
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
