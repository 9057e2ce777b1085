/**
 * The engine's DocumentRanker: the ranking science of native/rank over the store's own term
 * statistics, latent model and vectors.
 *
 *  candidates  the documents holding the input's terms or the feedback terms (document- and
 *              passage-level BM25F over the store's posting lists, within a posting budget: a long
 *              write-up whose one passage matches is found by the passage pass even when its
 *              document score is diluted), the documents the model's vector index finds near the
 *              input's passages, and those sharing a failure mode (or, when fused, an entity);
 *              the latent (LSA) model scores these candidates, it does not scan the corpus;
 *  signals     document BM25F, passage evidence, latent (LSA) cosine, transformer similarity
 *              (section-compatible), shared entities, shared failure modes (the taxonomy read
 *              in the input against the incidents' facets: it also brings in candidates that
 *              share no word with the input);
 *  score       each signal divided by its best value among the candidates, weighted, summed.
 *
 * The lexical part and its weights are rank.ts's two profiles (tuned in the lab on odd queries);
 * the entity and semantic weights are added per profile here (ENGINE_WEIGHTS, measured by
 * `npm run eval`).
 */
import { checkpoint } from '../common/checkpoint.js';
import type { Store } from '../store/store.js';
import { confidence, coverage } from './confidence.js';
import { failureModeShare, type InputFailureMode } from './failure-mode-evidence.js';
import { entityOverlap, inputEntities, storedEntities } from './entity-evidence.js';
import type { Signal } from './fusion.js';
import { isDocumentInput, rankDocuments, settingsFor, type RankSettings } from './rank.js';
import type { DocumentRanker, DocumentRanking, RankedDocument, RankRequest } from './ranker.js';
import { inputPassages, semanticEvidence, spread, type SemanticSide } from './semantic-evidence.js';
import { porterStem, unicode61Tokens } from './tokenize.js';

export type { SemanticSide } from './semantic-evidence.js';

/** One weight per signal, applied after each signal is divided by its best value. */
export interface SignalWeights {
  document: number;
  passage: number;
  latent: number;
  semantic: number;
  entities: number;
  /** The share of the input's failure modes a document's incident has (failure-mode-evidence.ts). */
  failureModes: number;
}

export interface EngineWeights {
  short: Pick<SignalWeights, 'semantic' | 'entities' | 'failureModes'>;
  document: Pick<SignalWeights, 'semantic' | 'entities' | 'failureModes'>;
}

/**
 * Added to rank.ts's profiles.
 *
 * Entities: 0. Tuned on the odd queries of each set through this ranker (`npm run eval`,
 * section 5: a grid of entity and latent weights, the entity share fused into both passes so it
 * also picks the feedback documents): on the odd halves no entity weight beat none by more than
 * the spread between neighbouring settings (±0.01 nDCG@10), so the signal is computed (for
 * explanations) but not fused.
 *
 * Failure modes: 0.3 for a short input, 0.1 (damped) for a whole write-up — chosen on the odd
 * halves through this ranker (eval/rank-experiments.ts, eval/rank-variants.ts: 0.15–0.4 short,
 * 0–0.3 document), held on the even ones (new incidents odd 0.764 → 0.799, even 0.811 → 0.831;
 * recurrence odd 0.696 → 0.706, even 0.808 → 0.811). Higher, coarse modes crowd out the event's
 * own write-ups: exact-event queries fall from 0.95 to 0.93 at 0.4 / 0.3.
 *
 * Semantic: NOT measured — no real model is reachable here and the generated test models have
 * random weights. The transformer gets the weight of the whole lexical evidence (today's
 * `similar` gave it 0.45 against 0.35 lexical). Remeasure with `HINDSIGHT_MODEL_DIR=… npm run eval`
 * (section 5 then tunes it too) once a real model is installed.
 */
export const ENGINE_WEIGHTS: EngineWeights = {
  short: { semantic: 1, entities: 0, failureModes: 0.3 },
  document: { semantic: 1, entities: 0, failureModes: 0.1 },
};

export interface EngineRankerOptions {
  /** Replaces weights (the evaluation measures each signal alone; tests invert one). */
  weights?: Partial<SignalWeights>;
  /** Replaces the lexical profile (the evaluation's fold split). */
  settings?: (text: string) => RankSettings;
  engineWeights?: EngineWeights;
  /** The input's failure modes (the engine reads them with its taxonomy); none without it. */
  failureModes?: (text: string) => InputFailureMode[];
  /** Called at the start of every ranking (the engine checks whether its corpus model is due). */
  beforeRank?: () => void;
}

/** Documents scored by the transformer besides the ones its index finds: the best lexical ones. */
const SEMANTIC_CANDIDATES = 100;

export class EngineRanker implements DocumentRanker {
  constructor(
    private readonly store: Store,
    /** The transformer's side when a model and vectors exist, else null (lexical mode). */
    private readonly semantic: () => Promise<SemanticSide | null>,
    private readonly options: EngineRankerOptions = {},
  ) {}

