import type { DocumentKind, SearchFilters, SearchHit, SearchRequest, SearchResult, SectionRole } from '../contract.js';
import { normaliseKey } from '../entities/extract.js';
import type { Db } from '../store/database.js';
import type { VectorIndex } from '../vector/vector-index.js';
import { makeSnippet } from './snippet.js';
import { parseQuery, toFtsQuery, type ParsedQuery } from './terms.js';
import type { TermStats } from './term-stats.js';

export interface SearchDeps {
  db: Db;
  terms: TermStats;
  /** Null when no model is installed: lexical only. */
  semantic: { index: VectorIndex; embedQuery: (text: string) => Promise<Float32Array> } | null;
}

/** Candidates taken from each retriever before fusion. */
const CANDIDATES = 200;
/** Reciprocal rank fusion constant (Cormack et al.): damps the weight of the very first ranks. */
const RRF_K = 60;
/** BM25 column weights: title, heading, text. */
const BM25_WEIGHTS = '5.0, 2.0, 1.0';

interface ChunkCandidate {
  chunkId: number;
  documentId: number;
}

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

function endOfDayIfDateOnly(s: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T23:59:59.999Z` : new Date(s).toISOString();
}

function hasFilters(f: SearchFilters): boolean {
  return !!(f.kinds?.length || f.since || f.until || f.sourcePrefix || f.service || f.person || f.error);
}

/**
 * The terms worth scoring. Terms in more than half of the passages have an IDF of ~0 in FTS5's
 * BM25 and cannot change the ranking (see TermStats): they always go. Terms in more than 5%
 * (then 20%) of the passages weigh a third or less of a rare term, yet scoring their long posting
 * lists is most of a query's cost: they go too while at least two rarer terms carry the query.
 */
export function informativeTerms(stats: TermStats, q: ParsedQuery): ParsedQuery {
  const n = stats.total();
  const df = stats.frequencies(q.terms);
  let terms: string[] = [];
  for (const share of [0.05, 0.2, 0.5]) {
    terms = q.terms.filter((t) => (df.get(t) ?? 0) <= n * share);
    if (terms.length >= 2) break;
  }
  return terms.length || q.phrases.length ? { terms, phrases: q.phrases } : q;
}

/** Best passages by BM25, restricted by the filters. */
export function lexicalCandidates(db: Db, ftsQuery: string, filters: SearchFilters, limit = CANDIDATES): Array<ChunkCandidate & { bm25: number }> {
  if (!hasFilters(filters)) {
    // Rank inside FTS5 first and join only the winners: joining every match costs more than scoring.
    const docOf = db.prepare('SELECT document_id FROM chunks WHERE id = ?').pluck();
    const top = db
      .prepare(`SELECT rowid AS chunkId, bm25(chunks_fts, ${BM25_WEIGHTS}) AS bm25 FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25 LIMIT ?`)
      .all(ftsQuery, limit) as Array<{ chunkId: number; bm25: number }>;
    return top.flatMap((r) => {
      const documentId = docOf.get(r.chunkId) as number | undefined;
      return documentId === undefined ? [] : [{ ...r, documentId }];
    });
  }
  const f = filterSql(filters);
  return db
    .prepare(
      `SELECT c.id AS chunkId, c.document_id AS documentId, bm25(chunks_fts, ${BM25_WEIGHTS}) AS bm25
       FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.id = c.document_id
       WHERE chunks_fts MATCH ? AND ${f.sql}
       ORDER BY bm25 LIMIT ?`,
    )
    .all(ftsQuery, ...f.params, limit) as Array<ChunkCandidate & { bm25: number }>;
}

/** Nearest passages by embedding, restricted by the filters; stale labels are dropped. */
export function semanticCandidates(
  db: Db,
  index: VectorIndex,
  vector: Float32Array,
  filters: SearchFilters,
  limit = CANDIDATES,
): Array<ChunkCandidate & { similarity: number }> {
  let allow: ((id: number) => boolean) | undefined;
  if (hasFilters(filters)) {
    const f = filterSql(filters);
    const ids = new Set(
      db.prepare(`SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE ${f.sql}`).pluck().all(...f.params) as number[],
    );
    allow = (id) => ids.has(id);
  }
  const hits = index.search(vector, limit, allow);
  if (!hits.length) return [];
  // The index is a cache: keep only labels that are live passages in the database.
  const docOf = db.prepare('SELECT document_id FROM chunks WHERE id = ?').pluck();
  const out: Array<ChunkCandidate & { similarity: number }> = [];
  for (const h of hits) {
    const documentId = docOf.get(h.chunkId) as number | undefined;
    if (documentId !== undefined) out.push({ chunkId: h.chunkId, documentId, similarity: h.similarity });
  }
  return out;
}

/**
 * Hybrid search: BM25 and vector candidates, each ranked by document (its best passage), fused
 * with reciprocal rank fusion, with snippets from the passages that matched best.
 */
export async function search(deps: SearchDeps, req: SearchRequest): Promise<SearchResult> {
  const started = performance.now();
  const { db } = deps;
  const parsed = parseQuery(req.query);
  const fts = toFtsQuery(informativeTerms(deps.terms, parsed));
  const lexical = fts ? lexicalCandidates(db, fts, req) : [];
  let embedMs = 0;
  let semantic: Array<ChunkCandidate & { similarity: number }> = [];
  if (deps.semantic && req.query.trim()) {
    const t = performance.now();
    const vector = await deps.semantic.embedQuery(req.query);
    embedMs = performance.now() - t;
    semantic = semanticCandidates(db, deps.semantic.index, vector, req);
  }

  const docs = new Map<number, { score: number; matchedBy: Set<'lexical' | 'semantic'>; chunks: number[] }>();
  const fuse = (list: ChunkCandidate[], by: 'lexical' | 'semantic') => {
    let rank = 0;
    const seen = new Set<number>();
    for (const c of list) {
      let d = docs.get(c.documentId);
      if (!d) docs.set(c.documentId, (d = { score: 0, matchedBy: new Set(), chunks: [] }));
      if (d.chunks.length < 6 && !d.chunks.includes(c.chunkId)) d.chunks.push(c.chunkId);
      if (seen.has(c.documentId)) continue;
      seen.add(c.documentId);
      rank++;
      d.score += 1 / (RRF_K + rank);
      d.matchedBy.add(by);
    }
  };
  fuse(lexical, 'lexical');
  fuse(semantic, 'semantic');

  const maxScore = (deps.semantic ? 2 : 1) / (RRF_K + 1);
  const ranked = [...docs.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]);
  const docStmt = db.prepare('SELECT id, title, kind, source, occurred_at AS occurredAt FROM documents WHERE id = ?');
  const chunkStmt = db.prepare('SELECT text, heading, role FROM chunks WHERE id = ?');
  const hits: SearchHit[] = ranked.slice(0, req.limit).map(([id, d]) => {
    const row = docStmt.get(id) as { id: number; title: string; kind: DocumentKind; source: string; occurredAt: string | null };
    const terms = [...parsed.terms, ...parsed.phrases.flatMap((p) => p.split(' '))];
    // The title is indexed with every passage, so the best-ranked passage may not itself contain
    // the words: show the candidates whose own text matches most, in rank order on ties.
    const snippets = d.chunks
      .map((cid, order) => {
        const c = chunkStmt.get(cid) as { text: string; heading: string; role: SectionRole };
        // A passage under the document's title alone has no section worth naming.
        const snippet = makeSnippet(c.text, terms, c.heading === row.title ? '' : c.heading, c.role);
        return { snippet, order, matches: new Set(snippet.highlights.map(([a, b]) => snippet.text.slice(a, b).toLowerCase())).size };
      })
      .sort((a, b) => b.matches - a.matches || a.order - b.order)
      .slice(0, 2)
      .map((x) => x.snippet);
    return {
      documentId: row.id,
      title: row.title,
      kind: row.kind,
      source: row.source,
      occurredAt: row.occurredAt,
      score: Math.round((d.score / maxScore) * 1000) / 1000,
      matchedBy: [...d.matchedBy].sort(),
      snippets,
    };
  });
  return {
    query: req.query,
    mode: deps.semantic ? 'hybrid' : 'lexical',
    total: docs.size,
    hits,
    tookMs: Math.round((performance.now() - started) * 100) / 100,
    embedMs: Math.round(embedMs * 100) / 100,
  };
}
