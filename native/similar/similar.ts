/**
 * Similar past incidents, as a pipeline of named stages: read the input (read-input.ts) → rank
 * documents (the DocumentRanker: rank-documents.ts today) → group them into incidents (never the
 * input's own) → verdict (verdict.ts) → explain (shared failure mode, service and mechanism
 * first, then passage pairs) → playbook (what fixed them, across them).
 */
import { checkpoint } from '../common/checkpoint.js';
import type { EntityType, IncidentSummary, PassagePair, SimilarIncident, SimilarResult } from '../contract.js';
import { normaliseKey } from '../entities/extract.js';
import type { IncidentViews } from '../incidents/view.js';
import { buildPlaybook } from '../playbook/playbook.js';
import type { DocumentRanker, RankedDocument } from '../rank/ranker.js';
import { makeSnippet, plainText } from '../search/snippet.js';
import { stem, tokenize } from '../search/terms.js';
import type { DocumentEntity, IncidentRow, Passage, Store } from '../store/store.js';
import { compat, dot } from '../rank/semantic-evidence.js';
import type { IncidentInput, InputPassage } from './read-input.js';
import { verdictOf } from './verdict.js';

export interface SimilarDeps {
  store: Store;
  ranker: DocumentRanker;
  views: IncidentViews;
  /** Passage vectors are compared when the ranking is hybrid. */
  semantic: boolean;
}

export interface SimilarRequest {
  limit: number;
  kinds?: Array<'postmortem' | 'slack-thread' | 'ticket'>;
  signal?: AbortSignal;
}

/** A result weaker than this (coverage of the input's telling words), sharing no failure mode, is weak. */
export const STRONG_COVERAGE = 0.3;

export async function findSimilar(deps: SimilarDeps, input: IncidentInput, req: SimilarRequest): Promise<SimilarResult> {
  const started = performance.now();
  const { store } = deps;
  const known = (await store.incidents.count()) - (input.excludeIncident !== null ? 1 : 0);
  // Several records may be one incident: ask for more documents than incidents shown.
  const ranking = await deps.ranker.rank({ text: input.text, passages: input.passages, exclude: input.excludeDocuments, kinds: req.kinds, limit: req.limit * 4, signal: req.signal });
  await checkpoint(req.signal);

  // Documents → incidents: an incident is as close as its closest record.
  const incidentOf = await store.incidents.ofDocuments(ranking.documents.map((d) => d.documentId));
  const best = new Map<number, { doc: RankedDocument; records: RankedDocument[] }>();
  for (const d of ranking.documents) {
    const i = incidentOf.get(d.documentId);
    if (i === undefined || i === input.excludeIncident) continue;
    const entry = best.get(i);
    if (!entry) best.set(i, { doc: d, records: [d] });
    else entry.records.push(d);
  }
  const chosen = [...best.entries()].slice(0, req.limit);
  const rows = await store.incidents.get(chosen.map(([id]) => id));
  const summaries = new Map((await deps.views.summariesOf(chosen.map(([id]) => rows.get(id)).filter((r): r is IncidentRow => !!r))).map((s) => [s.incidentId, s]));
  const terms = ranking.terms.filter((t) => t.seen).map((t) => t.term);

  // What the explanations read, in one query each for all the incidents shown (not one per incident).
  const shown = chosen.flatMap(([id]) => (rows.has(id) && summaries.has(id) ? [rows.get(id)!] : []));
  const recordIds = [...new Set(shown.flatMap((r) => r.records.map((x) => x.documentId)))];
  const [entityRows, passageRows, linked] = await Promise.all([
    recordIds.length ? store.entities.ofDocuments(recordIds) : [],
    recordIds.length ? store.passages.ofDocuments(recordIds) : [],
    store.incidents.get([...new Set(shown.flatMap((r) => r.links.map((l) => l.otherId)))]),
  ]);
  // With a model, passage pairs compare vectors: those of every shown record's passages, read once.
  const vectors = deps.semantic ? await store.passages.vectors(passageRows.map((p) => p.id)) : null;
  const reads: ExplainReads = { entities: byDocument(entityRows), passages: byDocument(passageRows), linked, vectors };

  const incidents: SimilarIncident[] = [];
  for (const [id, { doc, records }] of chosen) {
    const row = rows.get(id);
    const summary = summaries.get(id);
    if (!row || !summary) continue;
    incidents.push(explain(deps, input, row, summary, doc, records, terms, reads));
  }
  const verdict = verdictOf(incidents, ranking.confidence, known, input);
  // A novel incident has no precedents: what was found is weak, whatever its rank.
  if (verdict.label === 'novel' || verdict.label === 'nothing-to-compare') for (const i of incidents) i.strength = 'weak';
  const strong = incidents.filter((i) => i.strength === 'strong').map((i) => rows.get(i.incident.incidentId)!);
  const modes = input.fields.failureModes.map((m) => deps.views.labelOf(m.value));
  return {
    mode: ranking.mode,
    verdict,
    input: {
      passages: input.passages.length,
      terms: terms.slice(0, 12),
      entities: input.entities.slice(0, 20).map((e) => ({ type: e.type, name: e.name })),
      failureModes: input.fields.failureModes.map((m) => ({ id: m.value, label: deps.views.labelOf(m.value) })),
      services: input.fields.services.map((s) => s.value),
      mechanism: input.fields.mechanism,
    },
    incidents,
    playbook: buildPlaybook(modes.length ? `${modes.join(', ')} — incidents like this one` : 'Incidents like this one', strong),
    incidentsKnown: Math.max(0, known),
    tookMs: Math.round(performance.now() - started),
  };
}

