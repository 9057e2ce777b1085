/**
 * Stage 2 of similar past incidents: documents like the input, scored by meaning section by
 * section (with a model), salient words (BM25) and shared rare entities. It implements the
 * ranking interface (`native/rank/ranker.ts`) that similar reads.
 */
import { checkpoint } from '../common/checkpoint.js';
import { extractEntities } from '../entities/extract.js';
import type { Confidence } from '../rank/confidence.js';
import { compat, dot } from '../rank/semantic-evidence.js';
import { ENTITY_WEIGHT, storedEntities, type InputEntity } from '../rank/entity-evidence.js';
import type { DocumentRanker, DocumentRanking, RankRequest } from '../rank/ranker.js';
import { parseQuery, stem, toFtsQuery, tokenize } from '../search/terms.js';
import type { PassageVector, Store } from '../store/store.js';
import type { VectorIndex } from '../vector/vector-index.js';
import { TELLING_ENTITIES } from './read-input.js';

export interface RankDeps {
  store: Store;
  semantic: { index: VectorIndex; embed: (texts: string[]) => Promise<Float32Array[]> } | null;
  /** Signal weights (the evaluation measures each signal alone); defaults to WEIGHTS. */
  weights?: { semantic: number; lexical: number; entities: number };
}

/** Signal weights; lexical-only mode spreads the semantic weight over the others. */
export const WEIGHTS = {
  hybrid: { semantic: 0.45, lexical: 0.35, entities: 0.2 },
  lexical: { semantic: 0, lexical: 0.7, entities: 0.3 },
} as const;

/** Coverage at which the best document says "this has happened" / "something like it has". */
const COVERAGE = { recurring: 0.55, related: 0.35 } as const;

/** Entity kinds that say two incidents are alike, and how strongly. */

const MAX_TERMS = 32;
const LEXICAL_CANDIDATES = 400;
const SEMANTIC_PER_PASSAGE = 80;

export class WordsAndMeaningRanker implements DocumentRanker {
  constructor(private readonly deps: RankDeps) {}

  async rank(req: RankRequest): Promise<DocumentRanking> {
    const { store, semantic } = this.deps;
    const passages = req.passages;
    const salient = await salientTerms(store, req.text);
    const entities = extractEntities(req.text).filter((e) => ENTITY_WEIGHT[e.type] && (TELLING_ENTITIES as readonly string[]).includes(e.type));
    if (semantic) {
      const missing = passages.filter((p) => !p.vector);
      if (missing.length) {
        const vectors = await semantic.embed(missing.map((p) => p.text));
        missing.forEach((p, i) => (p.vector = vectors[i]));
      }
    }
    await checkpoint(req.signal);

    // Candidates: from words, from meaning, from shared rare entities. Words in more than half
    // the passages cannot rank (BM25 idf ~0), and unknown ones match nothing.
    const n = await store.lexical.total();
    const lexical = await lexicalScores(store, salient.filter((t) => t.df > 0 && t.df <= n / 2).map((t) => t.term));
    const semanticHits = new Set<number>();
    if (semantic) {
      const chunkHits = passages.flatMap((p) => (p.vector ? semantic.index.search(p.vector, SEMANTIC_PER_PASSAGE).map((h) => h.chunkId) : []));
      for (const d of (await store.passages.documentsOf(chunkHits)).values()) semanticHits.add(d);
    }
    const entityInfo = await storedEntities(store, entities);
    const byEntity = await entityCandidates(store, entityInfo);
    const ids = new Set([...lexical.keys(), ...semanticHits, ...byEntity]);
    for (const id of [...ids]) if (req.exclude.has(id)) ids.delete(id);
    if (req.kinds?.length) {
      const kinds = new Set(req.kinds);
      const info = await store.documents.summaries([...ids]);
      for (const id of [...ids]) if (!kinds.has(info.get(id)!.kind)) ids.delete(id);
    }
    await checkpoint(req.signal);

    // Scores per candidate.
    const maxLex = Math.max(1e-9, ...[...ids].map((id) => lexical.get(id) ?? 0));
    const semRaw = new Map<number, number>();
    if (semantic) {
      const byDoc = new Map<number, PassageVector[]>();
      for (const v of await store.passages.vectorsOfDocuments([...ids])) {
        let list = byDoc.get(v.documentId);
        if (!list) byDoc.set(v.documentId, (list = []));
        list.push(v);
      }
      for (const id of ids) {
        const chunks = byDoc.get(id) ?? [];
        if (!chunks.length) continue;
        let sum = 0;
        let weight = 0;
        for (const p of passages) {
          if (!p.vector) continue;
          let best = 0;
          for (const c of chunks) best = Math.max(best, compat(p.role, c.role) * dot(p.vector, c.vector));
          const w = Math.min(tokenize(p.text).length, 300);
          sum += best * w;
          weight += w;
        }
        semRaw.set(id, weight ? sum / weight : 0);
      }
    }
    // Cosine similarities of a model sit in a narrow band: spread them over [0, 1] among candidates.
    const semValues = [...semRaw.values()].sort((a, b) => a - b);
    const semFloor = semValues.length ? semValues[Math.floor(semValues.length * 0.1)]! : 0;
    const semMax = semValues.length ? semValues[semValues.length - 1]! : 1;
    const w = this.deps.weights ?? (semantic ? WEIGHTS.hybrid : WEIGHTS.lexical);
    const entityScores = await entityOverlap(store, entityInfo, [...ids]);
    const scored = [...ids].map((id) => {
      const lex = (lexical.get(id) ?? 0) / maxLex;
      const sem = semantic ? Math.max(0, ((semRaw.get(id) ?? semFloor) - semFloor) / Math.max(1e-9, semMax - semFloor)) : null;
      const ent = entityScores.get(id) ?? 0;
      return { documentId: id, score: w.lexical * lex + w.entities * ent + w.semantic * (sem ?? 0), signals: { lexical: lex, latent: null, semantic: sem, entities: ent }, coverage: 0 };
    });
    scored.sort((a, b) => b.score - a.score || a.documentId - b.documentId);
    const top = scored.slice(0, req.limit);

    // Coverage, an absolute measure: the share of the input's distinctive words a document holds.
    const totalWeight = salient.reduce((sum, t) => sum + t.weight, 0);
    const stemsOf = new Map<number, Set<string>>();
    for (const p of await store.passages.ofDocuments(top.map((d) => d.documentId))) {
      let set = stemsOf.get(p.documentId);
      if (!set) stemsOf.set(p.documentId, (set = new Set()));
      for (const t of tokenize(`${p.heading} ${p.text}`)) set.add(stem(t));
    }
    for (const d of top) {
      const stems = stemsOf.get(d.documentId) ?? new Set<string>();
      d.coverage = totalWeight ? salient.reduce((sum, t) => sum + (stems.has(stem(t.term)) ? t.weight : 0), 0) / totalWeight : 0;
    }
    const best = Math.max(0, ...top.slice(0, 3).map((d) => d.coverage));
    const confidence: Confidence = { evidence: best, score: best, verdict: best >= COVERAGE.recurring ? 'recurring' : best >= COVERAGE.related ? 'related' : 'novel' };
    return {
      mode: semantic ? 'hybrid' : 'lexical',
      documents: top,
      terms: salient.map((t) => ({ term: t.term, weight: t.weight, seen: t.df > 0 })),
      confidence,
    };
  }
}

