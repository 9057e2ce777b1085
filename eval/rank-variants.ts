/**
 * The variants eval/rank-experiments.ts scores: each one general change to the engine ranker
 * (a weight, a setting of feedback or fusion; never a rule about a judged query or document).
 * The record of issue 11's experiments: what was tried, chosen on the odd halves, kept or dropped
 * (native/rank/README.md has the table). Rows start from the shipped ranker.
 *
 * Tried and removed with their code: the failure-mode share counted in the final score only (no
 * better than in both passes); failure-mode feedback (the modes of the best 3–10 documents'
 * incidents voting for a second share, weight 0.05–0.2: odd +0.005 at best, even −0.01, exact
 * events below 0.95); diversification by incident (a no-op on the evaluation corpus, where each
 * write-up is its own incident).
 */
import type { EngineRankerOptions } from '../native/rank/engine-ranker.js';
import { DOCUMENT_INPUT, isDocumentInput, SHORT_INPUT, type RankSettings } from '../native/rank/rank.js';

export interface Variant {
  name: string;
  options: EngineRankerOptions;
}

export interface VariantContext {
  /** The input's failure modes, read with the taxonomy's threshold × share (1 = as the engine reads them). */
  failureModesAt: (thresholdShare: number) => NonNullable<EngineRankerOptions['failureModes']>;
}

export function variants(ctx: VariantContext): Variant[] {
  const modes = (short: number, document: number, extra: Partial<EngineRankerOptions> = {}): EngineRankerOptions => ({
    engineWeights: { short: { semantic: 1, entities: 0, failureModes: short }, document: { semantic: 1, entities: 0, failureModes: document } },
    ...extra,
  });
  const short = (f: (s: RankSettings) => RankSettings) => ({ settings: (text: string) => (isDocumentInput(text) ? DOCUMENT_INPUT : f(SHORT_INPUT)) });
  const document = (f: (s: RankSettings) => RankSettings) => ({ settings: (text: string) => (isDocumentInput(text) ? f(DOCUMENT_INPUT) : SHORT_INPUT) });
  const terms = (t: number) => (s: RankSettings): RankSettings => ({ ...s, rm3: { ...s.rm3!, expansionTerms: t } });
  const split = (d: number) => (s: RankSettings): RankSettings => ({ ...s, weights: { ...s.weights, document: d, passage: 1 - d } });
  const latent = (l: number) => (s: RankSettings): RankSettings => ({ ...s, weights: { ...s.weights, latent: l } });
  return [
    { name: 'before issue 11 (no failure-mode share)', options: modes(0, 0) },
    { name: 'shipped (failure modes 0.3 short / 0.1 document)', options: {} },
    ...([[0.15, 0], [0.2, 0.05], [0.25, 0.15], [0.35, 0.2], [0.4, 0.3]] as const).map(([s, d]) => ({ name: `failure modes ${s} short / ${d} document`, options: modes(s, d) })),
    ...[0.5, 0.75, 1.5].map((t) => ({ name: `input failure modes at threshold ×${t}`, options: { failureModes: ctx.failureModesAt(t) } })),
    { name: '+ entities 0.1', options: { engineWeights: { short: { semantic: 1, entities: 0.1, failureModes: 0.3 }, document: { semantic: 1, entities: 0.1, failureModes: 0.1 } } } },
    ...[3, 10].map((u) => ({ name: `+ RM3 short: ${u} feedback documents`, options: short((s) => ({ ...s, rm3: { ...s.rm3!, feedbackUnits: u } })) })),
    ...[20, 60].map((t) => ({ name: `+ RM3 short: ${t} expansion terms`, options: short(terms(t)) })),
    ...[0.2, 0.4].map((l) => ({ name: `+ RM3 short: λ ${l}`, options: short((s) => ({ ...s, rm3: { ...s.rm3!, lambda: l } })) })),
    ...[0.05, 0.2].map((l) => ({ name: `+ latent short ${l}`, options: short(latent(l)) })),
    ...[0.5, 0.6, 0.9].map((d) => ({ name: `+ document/passage short ${d}/${(1 - d).toFixed(1)}`, options: short(split(d)) })),
    { name: '+ 20 terms, latent 0.2', options: short((s) => latent(0.2)(terms(20)(s))) },
    { name: '+ document 0.6, 20 terms', options: short((s) => split(0.6)(terms(20)(s))) },
    ...[0.25, 1].map((l) => ({ name: `+ latent document ${l}`, options: document(latent(l)) })),
    { name: '+ latent compares the input query (short)', options: short((s) => ({ ...s, latentQuery: 'input' })) },
    { name: '+ latent compares the input query (document)', options: document((s) => ({ ...s, latentQuery: 'input' })) },
  ];
}
