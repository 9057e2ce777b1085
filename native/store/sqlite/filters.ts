import type { SearchFilters } from '../../contract.js';
import { normaliseKey } from '../../entities/extract.js';

/** SQL conditions over `documents d` for the filters, with their parameters. */
export function filterSql(f: SearchFilters): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.kinds?.length) {
    where.push(`d.kind IN (${f.kinds.map(() => '?').join(', ')})`);
    params.push(...f.kinds);
  }
  if (f.since) {
    where.push('d.occurred_at >= ?');
    params.push(new Date(f.since).toISOString());
  }
  if (f.until) {
    where.push('d.occurred_at <= ?');
    params.push(endOfDayIfDateOnly(f.until));
  }
  for (const [type, value] of [['service', f.service], ['person', f.person], ['error', f.error]] as const) {
    if (!value) continue;
    // Normalised like the entities themselves; a prefix also matches ("payments" → "payments-api").
    const key = normaliseKey(type, value);
    where.push(
      `EXISTS (SELECT 1 FROM document_entities de JOIN entities e ON e.id = de.entity_id
               WHERE de.document_id = d.id AND e.type = ? AND (e.key = ? OR substr(e.key, 1, length(?) + 1) = ? || '-'))`,
    );
    params.push(type, key, key, key);
  }
  if (f.sourcePrefix) {
    // substr comparison, not LIKE: paths may contain % and _.
    where.push('substr(d.source, 1, length(?)) = ?');
    params.push(f.sourcePrefix, f.sourcePrefix);
  }
  return { sql: where.length ? where.join(' AND ') : '1', params };
}

export function hasFilters(f: SearchFilters): boolean {
  return !!(f.kinds?.length || f.since || f.until || f.sourcePrefix || f.service || f.person || f.error);
}

function endOfDayIfDateOnly(s: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T23:59:59.999Z` : new Date(s).toISOString();
}
