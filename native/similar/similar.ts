import { chunkMarkdown } from '../chunk/chunker.js';
import type {
  DocumentKind,
  EntityType,
  PassagePair,
  RelatedRecord,
  ScoreBreakdown,
  SectionRole,
  SimilarIncident,
  SimilarResult,
} from '../contract.js';
import { extractEntities, type FoundEntity } from '../entities/extract.js';
import { makeSnippet, plainText } from '../search/snippet.js';
import { checkpoint } from '../common/checkpoint.js';
import { parseQuery, stem, toFtsQuery, tokenize } from '../search/terms.js';
import type { EntityMatch, PassageVector, Store } from '../store/store.js';
import type { VectorIndex } from '../vector/vector-index.js';
import { incidentGroups } from './incident-groups.js';

/** What the new incident is, ready to compare. */
export interface IncidentInput {
  text: string;
  /** Passages with roles; vectors when they are already known (an imported document). */
  passages?: Array<{ text: string; role: SectionRole; vector?: Float32Array }>;
  /** Documents not to return (the input document itself). */
  exclude: number[];
  kinds?: DocumentKind[];
  limit: number;
  /** Signal weights (the evaluation measures each signal alone); defaults to WEIGHTS. */
  weights?: { semantic: number; lexical: number; entities: number };
  /** Stops the work between its stages (a timeout, a cancel). */
  signal?: AbortSignal;
}

export interface SimilarDeps {
  store: Store;
  semantic: { index: VectorIndex; embed: (texts: string[]) => Promise<Float32Array[]> } | null;
}

/** Signal weights; lexical-only mode spreads the semantic weight over the others. */
export const WEIGHTS = {
  hybrid: { semantic: 0.45, lexical: 0.35, entities: 0.2 },
  lexical: { semantic: 0, lexical: 0.7, entities: 0.3 },
} as const;

/**
 * Verdict thresholds on the best incident's coverage of the input's telling words. Ranking scores
 * are relative to the other candidates; coverage is absolute, so it can say "nothing like this".
 */
export const VERDICT = { recurring: 0.55, related: 0.35 } as const;

type Group = 'symptom' | 'cause' | 'fix';
const GROUP: Record<SectionRole, Group> = {
  summary: 'symptom', impact: 'symptom', timeline: 'symptom', detection: 'symptom', other: 'symptom',
  root_cause: 'cause', trigger: 'cause', contributing_factors: 'cause',
  resolution: 'fix', action_items: 'fix', lessons: 'fix',
};
/** How much a match between two sections counts: symptoms against symptoms, causes against causes. */
function compat(a: SectionRole, b: SectionRole): number {
  const ga = GROUP[a];
  const gb = GROUP[b];
  if (ga === gb) return ga === 'fix' ? 0.8 : 1;
  if (ga !== 'fix' && gb !== 'fix') return 0.6;
  return 0.3;
}

/** Entity kinds that say two incidents are alike, and how strongly. */
const ENTITY_WEIGHT: Partial<Record<EntityType, number>> = { error: 1.5, service: 1.3, host: 1.0, technology: 0.6, ticket: 1.2, url: 0.8 };

const MAX_PASSAGES = 10;
const MAX_TERMS = 32;
const LEXICAL_CANDIDATES = 400;
const SEMANTIC_PER_PASSAGE = 80;

interface Passage {
  text: string;
  role: SectionRole;
  tokens: number;
  terms: Set<string>;
  vector?: Float32Array;
}

interface Candidate {
  id: number;
  lexical: number;
  semantic: number | null;
  entities: number;
  total: number;
}

/**
 * Past incidents like the input, ranked by meaning section by section, salient words and shared
 * entities, each with the evidence a person needs to trust it.
 */
