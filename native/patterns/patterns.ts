import type { DocumentKind, EntityType, Pattern, PatternsResult } from '../contract.js';
import { checkpoint } from '../common/checkpoint.js';
import { isStopword, stem } from '../search/terms.js';
import type { Store } from '../store/store.js';

export interface PatternsOptions {
  since?: string;
  until?: string;
  kinds?: DocumentKind[];
  minSize: number;
  limit: number;
  /** Use passage embeddings too (when the model's vectors exist). */
  semantic: boolean;
  /** Stops the work between its stages (a timeout, a cancel). */
  signal?: AbortSignal;
}

/** Features kept per document, neighbours kept per document, and the similarity that links two. */
const FEATURES_PER_DOC = 40;
const NEIGHBOURS = 6;
const LINK_THRESHOLD = 0.22;
/** A theme bigger than this is split by raising the bar rather than grown into a blob. */
const MAX_CLUSTER = 60;
const ENTITY_TYPES: EntityType[] = ['service', 'error', 'technology'];

interface Doc {
  id: number;
  title: string;
  kind: DocumentKind;
  at: string | null;
  features: Map<string, number>;
  vector: Float32Array | null;
}

/**
 * Recurring themes: documents described by their distinctive words and entities (tf·idf), linked
 * to their nearest neighbours (blended with embedding similarity when there is a model), merged
 * strongest link first into bounded clusters, each labelled by what its members share.
 */
