/**
 * The transformer model's evidence, when one is installed: how close in meaning a document's
 * passages are to the input's, section by section (today's `similar` measure, similar/similar.ts).
 * For each input passage, the best cosine with the document's passages weighted by section
 * compatibility (symptoms ↔ summary/impact/timeline/detection 1.0, causes ↔ root cause/trigger/
 * contributing factors 1.0, symptom ↔ cause 0.6, fixes 0.3–0.8), averaged over the input's
 * passages by their length.
 */
import { chunkMarkdown } from '../chunk/chunker.js';
import type { SectionRole } from '../contract.js';
import type { Store } from '../store/store.js';
import { isDocumentInput } from './rank.js';

/** What the engine lends the ranker when a model and stored vectors exist. */
export interface SemanticSide {
  /** Vectors of passages of text, as the stored passages were embedded. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** The stored passages nearest a vector (cosine). */
  search(vector: Float32Array, k: number): Array<{ chunkId: number; similarity: number }>;
  /**
   * The documents' passage vectors, when the engine holds them in memory (its vector index):
   * scoring a few hundred candidate documents reads thousands of vectors. Else the store's.
   */
  vectorsOfDocuments?: Store['passages']['vectorsOfDocuments'];
}

type Group = 'symptom' | 'cause' | 'fix';
const GROUP: Record<SectionRole, Group> = {
  summary: 'symptom', impact: 'symptom', timeline: 'symptom', detection: 'symptom', other: 'symptom',
  root_cause: 'cause', trigger: 'cause', contributing_factors: 'cause',
  resolution: 'fix', action_items: 'fix', lessons: 'fix',
};

/** How much a match between two sections counts: symptoms against symptoms, causes against causes. */
export function compat(a: SectionRole, b: SectionRole): number {
  const ga = GROUP[a];
  const gb = GROUP[b];
  if (ga === gb) return ga === 'fix' ? 0.8 : 1;
  if (ga !== 'fix' && gb !== 'fix') return 0.6;
  return 0.3;
}

export interface InputPassage {
  text: string;
  role: SectionRole;
  vector?: Float32Array;
}

const MAX_PASSAGES = 10;
const PRIORITY: Record<SectionRole, number> = { summary: 0, impact: 1, root_cause: 1, trigger: 2, contributing_factors: 3, detection: 4, resolution: 4, timeline: 5, action_items: 6, lessons: 7, other: 5 };

/**
 * The input's passages: given ones, else a write-up chunked by section, else one "summary"
 * passage. At most ten, those that carry the incident (symptoms and causes) before long timelines.
 */
export function inputPassages(text: string, given: readonly InputPassage[]): InputPassage[] {
  const raw = given.length ? given : isDocumentInput(text) ? chunkMarkdown(text).map((c) => ({ text: c.text, role: c.role })) : [{ text, role: 'summary' as SectionRole }];
  return raw
    .filter((p) => p.text.trim())
    .map((p, i) => ({ p, i }))
    .sort((a, b) => PRIORITY[a.p.role] - PRIORITY[b.p.role] || a.i - b.i)
    .slice(0, MAX_PASSAGES)
    .sort((a, b) => a.i - b.i)
    .map(({ p }) => ({ ...p }));
}

/** Dot product (cosine for the normalised vectors the embedder and the latent model give). */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** Passages the model's index finds near each input passage, per passage. */
export const NEIGHBOURS_PER_PASSAGE = 80;
/** Documents found by the index that are scored, closest first. */
export const FOUND_DOCUMENTS = 150;

/**
 * Semantic evidence for the candidates and the documents the index finds near the input:
 * `raw` per document (section-compatible cosine, averaged over input passages), and the
 * documents found by the index (candidates a word match would miss).
 */
export async function semanticEvidence(store: Store, side: SemanticSide, passages: InputPassage[], candidates: Iterable<number>, exclude: ReadonlySet<number>): Promise<{ raw: Map<number, number>; found: Set<number> }> {
  const missing = passages.filter((p) => !p.vector);
  if (missing.length) {
    const vectors = await side.embed(missing.map((p) => p.text));
    missing.forEach((p, i) => (p.vector = vectors[i]));
  }
  const hits = passages.flatMap((p) => side.search(p.vector!, NEIGHBOURS_PER_PASSAGE));
  const docOf = await store.passages.documentsOf(hits.map((h) => h.chunkId));
  // The documents of the closest passages first; at most FOUND_DOCUMENTS of them are scored
  // (each costs its passages' vectors: a whole write-up as input finds hundreds).
  const closest = new Map<number, number>();
  for (const h of hits) {
    const d = docOf.get(h.chunkId);
    if (d !== undefined && !exclude.has(d)) closest.set(d, Math.max(closest.get(d) ?? -1, h.similarity));
  }
  const found = new Set([...closest].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, FOUND_DOCUMENTS).map(([d]) => d));
  const ids = [...new Set([...candidates, ...found])].filter((d) => !exclude.has(d));
  const byDoc = new Map<number, Array<{ role: SectionRole; v: Float32Array }>>();
  const vectorsOf = side.vectorsOfDocuments ?? ((d: readonly number[]) => store.passages.vectorsOfDocuments(d));
  for (const v of await vectorsOf(ids)) {
    let list = byDoc.get(v.documentId);
    if (!list) byDoc.set(v.documentId, (list = []));
    list.push({ role: v.role, v: v.vector });
  }
  const weights = passages.map((p) => Math.min(p.text.split(/\s+/).length, 300));
  const raw = new Map<number, number>();
  for (const [id, chunks] of byDoc) {
    let sum = 0;
    let weight = 0;
    passages.forEach((p, i) => {
      let best = 0;
      for (const c of chunks) best = Math.max(best, compat(p.role, c.role) * dot(p.vector!, c.v));
      sum += best * weights[i]!;
      weight += weights[i]!;
    });
    raw.set(id, weight ? sum / weight : 0);
  }
  return { raw, found };
}

/**
 * A model's cosines sit in a narrow band: spread over [0, 1] among the documents scored, from
 * the tenth percentile (0) to the best (1).
 */
export function spread(raw: ReadonlyMap<number, number>): Map<number, number> {
  const values = [...raw.values()].sort((a, b) => a - b);
  const out = new Map<number, number>();
  if (!values.length) return out;
  const floor = values[Math.floor(values.length * 0.1)]!;
  const top = values[values.length - 1]!;
  for (const [id, v] of raw) out.set(id, Math.max(0, (v - floor) / Math.max(1e-9, top - floor)));
  return out;
}
