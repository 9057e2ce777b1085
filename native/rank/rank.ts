/**
 * The lexical ranking pipeline for "similar past incidents": input terms → first pass
 * (document-level and passage-level BM25, fused) → weighted RM3 feedback → second pass → latent
 * similarity (LSA) → one fused score per document, each signal kept so that a result can explain
 * itself. Pure over a TermIndex: the store feeds it.
 *
 * Two profiles, because the two kinds of input behave differently (eval/ranking-lab.ts): a short
 * pasted description needs feedback to reach the words write-ups use, but only a little of it
 * (λ 0.3); a whole write-up already carries its vocabulary, so feedback can weigh more (λ 0.7)
 * without drifting, and the latent signal counts more.
 */
import type { FieldValues } from './analyse.js';
import { bm25, DEFAULT_BM25, DEFAULT_BUDGET, passageEvidenceOf, type Bm25Settings, type PostingBudget, type WeightedTerm } from './bm25.js';
import { fuse, ranked, Scored, type Signal } from './fusion.js';
import { inputTerms, type InputTerm } from './query-terms.js';
import { DEFAULT_RM3, rm3Query, type FeedbackUnit, type Rm3Settings } from './rm3.js';
import type { TermIndex } from './term-index.js';

/** Anything that scores documents by meaning for weighted terms (the LSA model). */
export interface LatentScorer {
  /** Scores of the given documents (all of them without `documents`). */
  similarities(query: readonly WeightedTerm[], documents?: Iterable<number>): Map<number, number>;
}

export interface RankSettings {
  bm25: Bm25Settings;
  budget: PostingBudget;
  /** Input terms kept (most salient first). */
  queryTerms: number;
  /** Fusion weights of the signals (each max-normalised first). */
  weights: { document: number; passage: number; latent: number };
  /** Passage evidence: best passage + decay × the next, over `depth` passages. */
  passage: { decay: number; depth: number };
  /** Pseudo-relevance feedback; null for a single pass. */
  rm3: Rm3Settings | null;
  /** What the latent model compares: the input's terms, or the final (feedback-expanded) query. */
  latentQuery: 'input' | 'final';
  /** Candidates the latent model scores per pass at most (LATENT_CANDIDATES). */
  latentCandidates: number;
}

/**
 * Candidates the latent signal scores in a pass at most: the best by the other signals. Its weight
 * (0.1 short, 0.5 whole write-up) reorders what the words found; scoring every candidate of a
 * large corpus (up to the posting budget's ~12,000 documents) cost as much as the rest of the pass.
 * 500, not 2,000: at 100,000 synthetic passages the top 10 incidents of 30 pasted paragraphs were
 * the same with either, and a similar call's CPU p50 fell from 115 to 87–94 ms.
 */
export const LATENT_CANDIDATES = 500;

/**
 * A pasted description, an alert, a few chat lines. Every number here was tuned on the odd
 * new-incident queries only (eval/ranking-lab.ts, fold split) and checked on the even ones.
 */
export const SHORT_INPUT: RankSettings = {
  bm25: DEFAULT_BM25,
  budget: DEFAULT_BUDGET,
  queryTerms: 48,
  weights: { document: 0.75, passage: 0.25, latent: 0.1 },
  passage: { decay: 0.25, depth: 2 },
  rm3: DEFAULT_RM3,
  latentQuery: 'final',
  latentCandidates: LATENT_CANDIDATES,
};

/**
 * A whole write-up (a postmortem dragged in, or an imported document compared with the rest):
 * more of its terms, feedback trusted more (its first pass is already good), a stronger latent
 * signal. Tuned on the odd recurring-problem groups of recurrence.jsonl.
 */
export const DOCUMENT_INPUT: RankSettings = {
  ...SHORT_INPUT,
  queryTerms: 96,
  weights: { document: 0.75, passage: 0.25, latent: 0.5 },
  passage: { decay: 0.5, depth: 3 },
  rm3: { ...DEFAULT_RM3, feedbackUnits: 5, expansionTerms: 20, lambda: 0.7 },
  latentQuery: 'final',
};