export async function findPatterns(store: Store, o: PatternsOptions): Promise<PatternsResult> {
  const started = performance.now();
  // The same filters as search, so that "since" means the same everywhere.
  const rows = (await store.documents.scan({ kinds: o.kinds, since: o.since, until: o.until })).map((d) => ({ id: d.id, title: d.title, kind: d.kind, at: d.occurredAt, body: d.body }));
  await checkpoint(o.signal);

  // People's names say who was there, not what happened: they are no theme.
  const nameWords = new Set(
    (await store.entities.names('person')).flatMap((n) => n.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length > 2),
  );
  // Term and entity counts per document; surface forms to label with. Words are counted first
  // and stemmed once per distinct word: stemming every occurrence dominated the cost.
  const surface = new Map<string, Map<string, number>>();
  const stemOf = new Map<string, string | null>();
  const counts = rows.map((r) => {
    const words = new Map<string, number>();
    for (const w of wordsOf(`${r.title} ${r.title} ${r.body.slice(0, 10_000)}`)) words.set(w, (words.get(w) ?? 0) + 1);
    const tf = new Map<string, number>();
    for (const [w, c] of words) {
      let s = stemOf.get(w);
      if (s === undefined) stemOf.set(w, (s = w.length < 3 || /^\d/.test(w) || STOP.has(w) || isStopword(w) || nameWords.has(w) ? null : stem(w)));
      if (s === null) continue;
      tf.set(s, (tf.get(s) ?? 0) + c);
      let forms = surface.get(s);
      if (!forms) surface.set(s, (forms = new Map<string, number>()));
      forms.set(w, (forms.get(w) ?? 0) + c);
    }
    return tf;
  });
  const entityRows = (await store.entities.ofDocuments('all', ENTITY_TYPES)).map((e) => ({ d: e.documentId, type: e.type, key: e.key, name: e.name }));
  const index = new Map(rows.map((r, i) => [r.id, i]));
  const entityNames = new Map<string, { type: EntityType; name: string }>();
  // Every entity of every document, for labels: an entity too common to link documents
  // (a busy service) can still be what all members of a theme share.
  const entitiesOf = new Map<number, Set<string>>();
  for (const e of entityRows) {
    const i = index.get(e.d);
    if (i === undefined) continue;
    const f = `@${e.type}:${e.key}`;
    let set = entitiesOf.get(e.d);
    if (!set) entitiesOf.set(e.d, (set = new Set()));
    set.add(f);
    counts[i]!.set(f, (counts[i]!.get(f) ?? 0) + 3);
    entityNames.set(f, { type: e.type, name: e.name });
  }

  const n = rows.length;
  const df = new Map<string, number>();
  for (const tf of counts) for (const f of tf.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  // Linking features: shared by at least two documents, but not by a large part of them.
  const maxDf = Math.max(4, Math.min(0.1 * n, 50 + 0.01 * n));
  const docs: Doc[] = rows.map((r, i) => {
    const weighted = [...counts[i]!.entries()]
      .filter(([f]) => (df.get(f) ?? 0) >= 2 && (df.get(f) ?? 0) <= maxDf)
      .map(([f, c]) => [f, (1 + Math.log(c)) * Math.log(n / df.get(f)!)] as [string, number])
      .sort((a, b) => b[1] - a[1])
      .slice(0, FEATURES_PER_DOC);
    const norm = Math.hypot(...weighted.map(([, w]) => w)) || 1;
    return { id: r.id, title: r.title, kind: r.kind, at: r.at, features: new Map(weighted.map(([f, w]) => [f, w / norm])), vector: null };
  });
  if (o.semantic) await attachDocumentVectors(store, docs);
  await checkpoint(o.signal);

  // Nearest neighbours through an inverted index of features. Typed arrays and postings that
  // carry their weights keep this loop cheap at 10,000 documents.
  const postings = new Map<string, { docs: number[]; weights: number[] }>();
  docs.forEach((d, i) => {
    for (const [f, w] of d.features) {
      let p = postings.get(f);
      if (!p) postings.set(f, (p = { docs: [], weights: [] }));
      p.docs.push(i);
      p.weights.push(w);
    }
  });
  const edges: Array<[number, number, number]> = [];
  const acc = new Float64Array(docs.length);
  const shared = new Uint16Array(docs.length);
  const touched: number[] = [];
  for (const [i, d] of docs.entries()) {
    if (i % 500 === 499) await checkpoint(o.signal);
    for (const [f, w] of d.features) {
      const p = postings.get(f)!;
      for (let k = 0; k < p.docs.length; k++) {
        const j = p.docs[k]!;
        if (j === i) continue;
        if (shared[j] === 0) touched.push(j);
        acc[j] = acc[j]! + w * p.weights[k]!;
        shared[j] = shared[j]! + 1;
      }
    }
    // One shared word is a coincidence (short documents weigh it heavily); two start a theme.
    const lexical: Array<[number, number]> = [];
    for (const j of touched) {
      if (shared[j]! >= 2) lexical.push([j, acc[j]!]);
      acc[j] = 0;
      shared[j] = 0;
    }
    touched.length = 0;
    lexical.sort((a, b) => b[1] - a[1]);
    // Meaning re-ranks the best lexical neighbours only: a cosine per pair is the costly part.
    const scored = lexical.slice(0, NEIGHBOURS * 5).map(([j, lex]) => {
      const other = docs[j]!;
      return [j, d.vector && other.vector ? 0.5 * lex + 0.5 * Math.max(0, cosine(d.vector, other.vector)) : lex] as [number, number];
    });
    scored.sort((a, b) => b[1] - a[1]);
    for (const [j, sim] of scored.slice(0, NEIGHBOURS)) if (sim >= LINK_THRESHOLD) edges.push([i, j, sim]);
  }

  // Strongest links first; clusters stay bounded so that one theme does not swallow the rest.
  edges.sort((a, b) => b[2] - a[2]);
  const parent = docs.map((_, i) => i);
  const size = docs.map(() => 1);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  for (const [a, b] of edges) {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb || size[ra]! + size[rb]! > MAX_CLUSTER) continue;
    parent[rb] = ra;
    size[ra]! += size[rb]!;
  }
  const clusters = new Map<number, number[]>();
  docs.forEach((_, i) => {
    const root = find(i);
    let list = clusters.get(root);
    if (!list) clusters.set(root, (list = []));
    list.push(i);
  });

  const patterns: Pattern[] = [...clusters.values()]
    .filter((m) => m.length >= o.minSize)
    .map((members) => describe(members.map((i) => docs[i]!), surface, entityNames, entitiesOf, df, n))
    .sort((a, b) => b.size - a.size || (b.lastAt ?? '').localeCompare(a.lastAt ?? ''))
    .slice(0, o.limit)
    .map((p, i) => ({ ...p, id: i + 1 }));

  const ids = docs.map((d) => d.id);
  const top = (type: EntityType) => {
    const tally = new Map<string, { name: string; docs: Set<number> }>();
    const wanted = new Set(ids);
    for (const e of entityRows) {
      if (e.type !== type || !wanted.has(e.d)) continue;
      const t = tally.get(e.key) ?? { name: e.name, docs: new Set<number>() };
      t.docs.add(e.d);
      tally.set(e.key, t);
    }
    return [...tally.values()].filter((t) => t.docs.size >= 2).map((t) => ({ name: t.name, documents: t.docs.size })).sort((a, b) => b.documents - a.documents).slice(0, 15);
  };
  return { mode: o.semantic ? 'hybrid' : 'lexical', documents: n, patterns, topServices: top('service'), topErrors: top('error'), tookMs: Math.round(performance.now() - started) };
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}][\p{L}\p{N}]+/gu) ?? [];
}

