import type { SearchFilters, SearchHit, SearchRequest, SearchResult } from '../contract.js';
import type { LexicalStore, Store } from '../store/store.js';
import type { VectorIndex } from '../vector/vector-index.js';
import { makeSnippet } from './snippet.js';
import { parseQuery, toFtsQuery, type ParsedQuery } from './terms.js';

export interface SearchDeps {
  store: Store;
  /** Null when no model is installed: lexical only. */
  semantic: { index: VectorIndex; embedQuery: (text: string) => Promise<Float32Array> } | null;
}

/** Candidates taken from each retriever before fusion. */
const CANDIDATES = 200;
/**
 * Postings FTS5 scores for one query at most (BM25 per matching passage, then a sort: the part of
 * a query that grows with the corpus). Measured with `npx tsx bench/bench.ts --only scale`: at
 * 100,000 passages the pruned queries stay under it, so it binds only on larger corpora.
 */
export const SEARCH_POSTINGS = 40_000;
/** Reciprocal rank fusion constant (Cormack et al.): damps the weight of the very first ranks. */
const RRF_K = 60;

interface ChunkCandidate {
  chunkId: number;
  documentId: number;
}

/**
 * The terms worth scoring. Terms in more than half of the passages have an IDF of ~0 in FTS5's
 * BM25 and cannot change the ranking: they always go. Terms in more than 5% (then 20%) of the
 * passages weigh a third or less of a rare term, yet scoring their long posting lists is most of
 * a query's cost: they go too while at least two rarer terms carry the query.
 */
export async function informativeTerms(lexical: LexicalStore, q: ParsedQuery): Promise<ParsedQuery> {
  const n = await lexical.total();
  const df = await lexical.frequencies(q.terms);
  let terms: string[] = [];
  for (const share of [0.05, 0.2, 0.5]) {
    terms = q.terms.filter((t) => (df.get(t) ?? 0) <= n * share);
    if (terms.length >= 2) break;
  }
  return terms.length || q.phrases.length ? { terms, phrases: q.phrases } : q;
}

/** What FTS5 is asked: the terms, and the newest passages to score (null: all of them). */
export interface BoundedQuery {
  query: ParsedQuery;
  newest: number | null;
}

/**
 * The query within a posting budget, whatever the corpus size: terms are taken rarest first (the
 * rare ones carry a BM25 ranking) while their postings fit, the rarest always. When even that one
 * is over the budget (every word is common), only the newest passages holding about `budget` of
 * its postings are scored. Phrases are the user's own and always kept.
 */
export async function withinBudget(lexical: LexicalStore, q: ParsedQuery, budget = SEARCH_POSTINGS): Promise<BoundedQuery> {
  if (!q.terms.length) return { query: q, newest: null };
  const df = await lexical.frequencies(q.terms);
  const rarestFirst = [...q.terms].sort((a, b) => (df.get(a) ?? 0) - (df.get(b) ?? 0));
  const kept = new Set<string>();
  let cost = 0;
  for (const t of rarestFirst) {
    const d = df.get(t) ?? 0;
    if (kept.size && cost + d > budget) break;
    kept.add(t);
    cost += d;
  }
  const n = await lexical.total();
  return { query: { terms: q.terms.filter((t) => kept.has(t)), phrases: q.phrases }, newest: cost > budget ? Math.ceil((n * budget) / cost) : null };
}

/** Nearest passages by embedding, restricted by the filters; stale labels are dropped. */
export async function semanticCandidates(
  store: Store,
  index: VectorIndex,
  vector: Float32Array,
  filters: SearchFilters,
  limit = CANDIDATES,
): Promise<Array<ChunkCandidate & { similarity: number }>> {
  let allow: ((id: number) => boolean) | undefined;
  if (hasAnyFilter(filters)) {
    const ids = await store.passages.idsMatching(filters);
    allow = (id) => ids.has(id);
  }
  const hits = index.search(vector, limit, allow);
  if (!hits.length) return [];
  // The index is a cache: keep only labels that are live passages in the store.
  const docOf = await store.passages.documentsOf(hits.map((h) => h.chunkId));
  return hits.flatMap((h) => {
    const documentId = docOf.get(h.chunkId);
    return documentId === undefined ? [] : [{ chunkId: h.chunkId, documentId, similarity: h.similarity }];
  });
}

function hasAnyFilter(f: SearchFilters): boolean {
  return !!(f.kinds?.length || f.since || f.until || f.sourcePrefix || f.service || f.person || f.error);
}

/**
 * Hybrid search: BM25 and vector candidates, each ranked by document (its best passage), fused
 * with reciprocal rank fusion, with snippets from the passages that matched best.
 */
export async function search(deps: SearchDeps, req: SearchRequest): Promise<SearchResult> {
  const started = performance.now();
  const { store } = deps;
  const parsed = parseQuery(req.query);
  // The query embedding starts first and runs in its worker while the keyword candidates are read.
  const embedding = deps.semantic && req.query.trim() ? timed(deps.semantic.embedQuery(req.query)) : null;
  // If the keyword side fails first, the embedding's own failure must not go unhandled.
  embedding?.catch(() => {});
  const bounded = await withinBudget(store.lexical, await informativeTerms(store.lexical, parsed));
  const fts = toFtsQuery(bounded.query);
  const lexical = fts ? await store.lexical.candidates(fts, req, CANDIDATES, bounded.newest ?? undefined) : [];
  let embedMs = 0;
  let semantic: Array<ChunkCandidate & { similarity: number }> = [];
  if (deps.semantic && embedding) {
    const { value: vector, ms } = await embedding;
    embedMs = ms;
    semantic = await semanticCandidates(store, deps.semantic.index, vector, req);
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
  const ranked = [...docs.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]).slice(0, req.limit);
  const summaries = await store.documents.summaries(ranked.map(([id]) => id));
  const passages = await store.passages.get(ranked.flatMap(([, d]) => d.chunks));
  const terms = [...parsed.terms, ...parsed.phrases.flatMap((p) => p.split(' '))];
  const hits: SearchHit[] = ranked.flatMap(([id, d]) => {
    const row = summaries.get(id);
    if (!row) return [];
    // The title is indexed with every passage, so the best-ranked passage may not itself contain
    // the words: show the candidates whose own text matches most, in rank order on ties.
    const snippets = d.chunks
      .flatMap((cid, order) => {
        const c = passages.get(cid);
        if (!c) return [];
        // A passage under the document's title alone has no section worth naming.
        const snippet = makeSnippet(c.text, terms, c.heading === row.title ? '' : c.heading, c.role);
        return [{ snippet, order, matches: new Set(snippet.highlights.map(([a, b]) => snippet.text.slice(a, b).toLowerCase())).size }];
      })
      .sort((a, b) => b.matches - a.matches || a.order - b.order)
      .slice(0, 2)
      .map((x) => x.snippet);
    return [
      {
        documentId: row.id,
        title: row.title,
        kind: row.kind,
        source: row.source,
        occurredAt: row.occurredAt,
        score: Math.round((d.score / maxScore) * 1000) / 1000,
        matchedBy: [...d.matchedBy].sort(),
        snippets,
      },
    ];
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

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await p;
  return { value, ms: performance.now() - t };
}
