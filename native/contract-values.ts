/**
 * Plain values of the contract that need no schema library: `native/contract.ts` re-exports them,
 * and the CLI reads them from here so that `hindsight --help` does not load zod (about two thirds
 * of the CLI's start-up CPU before this split). Imports nothing.
 */

/** What a document is. */
export const DOCUMENT_KINDS = ['postmortem', 'slack-thread', 'ticket'] as const;

/** Fields a generic CSV column mapping may fill. */
export const CSV_MAP_FIELDS = ['title', 'body', 'key', 'created', 'resolved', 'status', 'priority', 'assignee', 'reporter', 'labels', 'service', 'url'] as const;
