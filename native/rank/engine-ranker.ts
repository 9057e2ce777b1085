/**
 * The engine's DocumentRanker: the ranking science of native/rank over the store's own term
 * statistics, latent model and vectors.
 *
 *  candidates  every document holding one of the input's terms or the feedback terms (document-
 *              and passage-level BM25F over the store's posting lists: a long write-up whose one
 *              passage matches is found by the passage pass even when its document score is
 *              diluted), every document the latent model finds close, the documents the model's
 *              vector index finds near the input's passages, and those sharing a rare entity;
 *  signals     document BM25F, passage evidence, latent (LSA) cosine, transformer similarity
 *              (section-compatible), shared entities;
 *  score       each signal divided by its best value among the candidates, weighted, summed.
 *
 * The lexical part and its weights are rank.ts's two profiles (tuned in the lab on odd queries);
 * the entity and semantic weights are added per profile here (ENGINE_WEIGHTS, measured by
 * `npm run eval`).
 */
import { checkpoint } from '../common/checkpoint.js';
import type { Store } from '../store/store.js';
import { confidence, coverage } from './confidence.js';
import { entityCandidates, entityOverlap, inputEntities, storedEntities } from './entity-evidence.js';
import { isDocumentInput, rankDocuments, settingsFor, type RankSettings } from './rank.js';
import type { DocumentRanker, DocumentRanking, RankedDocument, RankRequest } from './ranker.js';
import { inputPassages, semanticEvidence, spread, type SemanticSide } from './semantic-evidence.js';

export type { SemanticSide } from './semantic-evidence.js';

/** One weight per signal, applied after each signal is divided by its best value. */
export interface SignalWeights {
  document: number;
  passage: number;
  latent: number;
  semantic: number;
  entities: number;
}

export interface EngineWeights {
  short: Pick<SignalWeights, 'semantic' | 'entities'>;
  document: Pick<SignalWeights, 'semantic' | 'entities'>;
}

/**
 * Added to rank.ts's profiles. Entities: tuned on the odd queries of each evaluation set
 * (eval/eval.ts, fold table), checked on the even ones. Semantic: NOT measured (no real model
 * is reachable here; the generated test models have random weights): the transformer gets the
 * weight of the whole lexical evidence, as today's `similar` gave it 0.45 against 0.35 lexical.
 * Remeasure with `HINDSIGHT_MODEL_DIR=… npm run eval` once a real model is installed.
 */
export const ENGINE_WEIGHTS: EngineWeights = {
  short: { semantic: 1, entities: 0 },
  document: { semantic: 1, entities: 0 },
};

export interface EngineRankerOptions {
  /** Replaces weights (the evaluation measures each signal alone; tests invert one). */
  weights?: Partial<SignalWeights>;
  /** Replaces the lexical profile (the evaluation's fold split). */
  settings?: (text: string) => RankSettings;
  engineWeights?: EngineWeights;
  /** Called at the start of every ranking (the engine checks whether its corpus model is due). */
  beforeRank?: () => void;
}

/** Documents scored by the transformer besides the ones its index finds: the best lexical ones. */
const SEMANTIC_CANDIDATES = 200;

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
    const ranking = rankDocuments(index, request.text, settings, { exclude, latent: latent?.scorer ?? null });
    await checkpoint(request.signal);

    const signals = new Map<number, { document: number; passage: number; latent: number; semantic: number; entities: number }>();
    const of = (id: number) => {
      let s = signals.get(id);
      if (!s) signals.set(id, (s = { document: 0, passage: 0, latent: 0, semantic: 0, entities: 0 }));
      return s;
    };
    for (const d of ranking.documents) Object.assign(of(d.id), { document: d.signals.document, passage: d.signals.passage, latent: d.signals.latent });

    const entities = await storedEntities(store, inputEntities(request.text));
    if (entities.length) {
      for (const id of await entityCandidates(store, entities)) if (!exclude.has(id)) of(id);
      for (const [id, v] of await entityOverlap(store, entities, null)) if (!exclude.has(id)) of(id).entities = v;
    }

    if (side) {
      const lexicalBest = ranking.documents.slice(0, SEMANTIC_CANDIDATES).map((d) => d.id);
      const { raw } = await semanticEvidence(store, side, inputPassages(request.text, request.passages), lexicalBest, exclude);
      for (const [id, v] of spread(raw)) of(id).semantic = v;
      await checkpoint(request.signal);
    }

    // Each signal over its best value among the candidates, weighted and summed.
    const best = { document: 0, passage: 0, latent: 0, semantic: 0, entities: 0 };
    for (const s of signals.values()) for (const k of Object.keys(best) as Array<keyof typeof best>) best[k] = Math.max(best[k], s[k]);
    const norm = (k: keyof typeof best, v: number) => (best[k] > 0 ? v / best[k] : 0);
    const lexicalWeight = w.document + w.passage;
    let scored: RankedDocument[] = [...signals].map(([documentId, s]) => {
      const lexical = lexicalWeight ? (w.document * norm('document', s.document) + w.passage * norm('passage', s.passage)) / lexicalWeight : 0;
      const score = w.document * norm('document', s.document) + w.passage * norm('passage', s.passage) + w.latent * norm('latent', s.latent) + w.semantic * s.semantic + w.entities * s.entities;
      return { documentId, score, signals: { lexical, latent: latent ? Math.min(1, Math.max(0, s.latent)) : null, semantic: side ? s.semantic : null, entities: s.entities }, coverage: 0 };
    });
    scored.sort((a, b) => b.score - a.score || a.documentId - b.documentId);

    if (request.kinds?.length) scored = await this.ofKinds(scored, new Set(request.kinds), request.limit);
    const documents = scored.slice(0, request.limit);
    for (const d of documents) d.coverage = coverage(index, ranking.input, d.documentId);
    return {
      mode: side ? 'hybrid' : 'lexical',
      documents,
      terms: ranking.input.map((t) => ({ term: t.term, weight: t.salience, seen: t.df > 0 })),
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
