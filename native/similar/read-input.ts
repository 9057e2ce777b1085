/**
 * Stage 1 of similar past incidents: what the new incident is. Free text (a symptom, chat lines,
 * an alert, a draft postmortem) or an imported record becomes passages with section roles,
 * entities, and the incident fields extraction finds in it (failure modes, services, mechanism);
 * an imported record also names the incident it belongs to, which is never a result.
 */
import { chunkMarkdown } from '../chunk/chunker.js';
import type { IncidentFields, SectionRole } from '../contract.js';
import { extractEntities, normaliseKey, type FoundEntity } from '../entities/extract.js';
import { EMPTY_FIELDS } from '../incidents/empty.js';
import { extractRecordFields } from '../incidents/extract.js';
import type { Taxonomy } from '../incidents/taxonomy.js';
import { stem, tokenize } from '../search/terms.js';
import type { Store } from '../store/store.js';

/** Entity kinds that say two incidents are alike. */
export const TELLING_ENTITIES = ['error', 'service', 'host', 'technology', 'ticket', 'url'] as const;
const MAX_PASSAGES = 10;
/** Share of the taxonomy's threshold a short free text's failure-mode evidence must reach. */
const SHORT_TEXT_THRESHOLD = 0.75;

export interface InputPassage {
  text: string;
  role: SectionRole;
  tokens: number;
  /** Stems of its words (for passage pairs). */
  terms: Set<string>;
  vector?: Float32Array;
}

export interface IncidentInput {
  text: string;
  passages: InputPassage[];
  entities: FoundEntity[];
  fields: IncidentFields;
  /** Normalised service keys the input names (fields and entities). */
  services: Set<string>;
  /** The input's own incident and records, never results. */
  excludeIncident: number | null;
  excludeDocuments: Set<number>;
}

/** Free text as the new incident. */
export function textInput(text: string, taxonomy: Taxonomy): IncidentInput {
  const structured = text.length > 1200 || /^#{1,6}\s/m.test(text);
  const raw = structured ? chunkMarkdown(text).map((c) => ({ text: c.text, role: c.role })) : [{ text, role: 'summary' as SectionRole }];
  // Unstructured, the text is what the user says about the incident — its summary — not the
  // stray text of a record without headings (which counts for little as evidence).
  const body = structured ? text : `## Summary\n\n${text}`;
  // A few lines written to describe this incident say deliberately what a long write-up repeats:
  // one strong cue is enough there (a generic word, weighted low, still is not).
  const fields = extractRecordFields(
    { documentId: 0, kind: 'postmortem', format: 'text', title: '', body, occurredAt: null, resolvedAt: null, severity: null, status: null, metadata: {}, fieldPeople: [] },
    structured ? taxonomy : { ...taxonomy, threshold: taxonomy.threshold * SHORT_TEXT_THRESHOLD },
  );
  return finish(text, raw, extractEntities(text), fields, null, new Set());
}

/** An imported record as the new incident: its passages (with their vectors) and its incident's fields. */
export async function recordInput(store: Store, documentId: number, withVectors: boolean): Promise<IncidentInput | null> {
  const doc = await store.documents.withBody(documentId);
  if (!doc) return null;
  const passages = await store.passages.ofDocuments([documentId]);
  const vectors = withVectors ? await store.passages.vectors(passages.map((p) => p.id)) : new Map<number, Float32Array>();
  const incidentId = (await store.incidents.ofDocuments([documentId])).get(documentId) ?? null;
  const incident = incidentId === null ? undefined : (await store.incidents.get([incidentId])).get(incidentId);
  const fields = incident?.fields ?? (await store.incidents.recordFields([documentId])).get(documentId) ?? EMPTY_FIELDS;
  const members = incident?.records.map((r) => r.documentId) ?? [documentId];
  return finish(
    doc.body,
    passages.map((p) => ({ text: p.text, role: p.role, vector: vectors.get(p.id) })),
    extractEntities(`${doc.title}\n${doc.body}`),
    fields,
    incidentId,
    new Set(members),
  );
}

function finish(
  text: string,
  raw: Array<{ text: string; role: SectionRole; vector?: Float32Array }>,
  entities: FoundEntity[],
  fields: IncidentFields,
  excludeIncident: number | null,
  excludeDocuments: Set<number>,
): IncidentInput {
  // Keep the passages that carry the incident: symptoms and causes before long timelines.
  const priority = (r: SectionRole) => ({ summary: 0, impact: 1, root_cause: 1, trigger: 2, contributing_factors: 3, detection: 4, resolution: 4, timeline: 5, action_items: 6, lessons: 7, other: 5 })[r];
  const passages = raw
    .filter((p) => p.text.trim())
    .map((p, i) => ({ ...p, i }))
    .sort((a, b) => priority(a.role) - priority(b.role) || a.i - b.i)
    .slice(0, MAX_PASSAGES)
    .sort((a, b) => a.i - b.i)
    .map((p) => ({ text: p.text, role: p.role, vector: p.vector, tokens: tokenize(p.text).length, terms: new Set(tokenize(p.text).map(stem)) }));
  const telling = entities.filter((e) => (TELLING_ENTITIES as readonly string[]).includes(e.type));
  const services = new Set([...fields.services.map((s) => normaliseKey('service', s.value)), ...telling.filter((e) => e.type === 'service').map((e) => e.key)]);
  return { text, passages, entities: telling, fields, services, excludeIncident, excludeDocuments };
}
