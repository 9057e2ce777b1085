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
  ImportSummary,
  SearchFilters,
  SectionRole,
} from '../contract.js';
import type { Chunk } from '../chunk/chunker.js';
import type { FoundEntity } from '../entities/extract.js';
import type { ParsedDocument } from '../import/parsed-document.js';

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
   * by the filters, best first.
   */
  candidates(expression: string, filters: SearchFilters, limit: number): Promise<LexicalHit[]>;
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
  /** Resolved outgoing links of a document (targets that are imported). */
  outgoing(documentId: number, limit: number): Promise<Array<{ documentId: number; title: string; kind: DocumentKind; relation: string }>>;
}