/** The rows the explanations read, fetched once for all the incidents shown. */
interface ExplainReads {
  entities: Map<number, DocumentEntity[]>;
  passages: Map<number, Passage[]>;
  /** The incidents the shown ones link to. */
  linked: Map<number, IncidentRow>;
  /** Passage vectors (hybrid mode), null in lexical mode. */
  vectors: ReadonlyMap<number, Float32Array> | null;
}

/** Rows by document, each document's in the order the store returned them. */
function byDocument<T extends { documentId: number }>(rows: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const list = out.get(r.documentId);
    if (list) list.push(r);
    else out.set(r.documentId, [r]);
  }
  return out;
}

/**
 * The rows of these documents as one query for them would return them: the store orders both
 * reads by document first, so the documents' own lists are joined in ascending id.
 */
function rowsOf<T>(by: Map<number, T[]>, ids: readonly number[]): T[] {
  return [...new Set(ids)].sort((a, b) => a - b).flatMap((d) => by.get(d) ?? []);
}

/** Stage 6: why a past incident is like the input — what they share first, then passage pairs. */
function explain(
  deps: SimilarDeps,
  input: IncidentInput,
  row: IncidentRow,
  summary: IncidentSummary,
  doc: RankedDocument,
  records: RankedDocument[],
  terms: string[],
  reads: ExplainReads,
): SimilarIncident {
  const f = row.fields;
  const ids = row.records.map((r) => r.documentId);
  const inputModes = new Set(input.fields.failureModes.map((m) => m.value));
  const failureModes = f.failureModes.filter((m) => inputModes.has(m.value)).map((m) => ({ id: m.value, label: deps.views.labelOf(m.value) }));
  const services = f.services.map((s) => s.value).filter((s) => input.services.has(normaliseKey('service', s)));
  const inputMechanism = new Set(input.fields.mechanism.map((m) => m.toLowerCase()));
  const mechanism = f.mechanism.filter((m) => inputMechanism.has(m.toLowerCase()));

  // Entities both name, over all the incident's records.
  const inputKeys = new Set(input.entities.map((e) => `${e.type}\u0000${e.key}`));
  const seen = new Set<string>();
  const shared: Array<{ type: EntityType; name: string; key: string }> = [];
  for (const e of rowsOf(reads.entities, ids)) {
    const k = `${e.type}\u0000${e.key}`;
    if (seen.has(k) || !inputKeys.has(k)) continue;
    seen.add(k);
    shared.push(e);
  }
  const names = (t: EntityType) => shared.filter((e) => e.type === t).map((e) => e.name);
  for (const s of names('service')) if (!services.some((x) => normaliseKey('service', x) === normaliseKey('service', s))) services.push(s);

  const passages = passagePairs(input.passages, rowsOf(reads.passages, ids), doc.documentId, terms, reads.vectors);
  const coverage = Math.max(...records.map((r) => r.coverage));
  const strong = coverage >= STRONG_COVERAGE || failureModes.length > 0;
  const others = reads.linked;
  const people = new Map<string, { name: string; role: (typeof f.people)[number]['value']['role'] }>();
  for (const p of f.people) if (!people.has(p.value.name.toLowerCase())) people.set(p.value.name.toLowerCase(), p.value);
  return {
    incident: summary,
    score: {
      semantic: doc.signals.semantic === null ? null : round(doc.signals.semantic),
      latent: doc.signals.latent === null ? null : round(doc.signals.latent),
      lexical: round(doc.signals.lexical),
      entities: round(doc.signals.entities),
      coverage: round(coverage),
      total: round(doc.score),
    },
    strength: strong ? 'strong' : 'weak',
    shared: {
      failureModes,
      services,
      mechanism,
      errors: names('error'),
      technologies: names('technology'),
      other: shared.filter((e) => !['service', 'error', 'technology'].includes(e.type)).map((e) => e.name),
    },
    passages,
    mitigation: f.mitigation,
    people: [...people.values()],
    related: row.links.flatMap((l) => {
      const o = others.get(l.otherId);
      return o ? [{ incidentId: o.id, title: o.title, relation: l.relation, direction: l.direction }] : [];
    }),
  };
}