export async function findSimilar(deps: SimilarDeps, input: IncidentInput): Promise<SimilarResult> {
  const started = performance.now();
  const { store } = deps;
  const passages = inputPassages(input);
  const salient = await salientTerms(store, input.text);
  const inputEntities = extractEntities(input.text).filter((e) => ENTITY_WEIGHT[e.type]);
  if (deps.semantic) {
    const missing = passages.filter((p) => !p.vector);
    if (missing.length) {
      const vectors = await deps.semantic.embed(missing.map((p) => p.text));
      missing.forEach((p, i) => (p.vector = vectors[i]));
    }
  }
  const exclude = new Set(input.exclude);
  await checkpoint(input.signal);

  // Candidates: from words, from meaning, from shared rare entities.
  // Words in more than half the passages cannot rank (BM25 idf ~0), and unknown ones match nothing.
  const n = await store.lexical.total();
  const lexical = await lexicalScores(store, salient.filter((t) => t.df > 0 && t.df <= n / 2).map((t) => t.term));
  const semanticHits = new Set<number>();
  if (deps.semantic) {
    const chunkHits = passages.flatMap((p) => deps.semantic!.index.search(p.vector!, SEMANTIC_PER_PASSAGE).map((h) => h.chunkId));
    for (const d of (await store.passages.documentsOf(chunkHits)).values()) semanticHits.add(d);
  }
  const entityInfo = await entityIdf(store, inputEntities);
  const byEntity = await entityCandidates(store, entityInfo);
  const ids = new Set([...lexical.keys(), ...semanticHits, ...byEntity]);
  for (const id of [...ids]) if (exclude.has(id)) ids.delete(id);
  if (input.kinds?.length) {
    const kinds = new Set(input.kinds);
    const info = await store.documents.summaries([...ids]);
    for (const id of [...ids]) if (!kinds.has(info.get(id)?.kind as DocumentKind)) ids.delete(id);
  }

  await checkpoint(input.signal);
  // Scores per candidate.
  const maxLex = Math.max(1e-9, ...[...ids].map((id) => lexical.get(id) ?? 0));
  const semRaw = new Map<number, number>();
  if (deps.semantic) {
    const byDoc = new Map<number, PassageVector[]>();
    for (const v of await store.passages.vectorsOfDocuments([...ids])) {
      let list = byDoc.get(v.documentId);
      if (!list) byDoc.set(v.documentId, (list = []));
      list.push(v);
    }
    for (const id of ids) {
      const chunks = (byDoc.get(id) ?? []).map((c) => ({ role: c.role, v: c.vector }));
      if (!chunks.length) continue;
      let sum = 0;
      let weight = 0;
      for (const p of passages) {
        let best = 0;
        for (const c of chunks) best = Math.max(best, compat(p.role, c.role) * dot(p.vector!, c.v));
        const w = Math.min(p.tokens, 300);
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
  const w = input.weights ?? (deps.semantic ? WEIGHTS.hybrid : WEIGHTS.lexical);
  const entityScores = await entityOverlap(store, entityInfo, [...ids]);
  const scored: Candidate[] = [...ids].map((id) => {
    const lex = (lexical.get(id) ?? 0) / maxLex;
    const sem = deps.semantic ? Math.max(0, ((semRaw.get(id) ?? semFloor) - semFloor) / Math.max(1e-9, semMax - semFloor)) : null;
    const ent = entityScores.get(id) ?? 0;
    return { id, lexical: lex, semantic: sem, entities: ent, total: w.lexical * lex + w.entities * ent + w.semantic * (sem ?? 0) };
  });
  scored.sort((a, b) => b.total - a.total || a.id - b.id);

  // Records of one event (a postmortem, its ticket, its Slack thread) become one incident.
  const groups = await incidentGroups(store, scored.slice(0, input.limit * 4).map((c) => c.id));
  const seen = new Set<number>();
  const picked: Array<{ c: Candidate; members: number[] }> = [];
  for (const c of scored) {
    if (picked.length >= input.limit) break;
    const g = groups.get(c.id);
    const primary = g?.primary ?? c.id;
    if (seen.has(primary) || exclude.has(primary)) continue;
    seen.add(primary);
    for (const m of g?.members ?? []) seen.add(m);
    const best = primary === c.id ? c : (scored.find((x) => x.id === primary) ?? { ...c, id: primary });
    picked.push({ c: { ...best, total: Math.max(best.total, c.total) }, members: (g?.members ?? [c.id]).filter((m) => m !== primary) });
  }

  const incidents = await Promise.all(picked.map(({ c, members }) => explain(deps, c, members, passages, salient, inputEntities)));
  // The verdict looks at the first few results only: a tenth result sharing a few words says nothing.
  const best = incidents.slice(0, 3).reduce<SimilarIncident | null>((b, i) => (!b || i.score.coverage > b.score.coverage ? i : b), null);
  const cov = best?.score.coverage ?? 0;
  const pct = `${Math.round(cov * 100)}%`;
  const verdict: SimilarResult['verdict'] =
    best && cov >= VERDICT.recurring
      ? { label: 'recurring', reason: `“${best.title}” covers ${pct} of what makes this incident distinctive: it looks like it has happened before.` }
      : best && cov >= VERDICT.related
        ? { label: 'related', reason: `Past incidents share parts of this one (at most ${pct} of its distinctive words, in “${best.title}”), but none matches closely.` }
        : { label: 'novel', reason: best ? `No past incident shares more than ${pct} of what makes this one distinctive: it looks new.` : 'No past incident shares its words or entities: it looks new.' };
  return {
    mode: deps.semantic ? 'hybrid' : 'lexical',
    verdict,
    input: { passages: passages.length, terms: salient.filter((t) => t.df > 0).slice(0, 12).map((t) => t.term), entities: inputEntities.slice(0, 20).map((e) => ({ type: e.type, name: e.name })) },
    incidents,
    tookMs: Math.round(performance.now() - started),
  };
}

/** Long or structured input is compared section by section; a few chat lines are one passage. */
function inputPassages(input: IncidentInput): Passage[] {
  const raw: Array<{ text: string; role: SectionRole; vector?: Float32Array }> = input.passages ?? (input.text.length > 1200 || /^#{1,6}\s/m.test(input.text)
    ? chunkMarkdown(input.text).map((c) => ({ text: c.text, role: c.role }))
    : [{ text: input.text, role: 'summary' as SectionRole }]);
  // Keep the passages that carry the incident: symptoms and causes before long timelines.
  const priority = (r: SectionRole) => ({ summary: 0, impact: 1, root_cause: 1, trigger: 2, contributing_factors: 3, detection: 4, resolution: 4, timeline: 5, action_items: 6, lessons: 7, other: 5 })[r];
  return raw
    .filter((p) => p.text.trim())
    .map((p, i) => ({ ...p, i }))
    .sort((a, b) => priority(a.role) - priority(b.role) || a.i - b.i)
    .slice(0, MAX_PASSAGES)
    .sort((a, b) => a.i - b.i)
    .map((p) => ({ text: p.text, role: p.role, vector: p.vector, tokens: tokenize(p.text).length, terms: new Set(tokenize(p.text).map(stem)) }));
}

/**
 * The input's most telling words: frequent in it, rare in the database (tf·idf with a smoothed
 * idf, so that words the database has never seen weigh most). Words it has never seen cannot
 * match, but they are the strongest sign that an incident is new: the verdict's coverage counts them.
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

interface EntityInfo {
  id: number;
  type: EntityType;
  name: string;
  weight: number;
}

/** The input's entities that exist in the store, weighted by kind and rarity. */
async function entityIdf(store: Store, entities: FoundEntity[]): Promise<EntityInfo[]> {
  if (!entities.length) return [];
  const docs = Math.max(1, await store.documents.count());
  const found = new Map((await store.entities.lookup(entities)).map((m): [string, EntityMatch] => [`${m.type}\u0000${m.key}`, m]));
  const out: EntityInfo[] = [];
  for (const e of entities) {
    const row = found.get(`${e.type}\u0000${e.key}`);
    if (!row?.documents) continue;
    out.push({ id: row.id, type: e.type, name: e.name, weight: (ENTITY_WEIGHT[e.type] ?? 0) * Math.log(1 + docs / row.documents) });
  }
  return out;
}

/** Documents sharing a rare entity with the input (at most 5% of documents carry it). */
async function entityCandidates(store: Store, info: EntityInfo[]): Promise<number[]> {
  const rare = info.filter((e) => e.weight >= (ENTITY_WEIGHT[e.type] ?? 0) * Math.log(1 + 20));
  if (!rare.length) return [];
  return store.entities.documentsNaming(rare.map((e) => e.id), 500);
}

/** Share of the input's entity weight that a document carries too. */
async function entityOverlap(store: Store, info: EntityInfo[], ids: number[]): Promise<Map<number, number>> {
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

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** The evidence for one result: shared entities, best passage pairs, what fixed it, links. */
async function explain(deps: SimilarDeps, c: Candidate, members: number[], passages: Passage[], salientTerms: Array<{ term: string; weight: number; df: number }>, inputEntities: FoundEntity[]): Promise<SimilarIncident> {
  const { store } = deps;
  const salient = salientTerms.map((t) => t.term);
  const ids = [c.id, ...members];
  const docs = await store.documents.summaries(ids);
  const doc = docs.get(c.id)!;
  const seenEntity = new Set<string>();
  const entities = (await store.entities.ofDocuments(ids)).filter((e) => {
    const k = `${e.type}\u0000${e.key}`;
    return !seenEntity.has(k) && !!seenEntity.add(k);
  });
  const inputKeys = new Set(inputEntities.map((e) => `${e.type}\u0000${e.key}`));
  const shared = entities.filter((e) => inputKeys.has(`${e.type}\u0000${e.key}`));
  const names = (t: EntityType) => shared.filter((e) => e.type === t).map((e) => e.name);

  // The incident's own record first, then the records merged into it.
  const passageRows = (await store.passages.ofDocuments(ids)).sort((a, b) => Number(b.documentId === c.id) - Number(a.documentId === c.id));
  const vectors = deps.semantic ? await store.passages.vectors(passageRows.map((p) => p.id)) : new Map<number, Float32Array>();
  const chunks = passageRows.map((p) => ({ ...p, embedding: vectors.get(p.id) ?? null }));
  const salientStems = new Set(salient.map(stem));
  // Each passage's words once, not once per input passage.
  const chunkStems = chunks.map((ch) => new Set(tokenize(ch.text).map(stem)));
  const docStems = new Set(chunkStems.flatMap((set) => [...set]));
  const totalWeight = salientTerms.reduce((sum, t) => sum + t.weight, 0);
  const coverage = totalWeight ? salientTerms.reduce((sum, t) => sum + (docStems.has(stem(t.term)) ? t.weight : 0), 0) / totalWeight : 0;
  const pairs: PassagePair[] = [];
  for (const p of passages) {
    let best: { chunk: (typeof chunks)[number]; sim: number; shared: string[] } | null = null;
    for (const [ci, ch] of chunks.entries()) {
      const chTerms = chunkStems[ci]!;
      const sharedTerms = [...p.terms].filter((t) => chTerms.has(t) && salientStems.has(t));
      const sim = deps.semantic && p.vector && ch.embedding
        ? compat(p.role, ch.role) * dot(p.vector, ch.embedding)
        : compat(p.role, ch.role) * (sharedTerms.length / Math.max(1, Math.min(p.terms.size, chTerms.size, 12)));
      if (!best || sim > best.sim) best = { chunk: ch, sim, shared: sharedTerms };
    }
    if (best && best.sim > 0) {
      const sharedWords = salient.filter((t) => best!.shared.includes(stem(t)));
      pairs.push({
        input: { text: clip(plainText(p.text), 300), role: p.role },
        match: { text: makeSnippet(best.chunk.text, sharedWords, best.chunk.heading, best.chunk.role, 320).text, heading: best.chunk.heading, role: best.chunk.role, chunkId: best.chunk.id },
        similarity: Math.round(best.sim * 1000) / 1000,
        sharedTerms: sharedWords.slice(0, 8),
      });
    }
  }
  pairs.sort((a, b) => b.similarity - a.similarity);

  const fix = chunks.find((ch) => ch.role === 'resolution') ?? chunks.find((ch) => ch.role === 'action_items');
  const meta = doc.metadata;
  const resolution = fix
    ? { text: clip(plainText(fix.text.replace(/^(#{1,6}\s+[^\n]*\n+)+/, '')), 500), heading: fix.heading }
    : typeof meta.resolution === 'string' && meta.resolution
      ? { text: `Resolved as ${meta.resolution}.`, heading: 'Resolution' }
      : null;
  const timeToResolve = timeToResolveMinutes(ids.map((id) => docs.get(id)).filter((d) => d !== undefined));
  const related: RelatedRecord[] = [
    ...members.flatMap((m) => {
      const d = docs.get(m);
      return d ? [{ documentId: d.id, title: d.title, kind: d.kind, relation: 'same incident' }] : [];
    }),
    ...(await store.links.outgoing(c.id, 10)).filter((r) => !members.includes(r.documentId)),
  ];
  const score: ScoreBreakdown = {
    semantic: c.semantic === null ? null : round(c.semantic),
    lexical: round(c.lexical),
    entities: round(c.entities),
    coverage: round(coverage),
    total: round(c.total),
  };
  return {
    documentId: doc.id,
    title: doc.title,
    kind: doc.kind,
    source: doc.source,
    url: doc.url,
    occurredAt: doc.occurredAt,
    score,
    shared: { services: names('service'), errors: names('error'), technologies: names('technology'), other: shared.filter((e) => !['service', 'error', 'technology'].includes(e.type)).map((e) => e.name) },
    passages: pairs.slice(0, 3),
    resolution,
    timeToResolveMinutes: timeToResolve,
    related,
  };
}

/** From occurrence to resolution, from the first record of the incident that knows both. */
function timeToResolveMinutes(records: Array<{ occurredAt: string | null; resolvedAt: string | null }>): number | null {
  for (const r of records) {
    if (r.occurredAt && r.resolvedAt) {
      const m = (Date.parse(r.resolvedAt) - Date.parse(r.occurredAt)) / 60000;
      if (m >= 0 && m < 60 * 24 * 365) return Math.round(m);
    }
  }
  return null;
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
