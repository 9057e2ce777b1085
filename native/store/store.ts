/**
 * The store: everything the engine keeps, behind named, typed operations. No SQL (or any other
 * backend's language) crosses this interface, and every operation is coarse enough to be one
 * round trip — the seam a second backend (PostgreSQL + pgvector for a team's shared base) plugs
 * into. Today's backend is SQLite (`./sqlite/`).
 *
 * Operations are asynchronous because a networked backend must be; the SQLite one answers from
 * the same tick.
 */
import type {
  DocumentKind,
  DocumentMetadata,
  DocumentView,
  EntityType,
  ErrorCode,
  IncidentFields,
  IncidentRecordRole,
  IncidentRelation,
  ImportSummary,
  SearchFilters,
  SectionRole,
} from '../contract.js';
import type { Chunk } from '../chunk/chunker.js';
import type { FoundEntity } from '../entities/extract.js';
import type { ParsedDocument } from '../import/parsed-document.js';
import type { AnalysedDocument } from '../rank/analyse.js';
import type { LsaModel, LsaScorer, LsaSettings, Staleness } from '../rank/lsa.js';
import type { TermIndex } from '../rank/term-index.js';

export interface Store {
  /** Where it lives (a file path for SQLite). */
  readonly location: string;
  /** True when opened read-only: reads work, writes are refused. */
  readonly readOnly: boolean;
  readonly meta: MetaStore;
  readonly imports: ImportStore;
  readonly documents: DocumentStore;
  readonly passages: PassageStore;
  readonly lexical: LexicalStore;
  readonly entities: EntityStore;
  readonly links: LinkStore;
  readonly incidents: IncidentStore;
  readonly ranking: RankStore;
  /** Bytes on disk (database and its journal). */
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface MetaStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Imports
// ---------------------------------------------------------------------------------------------

export type ImportStatus = 'queued' | 'running' | ImportSummary['status'] | 'interrupted';

export interface ImportIssue {
  outcome: 'failed' | 'skipped';
  source: string;
  record?: string;
  code: ErrorCode;
  reason?: string;
  message: string;
}

export interface ImportRecord {
  id: number;
  status: ImportStatus;
  startedAt: string;
  finishedAt: string | null;
  paths: string[];
  filesTotal: number;
  filesSeen: number;
  filesFailed: number;
  filesSkipped: number;
  documentsAdded: number;
  documentsUpdated: number;
  documentsUnchanged: number;
  chunksWritten: number;
}

/** What an import was asked to do besides its paths, kept so that a re-import does the same. */
export interface ImportRequestOptions {
  channels?: string[];
  csvMap?: Partial<Record<string, string>>;
}

/** An import as the history shows it: its record, its name, and what it holds now. */
export interface ImportHistoryRow extends ImportRecord {
  /** What the user called it (null for imports recorded before labels were kept). */
  label: string | null;
  request: ImportRequestOptions;
  /** Documents it wrote that are still in the database. */
  documents: number;
  /** Issues (failed and skipped files or records) it recorded. */
  issues: number;
}

export interface ImportStore {
  /** A new import, queued; `pid` owns it (an import whose process died becomes `interrupted`). */
  create(paths: string[], pid: number): Promise<number>;
  start(id: number, filesTotal: number): Promise<void>;
  addIssue(id: number, issue: ImportIssue): Promise<void>;
  finish(id: number, summary: ImportSummary): Promise<void>;
  /** Marks queued or running imports whose process is gone as interrupted; returns how many. */
  markInterrupted(isAlive: (pid: number) => boolean): Promise<number>;
  get(id: number): Promise<ImportRecord | null>;
  last(): Promise<ImportRecord | null>;
  /** Keeps what the user called the import and its options (for the history and re-import). */
  describe(id: number, d: { label: string; request: ImportRequestOptions }): Promise<void>;
  /** The newest imports first, with their names and what they hold now. */
  list(limit: number): Promise<ImportHistoryRow[]>;
  history(id: number): Promise<ImportHistoryRow | null>;
  count(): Promise<number>;
  /** An import's issues in the order they were met, at most `limit`, and how many there are. */
  issues(id: number, limit: number): Promise<{ issues: ImportIssue[]; total: number }>;
  /** Removes an import and its issues from the history (its documents are removed separately). */
  remove(id: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/** Everything written for one document, in one transaction. */
export interface DocumentWrite {
  doc: ParsedDocument;
  origin: string;
  contentHash: string;
  chunks: Chunk[];
  vectors: Float32Array[] | null;
  importId: number | null;
  entities: FoundEntity[];
  /** References the document answers to. */
  refs: string[];
  links: Array<{ target: string; relation: string }>;
  /**
   * The document's term statistics (rank/analyse.ts), computed before the transaction like the
   * vectors: passage i of the analysis is chunk i (its id is assigned by the write), the
   * document's id likewise. Written in the same transaction as the document. Null only for the
   * benchmark's floor (an import as it was before ranking statistics): ranking then does not see it.
   */
  analysis: AnalysedDocument | null;
}

export interface WriteResult {
  documentId: number;
  status: 'added' | 'updated';
  chunkIds: number[];
  removedChunkIds: number[];
}

/** The columns most features show of a document. */
export interface DocumentSummary {
  id: number;
  title: string;
  kind: DocumentKind;
  format: string;
  source: string;
  url: string | null;
  occurredAt: string | null;
  resolvedAt: string | null;
  severity: string | null;
  status: string | null;
  metadata: DocumentMetadata;
}

export interface DocumentWithBody extends DocumentSummary {
  body: string;
}

export interface DocumentStore {
  findByUid(uid: string): Promise<{ id: number; contentHash: string } | null>;
  /** Writes a document with its passages, vectors, entities, references and links atomically. */
  write(w: DocumentWrite): Promise<WriteResult>;
  /**
   * Writes several documents in one transaction: all of them or none (a failure rolls the whole
   * batch back and is thrown). Many small records (tracker rows) are written this way, since a
   * commit costs more than a small document's rows. Results are in the order of `ws`.
   */
  writeMany(ws: readonly DocumentWrite[]): Promise<WriteResult[]>;
  /** Removes the documents read from `origin` whose uid is not in `keep`; returns their passage ids. */
  removeVanished(origin: string, keep: ReadonlySet<string>): Promise<number[]>;
  /** Removes documents (with their passages); returns the passage ids removed. */
  delete(ids: number[]): Promise<number[]>;
  summaries(ids: readonly number[]): Promise<Map<number, DocumentSummary>>;
  withBody(id: number): Promise<DocumentWithBody | null>;
  /** Every document matching the filters, with its body (patterns read the whole corpus). */
  scan(filters: SearchFilters): Promise<DocumentWithBody[]>;
  view(id: number): Promise<DocumentView | null>;
  /** Where the original is: its URL, the file it came from, or an archive member. */
  origin(id: number): Promise<{ source: string; url: string | null; origin: string } | null>;
  count(): Promise<number>;
  countBy(column: 'kind' | 'format'): Promise<Record<string, number>>;
  /** Documents last written by this import. */
  idsOfImport(importId: number): Promise<number[]>;
  /** Documents matching the filters, newest first (undated last), at most `limit`, and how many match. */
  browse(filters: SearchFilters, limit: number): Promise<{ ids: number[]; total: number }>;
}

// ---------------------------------------------------------------------------------------------
// Passages and their vectors
// ---------------------------------------------------------------------------------------------

export interface Passage {
  id: number;
  documentId: number;
  ord: number;
  heading: string;
  role: SectionRole;
  text: string;
  start: number;
  end: number;
  tokens: number;
}

export interface PassageVector {
  id: number;
  documentId: number;
  role: SectionRole;
  vector: Float32Array;
}

export interface PassageStore {
  get(ids: readonly number[]): Promise<Map<number, Passage>>;
  /** Passages of these documents, in document order. */
  ofDocuments(documentIds: readonly number[]): Promise<Passage[]>;
  /** Stored vectors of these documents' passages. */
  vectorsOfDocuments(documentIds: readonly number[]): Promise<PassageVector[]>;
  /** The passages of these documents that have a vector, without the vectors (in document order). */
  embeddedOfDocuments(documentIds: readonly number[]): Promise<Array<Omit<PassageVector, 'vector'>>>;
  /** Stored vectors by passage id. */
  vectors(ids: readonly number[]): Promise<Map<number, Float32Array>>;
  /** The document of each passage (passages that no longer exist are absent). */
  documentsOf(ids: readonly number[]): Promise<Map<number, number>>;
  /** Ids of passages whose documents match the filters (the vector search's allow-list). */
  idsMatching(filters: SearchFilters): Promise<Set<number>>;
  /** Ids of passages that have a vector, ascending. */
  embeddedIds(): Promise<number[]>;
  /** The next passages without a vector after `afterId`, with their document's title. */
  pending(afterId: number, limit: number): Promise<Array<{ id: number; text: string; title: string }>>;
  setVectors(rows: Array<{ id: number; vector: Float32Array }>): Promise<void>;
  clearVectors(): Promise<void>;
  count(): Promise<number>;
  countEmbedded(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Full-text
// ---------------------------------------------------------------------------------------------

export interface LexicalHit {
  chunkId: number;
  documentId: number;
  /** BM25, higher is better. */
  score: number;
}

export interface LexicalStore {
  /**
   * Best passages for a full-text expression (quoted terms, built by search/terms.ts), restricted
   * by the filters, best first. `newest`: only the newest this many passages (by id) are scored.
   */
  candidates(expression: string, filters: SearchFilters, limit: number, newest?: number): Promise<LexicalHit[]>;
  /** How many passages contain each word, as the full-text index stems it. */
  frequencies(words: readonly string[]): Promise<Map<string, number>>;
  /** Passages in the full-text index. */
  total(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Entities and links
// ---------------------------------------------------------------------------------------------

export interface EntityMatch {
  id: number;
  type: EntityType;
  key: string;
  name: string;
  /** Documents that name it. */
  documents: number;
}

export interface DocumentEntity {
  documentId: number;
  entityId: number;
  type: EntityType;
  key: string;
  name: string;
  mentions: number;
  /** A structured field named it (assignee, component, participant). */
  fromField: boolean;
}

export interface EntityStore {
  /** The stored entities among these (type, key) pairs, with how many documents name each. */
  lookup(entities: ReadonlyArray<{ type: EntityType; key: string }>): Promise<EntityMatch[]>;
  /** Documents naming any of these entities (at most `limit`). */
  documentsNaming(entityIds: readonly number[], limit: number): Promise<number[]>;
  /** Entities of these documents; all types unless `types` is given. */
  ofDocuments(documentIds: readonly number[] | 'all', types?: readonly EntityType[]): Promise<DocumentEntity[]>;
  /** (document, entity) pairs for these entities. */
  mentionsOf(entityIds: readonly number[]): Promise<Array<{ documentId: number; entityId: number }>>;
  /** Display names of every entity of a type. */
  names(type: EntityType): Promise<string[]>;
}

export interface LinkedDocument {
  from: number;
  to: number;
  relation: string;
}

export interface LinkStore {
  /** Documents linked to each of these, either way (a link from A to B, or from B to A). */
  neighbours(documentIds: readonly number[]): Promise<LinkedDocument[]>;
  /** The references each document answers to (`ticket:OPS-42`, `slack:C1:…`, `url:…`). */
  refsOf(documentIds: readonly number[]): Promise<Map<number, string[]>>;
  /**
   * Pairs of one of these documents and another that both link to one target with this relation
   * (imported or not), dated within `hours` of each other. Undated documents pair with none.
   */
  citingSame(documentIds: readonly number[], relation: string, hours: number): Promise<Array<{ a: number; b: number }>>;
  /** Resolved outgoing links of a document (targets that are imported). */
  outgoing(documentId: number, limit: number): Promise<Array<{ documentId: number; title: string; kind: DocumentKind; relation: string }>>;
}

// ---------------------------------------------------------------------------------------------
// Incidents
// ---------------------------------------------------------------------------------------------

export type FacetKind = 'failure-mode' | 'service' | 'mechanism' | 'person';

export interface IncidentFacet {
  facet: FacetKind;
  /** Normalised, for grouping ("payments-api", "certificate-expiry", "dana"). */
  key: string;
  /** As shown. */
  label: string;
  /** A person's role in the incident; '' for other facets. */
  role: string;
  weight: number;
}

export interface IncidentMember {
  documentId: number;
  role: IncidentRecordRole;
}

/** What is stored for an incident once its records' fields are merged. */
export interface IncidentWrite {
  title: string;
  primaryDocumentId: number | null;
  startedAt: string | null;
  detectedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  severity: string | null;
  minutesToDetect: number | null;
  minutesToResolve: number | null;
  fields: IncidentFields;
  facets: IncidentFacet[];
}

/** A regrouping, applied at once (see IncidentStore.apply). */
export interface IncidentPlan {
  recordFields: Array<{ documentId: number; version: number; fields: IncidentFields }>;
  /** The alert names of pages (replacing what each record had; [] clears). */
  alerts: Array<{ documentId: number; keys: string[]; at: string | null }>;
  groups: Array<{
    keep: number | null;
    members: IncidentMember[];
    incident: IncidentWrite;
    /** Incidents this one cites: another group of the plan, or an incident outside it. */
    links: Array<{ to: { group: number } | { incident: number }; relation: IncidentRelation }>;
  }>;
}

export interface IncidentRow extends Omit<IncidentWrite, 'facets'> {
  id: number;
  records: IncidentMember[];
  links: Array<{ otherId: number; relation: IncidentRelation; direction: 'out' | 'in' }>;
}

export interface IncidentStore {
  /**
   * Applies a regrouping in one transaction: records' extracted fields and alerts, then each group
   * of records as an incident (a group with `keep` stays that incident, one without gets a new
   * one) with its merged fields, facets and the incidents it cites; incidents left without
   * records are removed. Returns each group's incident id.
   */
  apply(plan: IncidentPlan): Promise<number[]>;
  recordFields(documentIds: readonly number[]): Promise<Map<number, IncidentFields>>;
  /** Every record's fields are to be extracted again (the taxonomy or the extraction changed). */
  markAllStale(): Promise<void>;
  /** Records whose fields are missing or older than `version` (after an upgrade), at most `limit`. */
  recordsToExtract(version: number, limit: number): Promise<number[]>;
  /**
   * Pairs of records where one is a page and the other names its alert within `hours` of it —
   * for these records, either side.
   */
  alertMatches(documentIds: readonly number[], hours: number): Promise<Array<{ page: number; other: number }>>;
  /** The incident of each record (records not yet grouped are absent). */
  ofDocuments(documentIds: readonly number[]): Promise<Map<number, number>>;
  membersOf(incidentIds: readonly number[]): Promise<Map<number, IncidentMember[]>>;
  /** Incidents that lost a record since they were built (and so must be rebuilt). */
  dirty(limit: number): Promise<number[]>;
  get(ids: readonly number[]): Promise<Map<number, IncidentRow>>;
  /** Incidents that started in the range (undated ones are kept unless a range is given). */
  list(range: { since?: string; until?: string }): Promise<IncidentRow[]>;
  facetsOf(ids: readonly number[] | 'all'): Promise<Array<IncidentFacet & { incidentId: number }>>;
  /** Incidents with this facet value; with `limit`, the newest (highest ids) that many. */
  withFacet(facet: FacetKind, key: string, limit?: number): Promise<number[]>;
  /** How many incidents have this facet value. */
  facetCount(facet: FacetKind, key: string): Promise<number>;
  count(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Ranking: term statistics, neighbour expansion, the corpus latent model
// ---------------------------------------------------------------------------------------------

/** A document's neighbour expansion, as neighbour-expansion.ts computes it. */
export interface ExpansionWrite {
  documentId: number;
  /** Term → pseudo-frequency (empty: no expansion). */
  terms: ReadonlyMap<string, number>;
  neighbours: ReadonlyArray<{ id: number; similarity: number }>;
}

/** The corpus latent model as trained, ready to be stored. */
export interface LatentModelWrite {
  model: LsaModel;
  settings: LsaSettings;
  /** The highest passage id the training saw: passages after it are folded in. */
  trainedThrough: number;
  /** The vectors of the passages it trained on (passage i: values[i·rank …]), when training computed them. */
  vectors?: { ids: Int32Array; docs: Int32Array; values: Float32Array };
}

/** What training reports as it goes. */
export interface LatentTrainingProgress {
  phase: 'reading' | 'vocabulary' | 'sketch' | 'power-iteration' | 'basis';
  /** Steps done and the steps of training in all (reading counts passages). */
  done: number;
  total: number;
}

export interface LatentState {
  scorer: LsaScorer;
  trainedAt: string;
  settings: LsaSettings;
}

/**
 * The statistics the ranking stage (native/rank) reads and keeps. Term statistics are written by
 * `documents.write` with the document itself (DocumentWrite.analysis) and removed with it; what
 * is here is reading them, and the upkeep that runs after an import (expansion, the latent model).
 */
export interface RankStore {
  /**
   * The term statistics as the scorers read them: a synchronous view, current as of this call
   * (another process's writes since the last call are picked up here), and kept current by this
   * store's writes afterwards. The scorers read it synchronously because a query walks posting
   * lists term by term, pass after pass, and an await per list would cost more than the lists.
   *
   * SQLite serves it from posting lists in memory (built once from the per-document rows, then
   * updated by every write) and reads per-document terms from the file as asked. A networked
   * backend (PostgreSQL) would serve the same interface by prefetching, in one round trip per
   * scoring pass, the postings of the pass's terms (the first pass: the input's terms; the second:
   * the feedback terms) and the terms of the feedback documents, into a view the pass then reads;
   * document frequencies and lengths are a few numbers per term and would come with them.
   */
  termIndex(): Promise<TermIndex>;
  /** Documents that have no term statistics (written before they existed), at most `limit`. */
  unanalysed(limit: number): Promise<number[]>;
  /** Writes the term statistics of documents already stored (their analysis from their passages), in one transaction. */
  putAnalyses(rows: ReadonlyArray<{ documentId: number; analysis: AnalysedDocument }>): Promise<void>;
  /** Documents written or replaced since their last expansion, oldest first, at most `limit`. */
  expansionQueue(limit: number): Promise<number[]>;
  /** Sets the expansions of documents and takes them off the queue, in one transaction. */
  setExpansions(rows: readonly ExpansionWrite[]): Promise<void>;
  /** The corpus latent model's scorer over every passage (trained ones and folded-in ones); null until one is trained. */
  latent(): Promise<LatentState | null>;
  /** How far the stored latent model has drifted from the corpus (without loading it); null when there is none. */
  latentStaleness(): Promise<(Staleness & { trainedAt: string; trainedUnits: number }) | null>;
  /**
   * Trains a latent model on the stored passages' terms. SQLite trains in a worker thread that
   * reads the file itself, so the engine stays responsive; aborting `signal` stops it at once.
   */
  trainLatent(settings: LsaSettings, o?: { onProgress?: (p: LatentTrainingProgress) => void; signal?: AbortSignal }): Promise<LatentModelWrite | null>;
  /** Stores a latent model in place of the previous one; the passages it did not see are folded in. */
  saveLatent(write: LatentModelWrite): Promise<void>;
  /** Passages with term statistics, and the highest passage id among them. */
  passageCount(): Promise<{ passages: number; highestId: number }>;
}