/** For each input passage, the incident passage most like it (by meaning with a model, else by shared telling words). */
function passagePairs(inputPassages: InputPassage[], passages: Passage[], primary: number, terms: string[], vectors: ReadonlyMap<number, Float32Array> | null): PassagePair[] {
  const rows = passages.sort((a, b) => Number(b.documentId === primary) - Number(a.documentId === primary));
  const salientStems = new Set(terms.map(stem));
  // Each distinct word stemmed once per call: an incident's passages repeat their vocabulary.
  const stems = new Map<string, string>();
  const stemOf = (w: string) => {
    let s = stems.get(w);
    if (s === undefined) stems.set(w, (s = stem(w)));
    return s;
  };
  const stemsOf = rows.map((r) => new Set(tokenize(r.text).map(stemOf)));
  const found: Array<{ p: InputPassage; r: Passage; similarity: number; shared: string[] }> = [];
  for (const p of inputPassages) {
    let best: { i: number; sim: number; shared: string[] } | null = null;
    // The passage's salient stems once (in its order), not once per incident passage.
    const salient = [...p.terms].filter((t) => salientStems.has(t));
    rows.forEach((r, i) => {
      const own = stemsOf[i]!;
      const sharedTerms = salient.filter((t) => own.has(t));
      const v = vectors?.get(r.id);
      const sim = vectors && p.vector && v ? compat(p.role, r.role) * dot(p.vector, v) : compat(p.role, r.role) * (sharedTerms.length / Math.max(1, Math.min(p.terms.size, own.size, 12)));
      if (!best || sim > best.sim) best = { i, sim, shared: sharedTerms };
    });
    const b = best as { i: number; sim: number; shared: string[] } | null;
    if (!b || b.sim <= 0) continue;
    found.push({ p, r: rows[b.i]!, similarity: round(b.sim), shared: b.shared });
  }
  // The three shown, in the order the pairs always had (a stable sort by rounded similarity);
  // their snippets are built for them only, not for every input passage.
  return found
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, 3)
    .map(({ p, r, similarity, shared }) => {
      const words = terms.filter((t) => shared.includes(stem(t)));
      return {
        input: { text: clip(plainText(p.text), 300), role: p.role },
        match: { text: makeSnippet(r.text, words, r.heading, r.role, 320).text, heading: r.heading, role: r.role, chunkId: r.id, documentId: r.documentId },
        similarity,
        sharedTerms: words.slice(0, 8),
      };
    });
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
