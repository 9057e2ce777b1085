/**
 * An absolute confidence for the verdict (recurring / related / novel). Ranking scores only
 * compare candidates with each other; "has this happened before at all?" needs a measure that
 * means the same for any input and any corpus.
 *
 * The measure is match evidence: the best passage's BM25 for the input's own terms, in units of
 * one rare term fully matched (a term in one passage: idf(1, N)·(k1 + 1)). "Two point five" reads
 * as "the best passage matches as much as two or three words found nowhere else would". It does
 * not grow with the input's length the way a raw score does (a passage holds only so many
 * words), nor with the corpus (idf is divided out), and it is not diluted by the input's chatter
 * the way a share of its words is. Measured on new-incidents.jsonl (eval/ranking-lab.ts), it
 * separates the novel queries from the others better than coverage, raw scores or the latent
 * similarity (AUC in the lab's confidence table).
 */
import { DEFAULT_BM25, idf } from './bm25.js';
import type { InputTerm } from './query-terms.js';
import type { TermIndex } from './term-index.js';

export interface Confidence {
  /** Match evidence in rare-term equivalents (≥ 0). */
  evidence: number;
  /** evidence / (evidence + HALF): a number in [0, 1) to show; 0.5 at HALF. */
  score: number;
  verdict: 'recurring' | 'related' | 'novel';
}

/** Evidence at which the score is 0.5. */
export const HALF = 2;

/**
 * Verdict thresholds on the evidence, read off the lab's distribution (eval/ranking-lab.ts,
 * table 3: 45 queries, 5 of them novel): the novel ones fell between 1.0 and 1.4, the others'
 * quartiles were 1.5 / 2.0 / 2.2. Below 1.4: novel; from 2.0 (the others' median): recurring.
 * With five novel examples this is a starting point to recalibrate on real use, not an optimum.
 */
export const EVIDENCE_THRESHOLDS = { recurring: 2.0, related: 1.4 } as const;

export function matchEvidence(index: TermIndex, bestPassageScore: number, k1 = DEFAULT_BM25.k1): number {
  const unit = idf(1, Math.max(1, index.count('passage'))) * (k1 + 1);
  return unit > 0 ? bestPassageScore / unit : 0;
}

export function confidence(index: TermIndex, bestPassageScore: number, thresholds = EVIDENCE_THRESHOLDS, k1 = DEFAULT_BM25.k1): Confidence {
  const evidence = matchEvidence(index, bestPassageScore, k1);
  const verdict = evidence >= thresholds.recurring ? 'recurring' : evidence >= thresholds.related ? 'related' : 'novel';
  return { evidence, score: evidence / (evidence + HALF), verdict };
}

/**
 * Share of the input's salient weight (tf·idf; words the database has never seen at the highest
 * idf) that a document's own text holds: what an explanation says ("shares 40% of what makes
 * this incident distinctive"). Measured as a verdict it separates novel inputs poorly (the
 * queries of a new incident share few words with any write-up), so the verdict uses evidence.
 */
export function coverage(index: TermIndex, input: readonly InputTerm[], doc: number): number {
  const held = index.holds(doc, input.map((t) => t.term));
  if (!held) return 0;
  const n = index.count('document');
  let total = 0;
  let covered = 0;
  input.forEach((t, i) => {
    const w = t.weight * idf(t.df, n);
    total += w;
    if (held[i]) covered += w;
  });
  return total ? covered / total : 0;
}
