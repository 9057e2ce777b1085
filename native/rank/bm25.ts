/**
 * One BM25 scorer for search, similar and patterns: weighted query terms (FTS5's bm25() cannot
 * weight them, so feedback needs this second pass) and one set of field weights, BM25F-style
 * (frequencies are normalised per field, weighted, summed, then saturated once), at document or
 * passage level.
 */
import type { FieldValues } from './analyse.js';
import type { Level, TermIndex } from './term-index.js';

export interface WeightedTerm {
  term: string;
  weight: number;
}

export interface Bm25Settings {
  k1: number;
  /** Length normalisation per field (title, headings, text, expansion). */
  b: Readonly<FieldValues>;
  /** Field weights (title, headings, text, expansion). */
  weights: Readonly<FieldValues>;
}

/**
 * Tuned on the odd queries of both evaluation sets (eval/ranking-lab.ts, fold split) and held on
 * the even ones: slow saturation (k1 2) and strong length normalisation of the text (b 0.9), so
 * that a long write-up does not win by repeating common words; a title four times a text word;
 * neighbours' expansion terms at 0.6 of a document's own.
 */
export const DEFAULT_BM25: Bm25Settings = { k1: 2, b: [0.5, 0.5, 0.9, 0.5], weights: [4, 1, 1, 0.6] };

/**
 * Bounds on the work of one scoring pass, whatever the corpus size and the query length.
 * Terms are read in order of weight × idf (what they can add to a score); a term whose postings
 * would take the pass over `perPass` is skipped, so what is left out is common (long postings)
 * and weighs little.
 */
export interface PostingBudget {
  /** Postings read per term at most (the most frequent first). */
  perTerm: number;
  /** Postings read per pass (one level) at most. */
  perPass: number;
  /** Terms held by more than this share of the level are skipped: their IDF is near the floor. */
  maxDfShare: number;
}

/**
 * At most 4 passes (document and passage level, before and after feedback) × 6,000 postings per
 * query: bounded whatever the corpus size (eval/ranking-scale.ts measures the cost at 100,000
 * passages; on the 125-postmortem evaluation corpus the budget never binds).
 */
export const DEFAULT_BUDGET: PostingBudget = { perTerm: 600, perPass: 6_000, maxDfShare: 0.5 };

/** BM25's IDF, Lucene's form: always positive, so a common term never subtracts. */
export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

export interface ScoredPosting {
  id: number;
  doc: number;
  score: number;
}

export interface ScoreResult {
  scores: Map<number, ScoredPosting>;
  /** Postings read: the query's cost in rows. */
  postingsRead: number;
}

/**
 * Scores every document (or passage) holding at least one query term. Each term counts
 * weight · idf · saturated frequency; terms unknown to the index or too common are skipped.
 */
export function bm25(index: TermIndex, query: readonly WeightedTerm[], level: Level, settings: Bm25Settings = DEFAULT_BM25, budget: PostingBudget = DEFAULT_BUDGET): ScoreResult {
  const n = index.count(level);
  const avg = index.averageLength(level);
  const scores = new Map<number, ScoredPosting>();
  let postingsRead = 0;
  const terms = query
    .filter((t) => t.weight > 0)
    .map((t) => {
      const df = index.df(t.term, level);
      return { ...t, df, w: t.weight * idf(df, n) };
    })
    .filter((t) => t.df > 0 && t.df <= n * budget.maxDfShare)
    .sort((a, b) => b.w - a.w || (a.term < b.term ? -1 : 1));
  const { k1, b, weights } = settings;
  // Per field: weight / (1 − b + b·len/avg) = weight / (c0 + c1·len).
  const c0 = b.map((x) => 1 - x);
  const c1 = b.map((x, f) => x / (avg[f]! || 1));
  // Accumulate in flat arrays (one map lookup per posting, no object per posting).
  const slot = new Map<number, number>();
  const idOf: number[] = [];
  const docOf: number[] = [];
  const acc: number[] = [];
  for (const { term, df, w } of terms) {
    const cost = Math.min(df, budget.perTerm);
    if (postingsRead + cost > budget.perPass) continue;
    const block = index.postings(term, level, budget.perTerm);
    postingsRead += block.size;
    const { ids, docs, tf, length } = block;
    for (let i = 0; i < block.size; i++) {
      let x = 0;
      const o = i * 4;
      for (let f = 0; f < 4; f++) {
        const t = tf[o + f]!;
        if (t && weights[f]) x += (weights[f]! * t) / (c0[f]! + c1[f]! * length[o + f]!);
      }
      if (x <= 0) continue;
      const id = ids[i]!;
      let k = slot.get(id);
      if (k === undefined) {
        k = acc.length;
        slot.set(id, k);
        idOf.push(id);
        docOf.push(docs[i]!);
        acc.push(0);
      }
      acc[k]! += (w * x * (k1 + 1)) / (k1 + x);
    }
  }
  for (let k = 0; k < acc.length; k++) scores.set(idOf[k]!, { id: idOf[k]!, doc: docOf[k]!, score: acc[k]! });
  return { scores, postingsRead };
}

/**
 * A document's passage evidence: its best passage plus a share of the next ones, because an
 * incident's story is rarely in one passage, yet a long write-up should not win by length alone.
 */
export function passageEvidence(passages: Iterable<ScoredPosting>, decay = 0.5, depth = 2): Map<number, number> {
  const byDoc = new Map<number, number[]>();
  for (const p of passages) {
    let list = byDoc.get(p.doc);
    if (!list) byDoc.set(p.doc, (list = []));
    list.push(p.score);
  }
  const out = new Map<number, number>();
  for (const [doc, list] of byDoc) {
    list.sort((a, b) => b - a);
    let s = 0;
    for (let i = 0; i < Math.min(depth, list.length); i++) s += list[i]! * decay ** i;
    out.set(doc, s);
  }
  return out;
}

/** Document scores as a map doc → score. */
export function documentScores(result: ScoreResult): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of result.scores.values()) out.set(s.doc, s.score);
  return out;
}