/**
 * Whether text is a write-up rather than a short description: long, or structured with Markdown
 * headings (the same reading as similar's input passages).
 */
export function isDocumentInput(text: string): boolean {
  return text.length > 1200 || /^#{1,6}\s/m.test(text);
}

export function settingsFor(text: string): RankSettings {
  return isDocumentInput(text) ? DOCUMENT_INPUT : SHORT_INPUT;
}

export interface RankedDocument {
  id: number;
  score: number;
  signals: { document: number; passage: number; latent: number };
}

export interface Ranking {
  documents: RankedDocument[];
  /** The input's terms (with unseen ones: they matter to confidence and explanations). */
  input: InputTerm[];
  /** The query of the final pass (the input's terms plus feedback terms, weighted). */
  query: WeightedTerm[];
  /**
   * The best passage's BM25 for the input's own terms (first pass, before feedback): absolute
   * evidence that something like the input exists (see confidence.ts).
   */
  bestPassageScore: number;
  /** Postings read over all passes: the cost of the query in rows. */
  postingsRead: number;
  /** The best document and passage signal among all candidates (also those past `top`). */
  best: { document: number; passage: number };
}

interface Pass {
  document: Scored;
  passage: Scored;
  /** Passage scores (columns: passage ids, their documents, scores), for passage feedback and evidence. */
  passages: { size: number; ids: Int32Array; docs: Int32Array; values: Float64Array };
  fused: Scored;
  postingsRead: number;
}

const none = new Scored(0, new Int32Array(0), new Float64Array(0));

type PassColumns = Pass['passages'];

/** A pass's scores whose document is not excluded (the columns themselves when nothing is). */
function without(r: PassColumns, exclude: ReadonlySet<number> | undefined): PassColumns {
  if (!exclude?.size) return r;
  const keep: number[] = [];
  for (let k = 0; k < r.size; k++) if (!exclude.has(r.docs[k]!)) keep.push(k);
  return { size: keep.length, ids: Int32Array.from(keep, (k) => r.ids[k]!), docs: Int32Array.from(keep, (k) => r.docs[k]!), values: Float64Array.from(keep, (k) => r.values[k]!) };
}

/**
 * One scoring pass. `latentOf` scores the pass's best candidates (of the documents its postings
 * and the evidence found) by meaning: the latent signal orders what the words found, at the cost
 * of those candidates' passages, not of every passage of the corpus.
 */
function pass(
  index: TermIndex,
  query: readonly WeightedTerm[],
  s: RankSettings,
  latentOf: ((candidates: ReadonlySet<number>) => Map<number, number>) | null,
  exclude: ReadonlySet<number> | undefined,
  needPassages: boolean,
  evidence: readonly Signal[] = [],
): Pass & { latent: Map<number, number> | null } {
  const doc = s.weights.document ? bm25(index, query, 'document', s.bm25, s.budget) : null;
  const psg = s.weights.passage || needPassages ? bm25(index, query, 'passage', s.bm25, s.budget) : null;
  const kept = doc ? without(doc, exclude) : null;
  const document = kept ? new Scored(kept.size, kept.ids, kept.values) : none;
  const passages = psg ? without(psg, exclude) : { size: 0, ids: new Int32Array(0), docs: new Int32Array(0), values: new Float64Array(0) };
  const passage = s.weights.passage ? passageEvidenceOf(passages.size, passages.docs, passages.values, s.passage.decay, s.passage.depth) : none;
  const words: Signal[] = [{ scores: document, weight: s.weights.document }, { scores: passage, weight: s.weights.passage }];
  let fused = fuse([...words, ...evidence]);
  let latent: Map<number, number> | null = null;
  if (latentOf) {
    const best = fused.size <= s.latentCandidates ? fused.keys() : ranked(fused, undefined, s.latentCandidates).map((d) => d.id);
    latent = latentOf(new Set(best));
    // In the order the signals always had: sums in another order could break ties otherwise.
    fused = fuse([...words, { scores: latent, weight: s.weights.latent }, ...evidence]);
  }
  return { document, passage, passages, fused, latent, postingsRead: (doc?.postingsRead ?? 0) + (psg?.postingsRead ?? 0) };
}

