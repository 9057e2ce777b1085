import { basename } from 'node:path';
import { sha256 } from '../../common/hash.js';
import type { ParsedDocument } from '../parsed-document.js';
import { occurredAt, resolvedAt, titleOf } from '../document-facts.js';
import { IMPORT_LIMITS } from '../limits.js';
import { HindsightError } from '../../common/errors.js';

/** Fields of front-matter that are copied into a document's metadata as they are. */
const KEPT_KEYS = ['author', 'authors', 'owner', 'owners', 'severity', 'status', 'service', 'services', 'tags', 'team', 'source', 'license'];

/**
 * A postmortem document from Markdown (already converted from its original format) and whatever
 * front-matter it had.
 */
export function postmortemDocument(
  path: string,
  format: string,
  markdown: string,
  frontMatter: Record<string, unknown> = {},
): ParsedDocument {
  const body = markdown.replace(/\n{3,}/g, '\n\n').trim();
  if (!body) throw new HindsightError('empty', `${path} has no text to import.`);
  if (body.length > IMPORT_LIMITS.maxBodyChars) {
    throw new HindsightError('too-large', `${path} has ${body.length.toLocaleString()} characters of text; the limit is ${IMPORT_LIMITS.maxBodyChars.toLocaleString()}.`);
  }
  const name = basename(path);
  const metadata: Record<string, unknown> = {};
  for (const k of KEPT_KEYS) if (frontMatter[k] !== undefined) metadata[k] = frontMatter[k];
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return {
    uid: `file:${sha256(path).slice(0, 32)}`,
    kind: 'postmortem',
    format,
    title: titleOf(frontMatter, body, name),
    source: path,
    url: str(frontMatter.url) ?? str(frontMatter.link),
    externalId: str(frontMatter.id),
    occurredAt: occurredAt(frontMatter, name, body),
    resolvedAt: resolvedAt(frontMatter, body),
    severity: str(frontMatter.severity) ?? str(frontMatter.sev),
    status: str(frontMatter.status),
    metadata,
    body,
    refs: [],
    links: [],
    fields: [
      ...listOf(frontMatter.author ?? frontMatter.authors ?? frontMatter.owner ?? frontMatter.owners).map((name) => ({ type: 'person' as const, name })),
      ...listOf(frontMatter.service ?? frontMatter.services).map((name) => ({ type: 'service' as const, name })),
    ],
  };
}

/** A front-matter value that may be one string, a comma list or a YAML list. */
function listOf(v: unknown): string[] {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && !!x.trim()).map((s) => s.trim());
  return [];
}
