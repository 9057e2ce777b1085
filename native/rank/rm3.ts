/**
 * Weighted RM3 pseudo-relevance feedback (Lavrenko & Croft's relevance model, interpolated with
 * the query as in Abdul-Jaleel et al. 2004). The best first-pass passages (or documents) vote for
 * the terms they use most, in proportion to how well they matched; the query becomes the original terms
 * plus those terms, each with its weight, and is scored again by bm25() — FTS5 cannot do that
 * second pass because its bm25() takes no term weights. Unlike OR-ing expansion words in, a
 * weak expansion term cannot outweigh the words the user typed.
 */
import type { FieldValues } from './analyse.js';
import { idf, type WeightedTerm } from './bm25.js';
import type { TermIndex } from './term-index.js';
import { isContentTerm } from './query-terms.js';

export interface Rm3Settings {
  /**
   * What votes: the best passages (the part of each write-up that matched, so a long document
   * lends the words of its matching section, not of its whole story) or the best documents.
   */
  feedbackLevel: 'passage' | 'document';
  /** First-pass passages (or documents) that vote. */
  feedbackUnits: number;
  /** Expansion terms kept. */
  expansionTerms: number;
  /** Share of the final query's weight given to the expansion terms. */
  lambda: number;
  /** Terms in fewer documents cannot bring in new ones; terms in more than this share say nothing. */
  minDf: number;
  maxDfShare: number;
  /**
   * Exponent of idf in a term's vote (0: classic RM3). Above 0, terms the feedback units share
   * with few other documents win over their generic vocabulary.
   */
  idfPower: number;
  /** Exponent of the first-pass score in P(d|q) (1: proportional to the score; higher trusts the top more). */
  scorePower: number;
  /** A term must be used by at least this many voting units: one off-topic unit cannot steer the query alone. */
  minUnits: number;
}

/** The short-input setting tuned on the odd new-incident queries (eval/ranking-lab.ts). */
export const DEFAULT_RM3: Rm3Settings = { feedbackLevel: 'document', feedbackUnits: 5, expansionTerms: 40, lambda: 0.3, minDf: 2, maxDfShare: 0.5, idfPower: 1, scorePower: 3, minUnits: 1 };

/** A voting unit: its term frequencies per field and its first-pass score. */
export interface FeedbackUnit {
  terms: ReadonlyMap<string, Readonly<FieldValues>>;
  score: number;
}

/** Own-field frequency of a term (expansion terms do not vote). */
const own = (v: Readonly<FieldValues>) => v[0] + v[1] + v[2];

/**
 * The relevance model of the feedback units: P(w|R) ∝ Σ_u P(w|u)·P(u|q), with P(u|q) the unit's
 * share of the (powered) first-pass scores, times idf^idfPower. Returns the top terms, weights
 * summing to 1.
 */
export function relevanceModel(index: TermIndex, units: readonly FeedbackUnit[], settings: Rm3Settings = DEFAULT_RM3): WeightedTerm[] {
  const voting = units.filter((u) => u.score > 0);
  const votes = voting.map((u) => u.score ** settings.scorePower);
  const total = votes.reduce((s, v) => s + v, 0);
  if (!total) return [];
  const n = index.count('document');
  const model = new Map<string, number>();
  const voters = new Map<string, number>();
  for (const [i, u] of voting.entries()) {
    let length = 0;
    for (const v of u.terms.values()) length += own(v);
    if (!length) continue;
    const pu = votes[i]! / total;
    for (const [t, v] of u.terms) {
      const tf = own(v);
      if (!tf) continue;
      model.set(t, (model.get(t) ?? 0) + (tf / length) * pu);
      voters.set(t, (voters.get(t) ?? 0) + 1);
    }
  }
  const out: WeightedTerm[] = [];
  for (const [term, weight] of model) {
    if (!isContentTerm(term) || voters.get(term)! < settings.minUnits) continue;
    const df = index.df(term, 'document');
    if (df < settings.minDf || df > n * settings.maxDfShare) continue;
    out.push({ term, weight: settings.idfPower ? weight * idf(df, n) ** settings.idfPower : weight });
  }
  out.sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1));
  const top = out.slice(0, settings.expansionTerms);
  const sum = top.reduce((s, t) => s + t.weight, 0);
  return sum ? top.map((t) => ({ term: t.term, weight: t.weight / sum })) : [];
}

/** (1 − λ)·query + λ·expansion, each normalised to weigh 1 first; a term in both adds up. */
export function interpolate(query: readonly WeightedTerm[], expansion: readonly WeightedTerm[], lambda: number): WeightedTerm[] {
  const q = query.reduce((s, t) => s + t.weight, 0) || 1;
  const e = expansion.reduce((s, t) => s + t.weight, 0) || 1;
  const out = new Map<string, number>();
  for (const t of query) out.set(t.term, (out.get(t.term) ?? 0) + ((1 - lambda) * t.weight) / q);
  if (expansion.length) for (const t of expansion) out.set(t.term, (out.get(t.term) ?? 0) + (lambda * t.weight) / e);
  return [...out].map(([term, weight]) => ({ term, weight }));
}

/** The expanded query: the relevance model of the feedback units, interpolated with the query. */
export function rm3Query(index: TermIndex, query: readonly WeightedTerm[], units: readonly FeedbackUnit[], settings: Rm3Settings = DEFAULT_RM3): WeightedTerm[] {
  return interpolate(query, relevanceModel(index, units, settings), settings.lambda);
}