/**
 * Ranks the documents of the index against text. `exclude`: documents never to return nor to
 * learn from (the input's own document); `latent`: the LSA scorer, when one is trained.
 */
export function rankDocuments(
  index: TermIndex,
  text: string,
  settings: RankSettings = settingsFor(text),
  options: {
    exclude?: ReadonlySet<number>;
    latent?: LatentScorer | null;
    evidence?: readonly Signal[];
    /** Only the best `top` documents are returned (the same as the first `top` of all of them). */
    top?: number;
  } = {},
): Ranking {
  const input = inputTerms(index, text, settings.queryTerms);
  const query: WeightedTerm[] = input.filter((t) => t.df > 0).map((t) => ({ term: t.term, weight: t.weight }));
  const { exclude } = options;
  const latentOf = (q: readonly WeightedTerm[]) => {
    const scorer = options.latent;
    if (!scorer || !settings.weights.latent || !q.length) return null;
    return (candidates: ReadonlySet<number>) => {
      const sims = scorer.similarities(q, candidates);
      if (exclude) for (const id of exclude) sims.delete(id);
      return sims;
    };
  };
  // Passage scores are always needed once: they are the evidence confidence reads.
  const first = pass(index, query, settings, latentOf(query), exclude, true, options.evidence);
  let bestPassageScore = 0;
  for (let k = 0; k < first.passages.size; k++) bestPassageScore = Math.max(bestPassageScore, first.passages.values[k]!);
  let result = first;
  let latent = first.latent;
  let postingsRead = first.postingsRead;
  let finalQuery = query;
  if (settings.rm3 && query.length) {
    finalQuery = rm3Query(index, query, feedbackUnits(index, first, settings.rm3), settings.rm3);
    result = pass(index, finalQuery, settings, latentOf(settings.latentQuery === 'final' ? finalQuery : query), exclude, false, options.evidence);
    latent = result.latent;
    postingsRead += result.postingsRead;
  }
  const order = ranked(result.fused, undefined, options.top);
  // The signals of the returned documents only: one pass over each signal's columns.
  const ids = order.map((d) => d.id);
  const documentOf = result.document.pick(ids);
  const passageOf = result.passage.pick(ids);
  const documents = order.map(({ id, score }) => ({
    id,
    score,
    signals: { document: documentOf.get(id) ?? 0, passage: passageOf.get(id) ?? 0, latent: latent?.get(id) ?? 0 },
  }));
  const best = { document: result.document.max(), passage: result.passage.max() };
  return { documents, input, query: finalQuery, bestPassageScore, postingsRead, best };
}

/** The first pass's best passages (or documents), with their terms, to vote in RM3. */
function feedbackUnits(index: TermIndex, first: Pass, s: Rm3Settings): FeedbackUnit[] {
  const out: FeedbackUnit[] = [];
  if (s.feedbackLevel === 'passage') {
    const { passages } = first;
    const byScore = Array.from({ length: passages.size }, (_, k) => ({ id: passages.ids[k]!, score: passages.values[k]! })).sort((a, b) => b.score - a.score || a.id - b.id);
    for (const p of byScore.slice(0, s.feedbackUnits)) {
      const terms = index.passageTerms(p.id);
      if (!terms) continue;
      // A passage votes with its own heading and text: the document title is indexed with every
      // passage, and would vote once per passage.
      const own = new Map<string, FieldValues>();
      for (const [t, v] of terms) if (v[1] + v[2] > 0) own.set(t, [0, v[1], v[2], 0]);
      out.push({ terms: own, score: p.score });
    }
  } else {
    for (const d of ranked(first.fused, undefined, s.feedbackUnits)) {
      const terms = index.documentTerms(d.id);
      if (terms) out.push({ terms, score: d.score });
    }
  }
  return out;
}
