import type { DocumentKind } from '../contract.js';

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
}