/**
 * The input's most telling words: frequent in it, rare in the database (tf·idf with a smoothed
 * idf, so that words the database has never seen weigh most).
 */
async function salientTerms(store: Store, text: string): Promise<Array<{ term: string; weight: number; df: number }>> {
  const { terms } = parseQuery(text, 2000);
  const wanted = new Set(terms);
  const tf = new Map<string, number>();
  for (const t of tokenize(text)) if (wanted.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
  const n = Math.max(1, await store.lexical.total());
  const df = await store.lexical.frequencies(terms.filter((t) => t.length > 1 && !/^\d+$/.test(t)));
  return [...df.entries()]
    .map(([term, d]) => ({ term, df: d, weight: (1 + Math.log(tf.get(term) ?? 1)) * Math.log(1 + n / (d + 0.5)) }))
    .sort((a, b) => b.weight - a.weight)
    .slice(0, MAX_TERMS);
}

/** BM25 per document: the sum of its two best passages (an incident rarely fits in one). */
async function lexicalScores(store: Store, terms: string[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const fts = toFtsQuery({ terms, phrases: [] });
  if (!fts) return out;
  const rows = await store.lexical.candidates(fts, {}, LEXICAL_CANDIDATES);
  const best = new Map<number, number[]>();
  for (const r of rows) best.set(r.documentId, [...(best.get(r.documentId) ?? []), r.score].sort((a, b) => b - a).slice(0, 2));
  for (const [d, s] of best) out.set(d, s[0]! + 0.5 * (s[1] ?? 0));
  return out;
}

async function entityCandidates(store: Store, info: InputEntity[]): Promise<number[]> {
  const rare = info.filter((e) => e.weight >= (ENTITY_WEIGHT[e.type] ?? 0) * Math.log(1 + 20));
  if (!rare.length) return [];
  return store.entities.documentsNaming(rare.map((e) => e.id), 500);
}

/** Share of the input's entity weight that a document carries too. */
async function entityOverlap(store: Store, info: InputEntity[], ids: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!info.length || !ids.length) return out;
  // A small input naming one entity should not get a perfect score for sharing it.
  const total = Math.max(info.reduce((s, e) => s + e.weight, 0), 6);
  const weightOf = new Map(info.map((e) => [e.id, e.weight]));
  const wanted = new Set(ids);
  for (const r of await store.entities.mentionsOf(info.map((e) => e.id))) {
    if (wanted.has(r.documentId)) out.set(r.documentId, (out.get(r.documentId) ?? 0) + weightOf.get(r.entityId)! / total);
  }
  for (const [d, v] of out) out.set(d, Math.min(1, v));
  return out;
}

