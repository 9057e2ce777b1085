/**
 * Document expansion with the salient terms of a document's nearest neighbours (in the spirit of
 * Tao et al. 2006, "Language model information retrieval with document expansion"): a write-up
 * that tells a failure in its own words also gets, in a separate low-weighted field, the words
 * its closest past incidents use for it, so a query phrased like one of them finds all of them.
 *
 * Incremental and bounded: neighbours are found by one bm25() query of the document's own salient
 * terms (expansion fields ignored, so expansions never feed on expansions and the result does not
 * depend on import order), and adding a document names the few neighbours whose expansion to
 * refresh, instead of recomputing the corpus.
 */
import type { FieldValues } from './analyse.js';
import { bm25, DEFAULT_BM25, idf, type Bm25Settings, type PostingBudget, DEFAULT_BUDGET, type WeightedTerm } from './bm25.js';
import { isContentTerm } from './query-terms.js';
import type { TermIndex } from './term-index.js';

export interface ExpansionSettings {
  /** Neighbours that lend terms. */
  neighbours: number;
  /** Expansion terms kept. */
  terms: number;
  /** Salient terms of a document used to find its neighbours and lent to others. */
  salientTerms: number;
  /** Pseudo-frequency of the strongest expansion term (the others in proportion). */
  maxTf: number;
  /** A neighbour below this share of the document's self-similarity lends nothing. */
  minSimilarity: number;
  /** Terms in more than this share of documents are not lent. */
  maxDfShare: number;
}

/** Neighbours and terms tuned on the odd queries of both evaluation sets (eval/ranking-lab.ts). */
export const DEFAULT_EXPANSION: ExpansionSettings = { neighbours: 8, terms: 40, salientTerms: 40, maxTf: 3, minSimilarity: 0.05, maxDfShare: 0.3 };

const own = (v: Readonly<FieldValues>) => v[0] + v[1] + v[2];

/** A document's most telling own terms, tf·idf, highest first. */
export function salientDocumentTerms(index: TermIndex, doc: number, limit: number, maxDfShare = 1): WeightedTerm[] {
  const terms = index.documentTerms(doc);
  if (!terms) return [];
  const n = index.count('document');
  const out: WeightedTerm[] = [];
  for (const [term, v] of terms) {
    const tf = own(v);
    if (!tf || !isContentTerm(term)) continue;
    const df = index.df(term, 'document');
    if (df > n * maxDfShare) continue;
    out.push({ term, weight: (1 + Math.log(tf)) * idf(df, n) });
  }
  out.sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1));
  return out.slice(0, limit);
}

export interface Expansion {
  /** Term → pseudo-frequency for the expansion field. */
  terms: Map<string, number>;
  /** The neighbours that lent them, with their similarity (share of the self-similarity). */
  neighbours: Array<{ id: number; similarity: number }>;
}

/** Neighbour scoring ignores every document's expansion field. */
const ownFieldsOnly = (s: Bm25Settings): Bm25Settings => ({ ...s, weights: [s.weights[0], s.weights[1], s.weights[2], 0] });

/** The expansion of one document from its current neighbours. */
export function expandDocument(index: TermIndex, doc: number, settings: ExpansionSettings = DEFAULT_EXPANSION, bm25Settings: Bm25Settings = DEFAULT_BM25, budget: PostingBudget = DEFAULT_BUDGET): Expansion {
  const query = salientDocumentTerms(index, doc, settings.salientTerms);
  const { scores } = bm25(index, query, 'document', ownFieldsOnly(bm25Settings), budget);
  const self = scores.get(doc)?.score ?? 0;
  if (!self) return { terms: new Map(), neighbours: [] };
  const neighbours = [...scores.values()]
    .filter((s) => s.id !== doc && s.score / self >= settings.minSimilarity)
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, settings.neighbours)
    .map((s) => ({ id: s.id, similarity: s.score / self }));
  const votes = new Map<string, number>();
  for (const nb of neighbours) {
    const lent = salientDocumentTerms(index, nb.id, settings.salientTerms, settings.maxDfShare);
    const top = lent[0]?.weight ?? 1;
    for (const t of lent) votes.set(t.term, (votes.get(t.term) ?? 0) + (nb.similarity * t.weight) / top);
  }
  const best = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, settings.terms);
  const max = best[0]?.[1] ?? 0;
  const terms = new Map<string, number>();
  for (const [t, w] of best) terms.set(t, (settings.maxTf * w) / max);
  return { terms, neighbours };
}

/**
 * After `doc` was added or replaced: the documents whose expansion may change, i.e. its own
 * neighbours (similarity is close to symmetric, so they are the ones likely to count it among
 * theirs). At most `settings.neighbours`, so the upkeep of one import is bounded.
 */
export function neighboursToRefresh(expansion: Expansion): number[] {
  return expansion.neighbours.map((n) => n.id);
}

/** Expands every document once (a first import, or the lab); the index is updated in place. */
export function expandAll(index: TermIndex & { setExpansion(doc: number, terms: ReadonlyMap<string, number>): void }, settings: ExpansionSettings = DEFAULT_EXPANSION, bm25Settings: Bm25Settings = DEFAULT_BM25): void {
  const docs = [...index.documents()];
  // Computed first, written after: every expansion sees the same (unexpanded) neighbours.
  const expansions = docs.map((d) => [d, expandDocument(index, d, settings, bm25Settings).terms] as const);
  for (const [d, terms] of expansions) index.setExpansion(d, terms);
}
