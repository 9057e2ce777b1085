/**
 * One BM25 scorer for search, similar and patterns: weighted query terms (FTS5's bm25() cannot
 * weight them, so feedback needs this second pass) and one set of field weights, BM25F-style
 * (frequencies are normalised per field, weighted, summed, then saturated once), at document or
 * passage level.
 */
import type { FieldValues } from './analyse.js';
import { Scored } from './fusion.js';
import { IdTable } from './id-table.js';
import type { Level, PostingBlock, TermIndex } from './term-index.js';

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

/**
 * What a pass scored, as columns (`ids[k]`, of document `docs[k]`, scored `scores[k]`, k < size,
 * in the order first reached); `scores` as a Map is built on first use, for the callers that look
 * a few up (neighbour expansion, tests) — the ranking reads the columns.
 */
export class ScoreResult {
  private map: Map<number, ScoredPosting> | null = null;

  constructor(
    readonly size: number,
    readonly ids: Int32Array,
    readonly docs: Int32Array,
    readonly values: Float64Array,
    /** Postings read: the query's cost in rows. */
    readonly postingsRead: number,
  ) {}

  get scores(): Map<number, ScoredPosting> {
    if (!this.map) {
      this.map = new Map();
      for (let k = 0; k < this.size; k++) this.map.set(this.ids[k]!, { id: this.ids[k]!, doc: this.docs[k]!, score: this.values[k]! });
    }
    return this.map;
  }
}

/** One accumulator for every pass (bm25 is synchronous and copies its result out). */
const accumulating = new IdTable();
/** The block of the term being read, refilled term after term (index.postings' `reuse`). */
let scratch: PostingBlock | undefined;

/**
 * Scores every document (or passage) holding at least one query term. Each term counts
 * weight · idf · saturated frequency; terms unknown to the index or too common are skipped.
 */
export function bm25(index: TermIndex, query: readonly WeightedTerm[], level: Level, settings: Bm25Settings = DEFAULT_BM25, budget: PostingBudget = DEFAULT_BUDGET): ScoreResult {
  const n = index.count(level);
  const avg = index.averageLength(level);
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
  // Accumulated in flat arrays (one hash probe per posting, no object per posting, no Map).
  const acc = accumulating;
  acc.reset();
  for (const { term, df, w } of terms) {
    const cost = Math.min(df, budget.perTerm);
    if (postingsRead + cost > budget.perPass) continue;
    const block = (scratch = index.postings(term, level, budget.perTerm, scratch));
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
      const k = acc.slot(ids[i]!, docs[i]!);
      acc.scores[k]! += (w * x * (k1 + 1)) / (k1 + x);
    }
  }
  const c = acc.columns();
  return new ScoreResult(c.size, c.ids, c.tags, c.scores, postingsRead);
}

/**
 * A document's passage evidence: its best passage plus a share of the next ones, because an
 * incident's story is rarely in one passage, yet a long write-up should not win by length alone.
 */
export function passageEvidence(passages: Iterable<ScoredPosting>, decay = 0.5, depth = 2): Map<number, number> {
  const list = [...passages];
  const evidence = passageEvidenceOf(list.length, Int32Array.from(list, (p) => p.doc), Float64Array.from(list, (p) => p.score), decay, depth);
  return new Map(evidence);
}

/** One grouping table for every pass, and each document's best `depth` passage scores (slot × depth). */
const grouping = new IdTable();
let best = new Float64Array(1024);

/**
 * passageEvidence over columns (passage k of document `docs[k]` scored `values[k]`), in
 * the order documents are first reached: each document's best `depth` scores are kept as they
 * come (no list per document), then summed best first with weights decay^i.
 */
export function passageEvidenceOf(size: number, docs: Int32Array, values: Float64Array, decay = 0.5, depth = 2): Scored {
  const t = grouping;
  t.reset();
  const d = Math.max(0, depth);
  for (let k = 0; k < size; k++) {
    const s = t.slot(docs[k]!);
    if (!d) continue;
    const base = s * d;
    if (base + d > best.length) {
      const grown = new Float64Array(Math.max(best.length * 2, base + d));
      grown.set(best);
      best = grown;
    }
    // tags[s]: how many of the document's scores are held (at most d), best first.
    const held = t.tags[s]!;
    const v = values[k]!;
    let at: number;
    if (held < d) {
      at = held;
      t.tags[s] = held + 1;
    } else if (v > best[base + d - 1]!) at = d - 1;
    else continue;
    while (at > 0 && best[base + at - 1]! < v) {
      best[base + at] = best[base + at - 1]!;
      at--;
    }
    best[base + at] = v;
  }
  const n = t.size;
  const ids = t.ids.slice(0, n);
  const out = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let sum = 0;
    for (let i = 0; i < t.tags[s]!; i++) sum += best[s * d + i]! * decay ** i;
    out[s] = sum;
  }
  return new Scored(n, ids, out);
}

/** Document scores as a map doc → score. */
export function documentScores(result: ScoreResult): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of result.scores.values()) out.set(s.doc, s.score);
  return out;
}
