/**
 * Entity evidence for ranking: the share of the input's entity weight (errors, services, hosts,
 * tickets, URLs, technologies — weighted by kind and rarity) that a document names too, and the
 * documents that share a rare one. The same measure today's `similar` used (similar/similar.ts,
 * entityOverlap), kept as one signal of the ranking stage.
 */
import type { EntityType } from '../contract.js';
import { extractEntities, type FoundEntity } from '../entities/extract.js';
import type { Store } from '../store/store.js';

/** Entity kinds that say two incidents are alike, and how strongly. */
export const ENTITY_WEIGHT: Partial<Record<EntityType, number>> = { error: 1.5, service: 1.3, host: 1.0, technology: 0.6, ticket: 1.2, url: 0.8 };

export interface InputEntity {
  id: number;
  type: EntityType;
  name: string;
  weight: number;
}

/** The input's entities of the telling kinds. */
export function inputEntities(text: string): FoundEntity[] {
  return extractEntities(text).filter((e) => ENTITY_WEIGHT[e.type]);
}

/** The input's entities that exist in the store, weighted by kind and rarity (kind weight × ln(1 + N/df)). */
export async function storedEntities(store: Store, entities: readonly FoundEntity[]): Promise<InputEntity[]> {
  if (!entities.length) return [];
  const docs = Math.max(1, await store.documents.count());
  const found = new Map((await store.entities.lookup(entities)).map((m) => [`${m.type}\u0000${m.key}`, m]));
  const out: InputEntity[] = [];
  for (const e of entities) {
    const row = found.get(`${e.type}\u0000${e.key}`);
    if (!row?.documents) continue;
    out.push({ id: row.id, type: e.type, name: e.name, weight: (ENTITY_WEIGHT[e.type] ?? 0) * Math.log(1 + docs / row.documents) });
  }
  return out;
}

/** Documents naming one of the input's rare entities (in at most ~5% of documents). */
export async function entityCandidates(store: Store, entities: readonly InputEntity[], limit = 500): Promise<number[]> {
  const rare = entities.filter((e) => e.weight >= (ENTITY_WEIGHT[e.type] ?? 0) * Math.log(1 + 20));
  return rare.length ? store.entities.documentsNaming(rare.map((e) => e.id), limit) : [];
}

/**
 * Per document, the share of the input's entity weight it names, in [0, 1]. A small input naming
 * one entity does not get a perfect score for sharing it: the total is at least 6.
 * `documents`: only these (read through their own entities, so the cost is theirs, not that of
 * every document naming a common entity); null: every document naming one.
 */
export async function entityOverlap(store: Store, entities: readonly InputEntity[], documents: ReadonlySet<number> | null): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!entities.length || documents?.size === 0) return out;
  const total = Math.max(entities.reduce((s, e) => s + e.weight, 0), 6);
  const weightOf = new Map(entities.map((e) => [e.id, e.weight]));
  const mentions = documents ? await store.entities.ofDocuments([...documents]) : await store.entities.mentionsOf(entities.map((e) => e.id));
  for (const r of mentions) {
    const w = weightOf.get(r.entityId);
    if (w !== undefined) out.set(r.documentId, (out.get(r.documentId) ?? 0) + w / total);
  }
  for (const [d, v] of out) out.set(d, Math.min(1, v));
  return out;
}
