import { HindsightError } from '../../common/errors.js';
import type { ImportFileError } from '../../contract.js';
import { findDate } from '../document-facts.js';
import type { ParsedDocument } from '../parsed-document.js';
import { htmlDocument } from './html.js';

/**
 * Confluence REST API pages (v1 `/rest/api/content?expand=body.storage`, search results, and
 * v2 `/api/v2/pages?body-format=storage`): one page or a `results` list. The body is read from
 * `body.storage.value` (storage format), else `body.export_view` / `body.view` (rendered HTML).
 */
interface Page {
  id?: string | number;
  type?: string;
  title?: string;
  status?: string;
  body?: Record<string, { value?: string; representation?: string } | undefined>;
  space?: { key?: string; name?: string };
  spaceId?: string;
  history?: { createdDate?: string; createdBy?: { displayName?: string } };
  version?: { when?: string; createdAt?: string; by?: { displayName?: string }; number?: number };
  createdAt?: string;
  metadata?: { labels?: { results?: Array<{ name?: string }> } };
  _links?: { webui?: string; base?: string; tinyui?: string };
}

function bodyOf(p: Page): string | undefined {
  return p.body?.storage?.value ?? p.body?.export_view?.value ?? p.body?.view?.value ?? p.body?.styled_view?.value;
}

function isPage(x: unknown): x is Page {
  return !!x && typeof x === 'object' && typeof (x as Page).title === 'string' && typeof bodyOf(x as Page) === 'string';
}

export function isConfluenceJson(data: unknown): boolean {
  if (isPage(data)) return true;
  const results = (data as { results?: unknown } | null)?.results;
  return Array.isArray(results) && results.length > 0 && results.some(isPage);
}

export function confluencePages(data: unknown, path: string, report: (e: ImportFileError) => void): ParsedDocument[] {
  const base = (data as { _links?: { base?: string } })._links?.base;
  const pages = isPage(data) ? [data] : ((data as { results: unknown[] }).results ?? []);
  const out: ParsedDocument[] = [];
  for (const [i, raw] of pages.entries()) {
    if (!isPage(raw)) {
      report({ source: `${path}#${i}`, code: 'refused-input', reason: 'bad-format', message: `${path}: result ${i} is not a page with a body; it was skipped.` });
      continue;
    }
    const where = `${path}#${raw.id ?? i}`;
    try {
      const people = [raw.history?.createdBy?.displayName, raw.version?.by?.displayName].filter((n): n is string => !!n);
      const metadata: Record<string, unknown> = { confluenceId: raw.id ?? null, space: raw.space?.key ?? raw.spaceId ?? null };
      const labels = raw.metadata?.labels?.results?.map((l) => l.name).filter(Boolean);
      if (labels?.length) metadata.labels = labels;
      const doc = htmlDocument(where, bodyOf(raw)!, { title: raw.title, metadata, people });
      const pageBase = raw._links?.base ?? base;
      if (raw._links?.webui) doc.url = `${pageBase ?? ''}${raw._links.webui}`;
      if (raw.id !== undefined) {
        doc.uid = `confluence:${String(raw.id)}`;
        doc.externalId = String(raw.id);
      }
      // Page dates say when it was written; the incident date is the one the text gives.
      doc.occurredAt ??= findDate(raw.history?.createdDate ?? raw.createdAt ?? '') ?? null;
      out.push(doc);
    } catch (err) {
      if (!(err instanceof HindsightError)) throw err;
      report({ source: where, code: err.code, message: err.message });
    }
  }
  return out;
}