  async rank(request: RankRequest): Promise<DocumentRanking> {
    const { store } = this;
    this.options.beforeRank?.();
    const exclude = request.exclude;
    const settings = this.options.settings?.(request.text) ?? settingsFor(request.text);
    const profile = isDocumentInput(request.text) ? 'document' : 'short';
    const extra = (this.options.engineWeights ?? ENGINE_WEIGHTS)[profile];
    const w: SignalWeights = { ...settings.weights, ...extra, ...this.options.weights };
    await checkpoint(request.signal);

    const [index, latent, side] = await Promise.all([store.ranking.termIndex(), store.ranking.latent(), this.semantic()]);
    // Shared entities and failure modes are evidence in both passes, so they also choose the
    // feedback documents (measured: counting the modes in the final score only did no better).
    const entities = await storedEntities(store, inputEntities(request.text));
    const entityScores = new Map<number, number>();
    // Fused, the share is read for every document naming an entity (a common one names a large
    // part of the corpus); unweighted, it only explains the documents returned: read for those below.
    if (entities.length && w.entities) for (const [id, v] of await entityOverlap(store, entities, null)) if (!exclude.has(id)) entityScores.set(id, v);
    // fuse() divides a signal by its best value; the entity share is absolute, so its weight carries that value back.
    const entityBest = largest(entityScores.values());
    const evidence: Signal[] = entityBest > 0 && w.entities ? [{ scores: entityScores, weight: w.entities * entityBest }] : [];
    // A document sharing the input's failure mode joins the candidates even without a shared word.
    const modeScores = w.failureModes && this.options.failureModes ? await failureModeShare(store, this.options.failureModes(request.text)) : new Map<number, number>();
    for (const id of exclude) modeScores.delete(id);
    // Absolute like the entity share: the weight carries the best share back after fuse() divides by it.
    const modeBest = largest(modeScores.values());
    if (modeBest > 0) evidence.push({ scores: modeScores, weight: w.failureModes * modeBest });
    const lexicalSettings: RankSettings = { ...settings, weights: { document: w.document, passage: w.passage, latent: w.latent } };
    // Lexically, with no filter by kind, only the first `limit` documents can be returned: the
    // rest are neither built nor sorted (the transformer and a kind filter need the whole list).
    const top = side || request.kinds?.length ? undefined : request.limit;
    const ranking = rankDocuments(index, request.text, lexicalSettings, { exclude, latent: latent?.scorer ?? null, evidence, top });
    await checkpoint(request.signal);

    const { best } = ranking;
    const lexicalWeight = w.document + w.passage;
    const lexicalOf = (document: number, passage: number) =>
      lexicalWeight ? (w.document * (best.document ? document / best.document : 0) + w.passage * (best.passage ? passage / best.passage : 0)) / lexicalWeight : 0;
    const scoredById = new Map<number, RankedDocument>();
    for (const d of ranking.documents) {
      scoredById.set(d.id, {
        documentId: d.id,
        score: d.score,
        signals: { lexical: lexicalOf(d.signals.document, d.signals.passage), latent: latent ? Math.min(1, Math.max(0, d.signals.latent)) : null, semantic: side ? 0 : null, entities: entityScores.get(d.id) ?? 0 },
        coverage: 0,
      });
    }

    if (side) {
      // The transformer scores the best lexical candidates and what its own index finds near the input.
      const lexicalBest = ranking.documents.slice(0, SEMANTIC_CANDIDATES).map((d) => d.id);
      const { raw } = await semanticEvidence(store, side, inputPassages(request.text, request.passages), lexicalBest, exclude);
      for (const [id, v] of spread(raw)) {
        let d = scoredById.get(id);
        if (!d) scoredById.set(id, (d = { documentId: id, score: 0, signals: { lexical: 0, latent: latent ? 0 : null, semantic: 0, entities: entityScores.get(id) ?? 0 }, coverage: 0 }));
        d.signals.semantic = v;
        d.score += w.semantic * v;
      }
      await checkpoint(request.signal);
    }
    let scored = [...scoredById.values()].sort((a, b) => b.score - a.score || a.documentId - b.documentId);

    if (request.kinds?.length) scored = await this.ofKinds(scored, new Set(request.kinds), request.limit);
    const documents = scored.slice(0, request.limit);
    if (entities.length && !w.entities) for (const [id, v] of await entityOverlap(store, entities, new Set(documents.map((d) => d.documentId)))) entityScores.set(id, v);
    for (const d of documents) {
      d.coverage = coverage(index, ranking.input, d.documentId);
      d.signals.entities = entityScores.get(d.documentId) ?? 0;
    }
    const surface = surfaceForms(request.text);
    return {
      mode: side ? 'hybrid' : 'lexical',
      documents,
      terms: ranking.input.map((t) => ({ term: surface.get(t.term) ?? t.term, weight: t.salience, seen: t.df > 0 })),
      confidence: confidence(index, ranking.bestPassageScore),
    };
  }

  /** The ranked documents of the wanted kinds, best first, until `limit` are found. */
  private async ofKinds(scored: RankedDocument[], kinds: ReadonlySet<string>, limit: number): Promise<RankedDocument[]> {
    const out: RankedDocument[] = [];
    for (let i = 0; i < scored.length && out.length < limit; i += 500) {
      const page = scored.slice(i, i + 500);
      const info = await this.store.documents.summaries(page.map((d) => d.documentId));
      for (const d of page) if (kinds.has(info.get(d.documentId)?.kind ?? '')) out.push(d);
    }
    return out;
  }
}

/** The largest value, 0 for none (a spread of a large map would overflow the call stack). */
function largest(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** Each stem's most frequent word in the text ("prometheus" for the stem "prometheu"): what a person reads. */
function surfaceForms(text: string): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const token of unicode61Tokens(text)) {
    const stemmed = porterStem(token);
    const forms = counts.get(stemmed) ?? new Map<string, number>();
    forms.set(token, (forms.get(token) ?? 0) + 1);
    counts.set(stemmed, forms);
  }
  return new Map([...counts].map(([stemmed, forms]) => [stemmed, [...forms].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length)[0]![0]]));
}