// Words frequent in every incident write-up that would otherwise label every theme.
const STOP = new Set(
  ('the and for are was were with this that from have has had not but all any can our out when what which who will would there their they them then than into also been being more most some such only over very just about after before during while where incident incidents issue issues team teams time times date summary impact timeline root cause resolution action actions items lessons learned postmortem post mortem however because could should used using use user users one two three new see need needed make made still able via per due across within without around including both each other same like'
  ).split(' '),
);

/** Each document's mean passage vector, read a page of documents at a time. */
async function attachDocumentVectors(store: Store, docs: Doc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 512) {
    const page = docs.slice(i, i + 512);
    const byDoc = new Map<number, Float32Array[]>();
    for (const v of await store.passages.vectorsOfDocuments(page.map((d) => d.id))) {
      let list = byDoc.get(v.documentId);
      if (!list) byDoc.set(v.documentId, (list = []));
      list.push(v.vector);
    }
    for (const d of page) meanVector(d, byDoc.get(d.id) ?? []);
  }
}

function meanVector(d: Doc, vectors: Float32Array[]): void {
  if (!vectors.length) return;
  const sum = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) sum[i]! += v[i]!;
  const norm = Math.hypot(...sum) || 1;
  d.vector = sum.map((x) => x / norm);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Label, span and monthly counts of one cluster. */
function describe(
  members: Doc[],
  surface: Map<string, Map<string, number>>,
  entityNames: Map<string, { type: EntityType; name: string }>,
  entitiesOf: Map<number, Set<string>>,
  df: Map<string, number>,
  total: number,
): Omit<Pattern, 'id'> {
  const weight = new Map<string, number>();
  const present = new Map<string, number>();
  for (const d of members) {
    for (const [f, w] of d.features) {
      weight.set(f, (weight.get(f) ?? 0) + w);
      present.set(f, (present.get(f) ?? 0) + 1);
    }
  }
  // What most members share, strongest first.
  const shared = [...weight.entries()].filter(([f]) => (present.get(f) ?? 0) >= Math.max(2, members.length * 0.4)).sort((a, b) => b[1] - a[1]);
  const common = new Map<string, number>();
  for (const d of members) for (const f of entitiesOf.get(d.id) ?? []) common.set(f, (common.get(f) ?? 0) + 1);
  const broad = [...common.entries()]
    .filter(([f, c]) => c >= Math.max(2, members.length * 0.6) && (df.get(f) ?? 0) < total / 2)
    .sort((a, b) => b[1] - a[1] || (df.get(a[0]) ?? 0) - (df.get(b[0]) ?? 0))
    .map(([f]) => f);
  const entityKeys = [...new Set([...shared.filter(([f]) => f.startsWith('@')).map(([f]) => f), ...broad])];
  const entities = entityKeys.slice(0, 4).map((f) => entityNames.get(f)!).filter(Boolean);
  const terms = shared
    .filter(([f]) => !f.startsWith('@'))
    .slice(0, 5)
    .map(([s]) => [...(surface.get(s)?.entries() ?? [])].sort((a, b) => b[1] - a[1])[0]?.[0] ?? s);
  const labelParts = [...entities.slice(0, 2).map((e) => e.name), ...terms.filter((t) => !entities.some((e) => e.name.toLowerCase() === t)).slice(0, 3)];
  const dates = members.map((d) => d.at).filter((x): x is string => !!x).sort();
  const perMonth: Record<string, number> = {};
  for (const at of dates) perMonth[at.slice(0, 7)] = (perMonth[at.slice(0, 7)] ?? 0) + 1;
  return {
    label: labelParts.join(' · ') || members[0]!.title,
    terms,
    entities,
    size: members.length,
    firstAt: dates[0] ?? null,
    lastAt: dates[dates.length - 1] ?? null,
    incidents: [...members].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '')).map((d) => ({ documentId: d.id, title: d.title, kind: d.kind, occurredAt: d.at })),
    perMonth,
  };
}
