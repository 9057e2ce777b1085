/**
 * The one contract between the engine and everything that talks to it (CLI, Electron main,
 * preload, HTTP bridge, renderer). Pure TypeScript + zod: no Node or DOM imports, so the renderer
 * may import it for types and schemas.
 *
 * Every method has an input schema (parsed at every boundary) and a result type; every pushed
 * event has a payload type. Nothing here is written twice elsewhere.
 */
import * as z from 'zod';
import { CSV_MAP_FIELDS, DOCUMENT_KINDS } from './contract-values.js';

export { CSV_MAP_FIELDS, DOCUMENT_KINDS };
export const DocumentKindSchema = z.enum(DOCUMENT_KINDS);
export type DocumentKind = z.infer<typeof DocumentKindSchema>;

/** Section roles recognised in postmortems (and assigned to ticket / chat parts). */
export const SECTION_ROLES = [
  'summary',
  'impact',
  'timeline',
  'root_cause',
  'trigger',
  'contributing_factors',
  'detection',
  'resolution',
  'action_items',
  'lessons',
  'other',
] as const;
export const SectionRoleSchema = z.enum(SECTION_ROLES);
export type SectionRole = z.infer<typeof SectionRoleSchema>;

const isoDate = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be a date such as 2024-03-31 or 2024-03-31T14:00Z' });

/** Kinds of entities extracted from documents. */
export const ENTITY_TYPES = ['service', 'error', 'technology', 'host', 'person', 'ticket', 'url'] as const;
export const EntityTypeSchema = z.enum(ENTITY_TYPES);
export type EntityType = z.infer<typeof EntityTypeSchema>;

/** Filters shared by search-like methods. */
export const SearchFiltersSchema = z.object({
  /** Only these kinds of documents. */
  kinds: z.array(DocumentKindSchema).max(DOCUMENT_KINDS.length).optional(),
  /** Only documents that occurred at or after this date (ISO 8601). */
  since: isoDate.optional(),
  /** Only documents that occurred before or at this date (ISO 8601). */
  until: isoDate.optional(),
  /** Only documents imported from under this folder (absolute path prefix) or archive. */
  sourcePrefix: z.string().min(1).max(4096).optional(),
  /** Only documents that name this service / person / error signature (normalised match). */
  service: z.string().min(1).max(200).optional(),
  person: z.string().min(1).max(200).optional(),
  error: z.string().min(1).max(500).optional(),
});
export type SearchFilters = z.infer<typeof SearchFiltersSchema>;

/** Input of `search`. */
export const SearchInputSchema = SearchFiltersSchema.extend({
  /** Free text typed by the user; never interpreted as query syntax. */
  query: z.string().max(10_000),
  /** Maximum number of documents returned. */
  limit: z.number().int().min(1).max(200).default(20),
});
export type SearchInput = z.input<typeof SearchInputSchema>;
export type SearchRequest = z.output<typeof SearchInputSchema>;

/** A highlighted passage: text plus [start, end) character ranges to emphasise. */
export interface Snippet {
  text: string;
  highlights: Array<[number, number]>;
  /** Heading path of the passage (e.g. "Root Cause > Database"). */
  heading: string;
  role: SectionRole;
}

/** One document in a result list. */
export interface SearchHit {
  documentId: number;
  title: string;
  kind: DocumentKind;
  /** Where it came from: the absolute path as imported, an archive member, or a URL. */
  source: string;
  occurredAt: string | null;
  /** Fused relevance score, higher is better (comparable within one result list only). */
  score: number;
  /** Which retrievers found it. */
  matchedBy: Array<'lexical' | 'semantic'>;
  snippets: Snippet[];
}

export interface SearchResult {
  query: string;
  mode: 'hybrid' | 'lexical';
  /** Total documents that matched before the limit. */
  total: number;
  hits: SearchHit[];
  /** Wall time of the whole search, and the part spent embedding the query. */
  tookMs: number;
  embedMs: number;
}

export const ImportInputSchema = z.object({
  /** Files or folders (absolute paths). */
  paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
  /** Slack: only channels matching these names or globs ("incident-*", "ops"). */
  channels: z.array(z.string().min(1).max(200)).max(500).optional(),
  /** Generic CSV: which column holds which field (title and body at least). */
  csvMap: z.partialRecord(z.enum(CSV_MAP_FIELDS), z.string().min(1).max(200)).optional(),
});
export type ImportInput = z.infer<typeof ImportInputSchema>;

/** A file that could not be imported, and why, in words a user can act on. */
export interface ImportFileError {
  source: string;
  code: ErrorCode;
  /** Finer cause ("zip-bomb", "bad-encoding", "unknown-json"). */
  reason?: string;
  /** The failing record inside a multi-record source: its position and key ("17 (OPS-9)"). */
  record?: string;
  message: string;
}

export interface ImportSummary {
  importId: number;
  /** How it ended: every file read, stopped by the user, or stopped by a fault. */
  status: 'done' | 'cancelled' | 'failed';
  /** Files the paths expanded to; `filesSeen` of them were read before the import ended. */
  filesTotal: number;
  filesSeen: number;
  filesFailed: number;
  /** Files in a folder that are not a format Hindsight knows (an unrelated JSON, say); not errors. */
  skipped: Array<{ source: string; reason: string }>;
  /** Documents imported per format (markdown, slack, jira-xml, ...). */
  byFormat: Record<string, number>;
  documentsAdded: number;
  documentsUpdated: number;
  documentsUnchanged: number;
  /** Documents met again within the same import (one ticket in two export files): the first one wins. */
  documentsDuplicate: number;
  chunksWritten: number;
  chunksEmbedded: number;
  /** Whether passages were embedded (false when no model is installed). */
  semantic: boolean;
  errors: ImportFileError[];
  durationMs: number;
}

/** A Slack channel found in an export, before importing it. */
export interface SlackChannelInfo {
  name: string;
  /** Day files (days with messages) and their size: known without reading them. */
  days: number;
  bytes: number;
  selected: boolean;
}

/** What an import would read, shown before a long import (Slack channel choice). */
export interface ImportPreview {
  sources: Array<{ source: string; format: string; channels?: SlackChannelInfo[] }>;
}

/** An entity as shown with a document. */
export interface EntityRef {
  type: EntityType;
  key: string;
  name: string;
  mentions: number;
}

/** A link from or to a document; `documentId` is null while the target is not imported. */
export interface DocumentLink {
  direction: 'out' | 'in';
  relation: string;
  target: string;
  documentId: number | null;
  title: string | null;
  kind: DocumentKind | null;
}

export const DocumentIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Someone in a chat conversation, and how much they wrote (the last 40% of it: the resolving part). */
export const ParticipantSchema = z.object({
  name: z.string(),
  messages: z.number(),
  chars: z.number(),
  resolvingChars: z.number().optional(),
  bot: z.boolean().optional(),
});
export type Participant = z.infer<typeof ParticipantSchema>;

const opt = <T extends z.ZodType>(t: T) => t.optional().catch(undefined);
const optText = opt(z.string().nullable());

/**
 * The shape of a document's `metadata`: what each kind of source records beyond the common
 * fields. Parsed when read back from the store; a value of the wrong shape is dropped (never an
 * exception), and keys not listed here are kept as they are.
 */
export const DocumentMetadataSchema = z
  .object({
    // Tickets (native/import/tickets/ticket.ts).
    system: optText,
    type: optText,
    priority: optText,
    resolution: optText,
    assignee: optText,
    reporter: optText,
    labels: opt(z.array(z.string())),
    components: opt(z.array(z.string())),
    /** Number of comments. */
    comments: opt(z.number()),
    // Chat conversations (native/import/slack/slack-export.ts).
    channel: opt(z.string()),
    channelId: opt(z.string()),
    thread: opt(z.boolean()),
    startedAt: opt(z.string()),
    endedAt: opt(z.string()),
    messageCount: opt(z.number()),
    participants: opt(z.array(ParticipantSchema)),
    // Postmortems: front-matter keys kept as written (author, owners, services, tags...).
  })
  .catchall(z.unknown());
export type DocumentMetadata = z.infer<typeof DocumentMetadataSchema>;

/** What every document has, from the parser to the screen. */
export interface DocumentFields {
  kind: DocumentKind;
  /** The format it was read from (markdown, slack, jira-xml, ...). */
  format: string;
  title: string;
  /** Absolute path as imported, archive member ("zip!member"), or URL. */
  source: string;
  url: string | null;
  /** Ticket key, Slack timestamp, incident number. */
  externalId: string | null;
  occurredAt: string | null;
  resolvedAt: string | null;
  severity: string | null;
  status: string | null;
  metadata: DocumentMetadata;
  /** Normalized Markdown. */
  body: string;
}

/** One document with everything known about it (`hindsight show`). */
export interface DocumentView extends DocumentFields {
  id: number;
  sections: Array<{ heading: string; role: SectionRole; start: number; end: number }>;
  entities: EntityRef[];
  links: DocumentLink[];
  /** The incident this record belongs to. */
  incident: { incidentId: number; title: string; role: IncidentRecordRole } | null;
}

/** Pushed while an import runs. */
export interface ImportProgress {
  importId: number;
  /** queued: behind another import of this app; waiting: another process is writing the database. */
  phase: 'queued' | 'waiting' | 'scanning' | 'importing' | 'done';
  /** While waiting: who holds the database ("an import in process 4242"). */
  waitingFor?: string | null;
  filesTotal: number;
  filesDone: number;
  filesFailed: number;
  documents: number;
  chunksEmbedded: number;
  currentFile: string | null;
  /** Records read from the current file so far (a big CSV or Slack export reports inside the file). */
  currentRecords: number;
  /** Files per second so far. */
  rate: number;
  /** Estimated seconds left, null while unknown. */
  etaSeconds: number | null;
}

/** Pushed while embeddings are (re)computed. */
export interface IndexProgress {
  /** `paused`: by `pauseReindex`; `waiting`: for another writer (an import goes first). */
  phase: 'waiting' | 'paused' | 'embedding' | 'done' | 'cancelled';
  done: number;
  total: number;
  rate: number;
  etaSeconds: number | null;
}

export type ModelState =
  | { state: 'absent'; message: string; howToInstall: string }
  | {
      state: 'ready';
      name: string;
      modelId: string;
      dims: number;
      verified: boolean;
      path: string;
    }
  | { state: 'error'; message: string; path: string };

export interface IndexState {
  /** Passages with an embedding of the current model. */
  embedded: number;
  /** Passages still waiting for one (no model, or model changed). */
  pending: number;
  /** What the vector index cache looked like on open. */
  health: 'ok' | 'repaired' | 'rebuilt' | 'absent';
}

export interface Stats {
  documents: number;
  chunks: number;
  byKind: Record<string, number>;
  /** Documents per source format (markdown, html, pdf, slack, jira, ...). */
  byFormat: Record<string, number>;
  model: ModelState;
  index: IndexState;
  databasePath: string;
  databaseBytes: number;
  /** The database file is not writable: every read works, imports and reindexing are refused. */
  readOnly: boolean;
  lastImport: { id: number; finishedAt: string | null; filesFailed: number } | null;
}

/**
 * The closed set of error codes, each with the exit code the CLI ends with. Every error that
 * crosses a boundary (IPC, HTTP, the CLI) has one of these codes; finer detail for diagnostics
 * (why a file was refused: "zip-bomb", "bad-encoding"...) goes in `reason`.
 */
export const ERROR_CODES = {
  /** A command line that cannot be run as typed. */
  usage: 64,
  /** An API input the contract refuses (a limit out of range, a malformed date). */
  'invalid-input': 64,
  /** No such document, file, database or sample data. */
  'not-found': 66,
  /** A file or record Hindsight will not read: broken, unsafe, too large, badly encoded. */
  'refused-input': 65,
  /** Not a format Hindsight imports. */
  unsupported: 65,
  /** Another writer holds the database, or a job of that kind is already running. */
  busy: 75,
  /** The call took longer than its limit. */
  timeout: 75,
  /** Stopped by the user (Ctrl+C, Cancel). */
  cancelled: 130,
  /** Semantic work asked for, and no embedding model is installed. */
  'no-model': 69,
  /** The model exists but cannot be used (hash mismatch, load failure, wrong dimensions). */
  'model-failed': 69,
  /** The database cannot be opened, is newer than this app, or is read-only for a write. */
  'db-unavailable': 74,
  /** The engine process is not running (desktop). */
  'engine-unavailable': 69,
  /** The caller is not allowed (another window, a foreign origin, a path outside the uploads). */
  forbidden: 77,
  /** A fault of Hindsight itself. */
  internal: 70,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/** Errors cross every boundary as this shape, never as stacks or schema dumps. */
export interface ContractError {
  code: ErrorCode;
  /** One line for people: what happened. */
  message: string;
  /** What to do about it, when there is something to do. */
  hint?: string;
  /** A stable finer cause for diagnostics and tests ("zip-bomb", "bad-encoding"). */
  reason?: string;
}

// ---------------------------------------------------------------------------------------------
// Incidents: one record per event (a postmortem, its Slack threads, its tickets), with fields
// extracted from its records, each with where it was read.
// ---------------------------------------------------------------------------------------------

/** Where a value was read: the record, its heading path, and the span of the body it came from. */
export const ProvenanceSchema = z.object({
  documentId: z.number(),
  /** Heading path (" > " separated), or null for the title and structured fields. */
  section: z.string().nullable(),
  /** [start, end) offsets into the record's body. */
  start: z.number().optional(),
  end: z.number().optional(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

const sourced = <T extends z.ZodType>(value: T) => z.object({ value, from: ProvenanceSchema });
export interface Sourced<T> {
  value: T;
  from: Provenance;
}

export const PERSON_ROLES = ['lead', 'resolver', 'author', 'reporter', 'participant'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];
export const ACTION_STATUSES = ['open', 'done', 'unknown'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const ActionItemSchema = z.object({
  text: z.string(),
  status: z.enum(ACTION_STATUSES),
  /** The tracker record it points at, as a reference (`ticket:OPS-42`, `github:o/r#12`). */
  ticket: z.string().nullable(),
});
export type ActionItem = z.infer<typeof ActionItemSchema>;

export const PersonSchema = z.object({ name: z.string(), role: z.enum(PERSON_ROLES) });
export type Person = z.infer<typeof PersonSchema>;

/** The normalised fields of a record or an incident; a field nobody states stays empty. */
export const IncidentFieldsSchema = z.object({
  title: sourced(z.string()).nullable(),
  /** Services / components affected. */
  services: z.array(sourced(z.string())),
  /** What users or on-call saw. */
  symptom: sourced(z.string()).nullable(),
  /** What set it off (a deploy, a certificate expiring, a config push). */
  trigger: sourced(z.string()).nullable(),
  rootCause: sourced(z.string()).nullable(),
  /** A few key phrases of how it failed ("expired certificate", "crash loop"). */
  mechanism: z.array(z.string()),
  /** Failure-mode taxonomy ids (config/failure-modes.yaml), multi-label, with their evidence score. */
  failureModes: z.array(sourced(z.string()).extend({ score: z.number() })),
  /** What was done to stop it: never follow-up action items, never a ticket's close code. */
  mitigation: sourced(z.string()).nullable(),
  actionItems: z.array(sourced(ActionItemSchema)),
  people: z.array(sourced(PersonSchema)),
  severity: sourced(z.string()).nullable(),
  /** ISO 8601 UTC. */
  startedAt: sourced(z.string()).nullable(),
  detectedAt: sourced(z.string()).nullable(),
  mitigatedAt: sourced(z.string()).nullable(),
  resolvedAt: sourced(z.string()).nullable(),
});
export type IncidentFields = z.infer<typeof IncidentFieldsSchema>;

/** How a record belongs to its incident: the record that stands for it, one of its records, or a follow-up ticket. */
export const INCIDENT_RECORD_ROLES = ['primary', 'record', 'follow-up'] as const;
export type IncidentRecordRole = (typeof INCIDENT_RECORD_ROLES)[number];
export const INCIDENT_RELATIONS = ['recurrence of', 'related to'] as const;
export type IncidentRelation = (typeof INCIDENT_RELATIONS)[number];

/** A record of an incident, as listed with it. */
export interface IncidentRecordRef {
  documentId: number;
  title: string;
  kind: DocumentKind;
  role: IncidentRecordRole;
  occurredAt: string | null;
}

/** An incident in a list: what it was, when, how long it took. */
export interface IncidentSummary {
  incidentId: number;
  title: string;
  startedAt: string | null;
  resolvedAt: string | null;
  severity: string | null;
  minutesToDetect: number | null;
  minutesToResolve: number | null;
  services: string[];
  /** Failure modes with their readable labels. */
  failureModes: Array<{ id: string; label: string }>;
  records: IncidentRecordRef[];
}

/** An incident with everything known about it (the incident page, `hindsight incident`). */
export interface IncidentView extends IncidentSummary {
  fields: IncidentFields;
  /** Incidents this one cites or is cited by. */
  links: Array<{ incidentId: number; title: string; relation: IncidentRelation; direction: 'out' | 'in'; startedAt: string | null }>;
  /** What happened when, from the records (timeline entries and record times), oldest first. */
  timeline: Array<{ at: string; text: string; from: Provenance }>;
}

export const IncidentRefSchema = z.object({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }).strict();

/** Input of `similar`: exactly one of text, file or document id. */
export const SimilarInputSchema = z
  .object({
    /** What the on-call engineer sees: a symptom, chat lines, an alert, a draft postmortem. */
    text: z.string().min(1).max(200_000).optional(),
    /** A file to read as the new incident (any importable format). */
    file: z.string().min(1).max(4096).optional(),
    /** An imported document to find the predecessors of. */
    id: DocumentIdSchema.optional(),
    limit: z.number().int().min(1).max(100).default(10),
    kinds: z.array(DocumentKindSchema).max(DOCUMENT_KINDS.length).optional(),
  })
  .refine((v) => [v.text, v.file, v.id].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of text, file or id', params: { oneOf: ['text', 'file', 'id'] } });
export type SimilarInput = z.input<typeof SimilarInputSchema>;
export type SimilarRequest = z.output<typeof SimilarInputSchema>;

/** How much each signal contributed, each in [0, 1] before weighting. */
export interface ScoreBreakdown {
  /** Meaning, from the embedding model (null without one). */
  semantic: number | null;
  /** Meaning from the latent model trained on this corpus (null when there is none). */
  latent: number | null;
  lexical: number;
  entities: number;
  /** Share of the input's telling words (weighted by rarity) that the incident contains: an absolute measure. */
  coverage: number;
  /** The weighted sum that ranks results. */
  total: number;
}

/** An input passage and the record passage most like it. */
export interface PassagePair {
  input: { text: string; role: SectionRole };
  match: { text: string; heading: string; role: SectionRole; chunkId: number; documentId: number };
  similarity: number;
  /** Words both passages share (salient ones). */
  sharedTerms: string[];
}

/** What a past incident shares with the input: the first evidence shown. */
export interface SharedEvidence {
  failureModes: Array<{ id: string; label: string }>;
  services: string[];
  /** Phrases of how it failed that both name ("expired certificate", "crash loop"). */
  mechanism: string[];
  errors: string[];
  technologies: string[];
  other: string[];
}

/** One past incident like the input, and why. */
export interface SimilarIncident {
  incident: IncidentSummary;
  score: ScoreBreakdown;
  /** Weak matches are listed apart (collapsed), never dressed as strong ones. */
  strength: 'strong' | 'weak';
  shared: SharedEvidence;
  passages: PassagePair[];
  /** What was done to stop it (not its follow-up action items, not a close code), and where it says so. */
  mitigation: Sourced<string> | null;
  people: Array<{ name: string; role: PersonRole }>;
  /** Incidents it cites or is cited by ("recurrence of"). */
  related: Array<{ incidentId: number; title: string; relation: IncidentRelation; direction: 'out' | 'in' }>;
}

export const VERDICTS = ['recurring', 'related', 'novel', 'nothing-to-compare'] as const;
export type VerdictLabel = (typeof VERDICTS)[number];

export interface SimilarResult {
  mode: 'hybrid' | 'lexical';
  /**
   * recurring: past incidents share the failure mode and the mechanism (and the service where
   * known); related: they share the symptom or a component; novel: there are incidents to compare
   * and none is close; nothing-to-compare: (almost) nothing is imported yet.
   */
  verdict: { label: VerdictLabel; reason: string; confidence: number };
  /** What was understood of the input. */
  input: {
    passages: number;
    terms: string[];
    entities: Array<{ type: EntityType; name: string }>;
    failureModes: Array<{ id: string; label: string }>;
    services: string[];
    mechanism: string[];
  };
  incidents: SimilarIncident[];
  /** What fixed the strong matches, across them. */
  playbook: Playbook;
  /** Incidents in the database (what "novel" was judged against). */
  incidentsKnown: number;
  tookMs: number;
}

// ---------------------------------------------------------------------------------------------
// Playbooks: what usually fixes this, across past incidents.
// ---------------------------------------------------------------------------------------------

export interface PlaybookIncidentRef {
  incidentId: number;
  title: string;
  startedAt: string | null;
}

/** One kind of mitigation that worked, with the incidents where it was applied. */
export interface PlaybookMitigation {
  /** The action, as a person reads it ("roll back the deploy"). */
  action: string;
  incidents: PlaybookIncidentRef[];
  /** How each incident's record words it, with where. */
  examples: Array<{ text: string; incidentId: number; from: Provenance }>;
}

/** An action item a past incident raised, with its status; flagged when the failure came back while it stayed open. */
export interface PlaybookActionItem {
  text: string;
  status: ActionStatus;
  ticket: string | null;
  incident: PlaybookIncidentRef;
  /** Later incidents of the same kind that happened while this stayed open. */
  recurredAfter: PlaybookIncidentRef[];
}

export interface Playbook {
  /** What it covers ("Certificate expiry", "incidents like this one"). */
  subject: string;
  incidents: PlaybookIncidentRef[];
  mitigations: PlaybookMitigation[];
  actionItems: PlaybookActionItem[];
  timeToResolve: { medianMinutes: number | null; fastestMinutes: number | null; slowestMinutes: number | null; known: number };
}

/** A playbook for a failure mode, a service, a pattern, or the incidents like a text or record. */
export const PlaybookInputSchema = z
  .object({
    failureMode: z.string().min(1).max(100).optional(),
    service: z.string().min(1).max(200).optional(),
    /** A theme number from `patterns` (same filters as given there). */
    pattern: z.number().int().min(1).max(500).optional(),
    text: z.string().min(1).max(200_000).optional(),
    id: DocumentIdSchema.optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
  })
  .strict()
  .refine((v) => [v.failureMode, v.service, v.pattern, v.text, v.id].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of failureMode, service, pattern, text or id',
    params: { oneOf: ['failureMode', 'service', 'pattern', 'text', 'id'] },
  });
export type PlaybookInput = z.input<typeof PlaybookInputSchema>;

export const PatternsInputSchema = z.object({
  since: isoDate.optional(),
  until: isoDate.optional(),
  kinds: z.array(DocumentKindSchema).max(DOCUMENT_KINDS.length).optional(),
  /** Smallest theme reported. */
  minSize: z.number().int().min(2).max(1000).default(2),
  limit: z.number().int().min(1).max(500).default(30),
});
export type PatternsInput = z.input<typeof PatternsInputSchema>;

export interface Pattern {
  id: number;
  /** Readable label: the failure mode and what it hit ("Certificate expiry · ingress, identity provider"). */
  label: string;
  failureModes: Array<{ id: string; label: string }>;
  services: string[];
  mechanism: string[];
  /** Distinctive words, when no failure mode names the theme. */
  terms: string[];
  size: number;
  firstAt: string | null;
  lastAt: string | null;
  incidents: IncidentSummary[];
  /** Incidents per month ("2024-03" → count). */
  perMonth: Record<string, number>;
  playbook: Playbook;
  /** Who handled them, by role. */
  people: Array<{ name: string; incidents: number; roles: PersonRole[] }>;
}

export interface PatternsResult {
  mode: 'hybrid' | 'lexical';
  /** Incidents considered. */
  incidents: number;
  patterns: Pattern[];
  topServices: Array<{ name: string; incidents: number }>;
  topFailureModes: Array<{ id: string; label: string; incidents: number }>;
  tookMs: number;
}

export const ExpertsInputSchema = z
  .object({
    text: z.string().min(1).max(200_000).optional(),
    id: DocumentIdSchema.optional(),
    limit: z.number().int().min(1).max(100).default(10),
  })
  .refine((v) => (v.text === undefined) !== (v.id === undefined), { message: 'give exactly one of text or id', params: { oneOf: ['text', 'id'] } });
export type ExpertsInput = z.input<typeof ExpertsInputSchema>;

export interface Expert {
  name: string;
  score: number;
  /** One line per incident: what they did there. */
  incidents: Array<{ incidentId: number; title: string; role: PersonRole; startedAt: string | null }>;
}

export interface ExpertsResult {
  experts: Expert[];
  tookMs: number;
}

// ---------------------------------------------------------------------------------------------
// The API: every method the UI may call and every event it may receive. The preload, main's IPC
// router, the HTTP bridge and the renderer's clients are all derived from these two tables.
// ---------------------------------------------------------------------------------------------

export const Empty = z.object({}).strict();
export const ImportIdSchema = z.object({ importId: z.number().int().positive() }).strict();
export const DocumentRefSchema = z.object({ id: DocumentIdSchema }).strict();

/** How the app was started: what the UI may offer. */
export interface AppInfo {
  version: string;
  /** `desktop` (Electron) or `browser` (hindsight serve). */
  shell: 'desktop' | 'browser';
  /** Started with --demo: the sample data may be (re)imported with one click. */
  demo: boolean;
  databasePath: string;
}

/** Result of starting an import: it runs on; progress and the summary arrive as events. */
export interface ImportStarted {
  importId: number;
}

/** Where a document came from, as something the shell can open. */
export interface SourceLocation {
  kind: 'url' | 'file' | 'archive-member';
  /** A URL (http/https), an absolute file path, or "archive!member". */
  location: string;
}

/** Which model to install: a folder the user downloaded, or a download (only when asked). */
export const InstallModelInputSchema = z
  .object({
    /** A model folder in Transformers.js layout (config, tokenizer, onnx/…) on this machine. */
    folder: z.string().min(1).max(4096).optional(),
    /** A known model to download from its pinned source ("gte-small"). */
    download: z.string().min(1).max(100).optional(),
    /** Accept weights whose hash is not pinned (your own export of a model). */
    allowUnverified: z.boolean().default(false),
  })
  .strict()
  .refine((v) => (v.folder === undefined) !== (v.download === undefined), { message: 'give exactly one of folder or download', params: { oneOf: ['folder', 'download'] } });
export type InstallModelInput = z.input<typeof InstallModelInputSchema>;

export interface ModelStatus {
  state: ModelState;
  /** The folders searched, in order. */
  searched: string[];
  /** Models that can be downloaded (`download`). */
  known: Array<{ name: string; dims: number; bytes: number }>;
}

export interface ModelInstalled {
  name: string;
  path: string;
  verified: boolean;
  /** Passages waiting for an embedding now that the model is there (reindex embeds them). */
  pending: number;
}

/** Pushed while a model is downloaded or copied. */
export interface ModelProgress {
  phase: 'downloading' | 'copying' | 'verifying' | 'done';
  file: string;
  received: number;
  total: number | null;
}

/** Input of `browse`: the documents that match filters alone (a pivot from an entity, a chart, a list). */
export const BrowseInputSchema = SearchFiltersSchema.extend({
  limit: z.number().int().min(1).max(200).default(30),
});
export type BrowseInput = z.input<typeof BrowseInputSchema>;

/** Documents matching filters, newest first; each hit's snippet is the start of its summary. */
export interface BrowseResult {
  total: number;
  hits: SearchHit[];
  tookMs: number;
}

/** Input of `listImports`: the newest imports first. */
export const ListImportsInputSchema = z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict();

/** One import in the history: what was imported, when, how it ended, and what it holds now. */
export interface ImportHistoryEntry {
  importId: number;
  /** What was imported, by the names the user knows (the dropped file and folder names, a folder's name). */
  label: string;
  /** The files and folders as imported; empty for files dropped into browser mode (their upload is gone). */
  paths: string[];
  status: 'queued' | 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';
  startedAt: string;
  finishedAt: string | null;
  filesTotal: number;
  filesSeen: number;
  filesFailed: number;
  filesSkipped: number;
  documentsAdded: number;
  documentsUpdated: number;
  documentsUnchanged: number;
  /** Documents this import wrote that are still in the database (a later import may have rewritten some). */
  documents: number;
  /** Failed and skipped files (and records) it recorded; `importIssues` lists them. */
  issues: number;
  /** Whether `reimport` can read its source again, and when not, why. */
  reimport: { possible: true } | { possible: false; why: string };
}

export interface ImportHistory {
  imports: ImportHistoryEntry[];
  /** Imports in the database, of which `imports` are the newest. */
  total: number;
}

export const ImportIssuesInputSchema = z.object({ importId: z.number().int().positive(), limit: z.number().int().min(1).max(5000).default(1000) }).strict();

/** A file (or a record inside one) an import failed on or skipped, and why. */
export interface ImportIssueView {
  outcome: 'failed' | 'skipped';
  source: string;
  record: string | null;
  code: ErrorCode;
  reason: string | null;
  message: string;
}

export interface ImportIssues {
  issues: ImportIssueView[];
  total: number;
}

/** Input of `useDatabase`: a Hindsight database file to open, or a new `.db` file to create. */
export const UseDatabaseInputSchema = z.object({ path: z.string().min(1).max(4096) }).strict();

export interface DatabaseInUse {
  databasePath: string;
  documents: number;
  /** True when the file did not exist and was created. */
  created: boolean;
}

/** Method name → input schema. Inputs are parsed with these at every boundary. */
export const API_INPUTS = {
  appInfo: Empty,
  stats: Empty,
  search: SearchInputSchema,
  show: DocumentRefSchema,
  incident: IncidentRefSchema,
  similar: SimilarInputSchema,
  playbook: PlaybookInputSchema,
  patterns: PatternsInputSchema,
  experts: ExpertsInputSchema,
  previewImport: ImportInputSchema,
  startImport: ImportInputSchema,
  cancelImport: ImportIdSchema,
  importSample: Empty,
  sourceOf: DocumentRefSchema,
  startReindex: Empty,
  cancelReindex: Empty,
  pauseReindex: Empty,
  resumeReindex: Empty,
  modelStatus: Empty,
  installModel: InstallModelInputSchema,
  browse: BrowseInputSchema,
  listImports: ListImportsInputSchema,
  importIssues: ImportIssuesInputSchema,
  deleteImport: ImportIdSchema,
  reimport: ImportIdSchema,
  useDatabase: UseDatabaseInputSchema,
} as const;

/** Method name → result type. */
export interface ApiResults {
  appInfo: AppInfo;
  stats: Stats;
  search: SearchResult;
  show: DocumentView | null;
  incident: IncidentView | null;
  similar: SimilarResult;
  playbook: Playbook;
  patterns: PatternsResult;
  experts: ExpertsResult;
  previewImport: ImportPreview;
  startImport: ImportStarted;
  cancelImport: { cancelled: boolean };
  importSample: ImportStarted;
  sourceOf: SourceLocation | null;
  startReindex: { pending: number };
  cancelReindex: { cancelled: boolean };
  /** Holds the embedding job after its current batch (it keeps its place; search works lexically for the rest). */
  pauseReindex: { paused: boolean };
  /** Lets a paused embedding job go on. */
  resumeReindex: { resumed: boolean };
  modelStatus: ModelStatus;
  installModel: ModelInstalled;
  /** Documents matching filters without words, newest first (what a pivot opens). */
  browse: BrowseResult;
  /** The import history, newest first. */
  listImports: ImportHistory;
  /** What one import failed on or skipped. */
  importIssues: ImportIssues;
  /** Removes an import from the history with the documents it brought (those no later import rewrote). */
  deleteImport: { documentsRemoved: number };
  /** Imports an earlier import's files and folders again, with the same channel choice. */
  reimport: ImportStarted;
  /** Switches to another database (or creates one); what follows uses it. */
  useDatabase: DatabaseInUse;
}

export type ApiMethod = keyof typeof API_INPUTS;
export const API_METHODS = Object.keys(API_INPUTS) as ApiMethod[];
export type ApiInput<M extends ApiMethod> = z.input<(typeof API_INPUTS)[M]>;
/** A method's input after parsing (defaults applied): what handlers receive. */
export type ApiRequest<M extends ApiMethod> = z.output<(typeof API_INPUTS)[M]>;

/**
 * What each method needs of the database. `read` works on a read-only database and refuses one
 * that does not exist (a typo in --db must not create an empty database); `write` creates it;
 * `none` does not open it.
 */
export const API_ACCESS: { readonly [M in ApiMethod]: 'none' | 'read' | 'write' } = {
  appInfo: 'none',
  stats: 'read',
  search: 'read',
  show: 'read',
  incident: 'read',
  similar: 'read',
  playbook: 'read',
  patterns: 'read',
  experts: 'read',
  previewImport: 'none',
  startImport: 'write',
  cancelImport: 'none',
  importSample: 'write',
  sourceOf: 'read',
  startReindex: 'write',
  cancelReindex: 'none',
  pauseReindex: 'none',
  resumeReindex: 'none',
  modelStatus: 'none',
  installModel: 'none',
  browse: 'read',
  listImports: 'read',
  importIssues: 'read',
  deleteImport: 'write',
  reimport: 'write',
  useDatabase: 'none',
};

/**
 * How long a call may take before it fails with `timeout`. Long work (imports, reindexing) runs
 * as a job: its call returns at once and progress arrives as events.
 */
export const API_TIMEOUT_MS: { readonly [M in ApiMethod]: number } = {
  appInfo: 10_000,
  stats: 30_000,
  search: 30_000,
  show: 30_000,
  incident: 30_000,
  similar: 120_000,
  playbook: 120_000,
  patterns: 300_000,
  experts: 120_000,
  previewImport: 120_000,
  startImport: 30_000,
  cancelImport: 10_000,
  importSample: 30_000,
  sourceOf: 10_000,
  startReindex: 30_000,
  cancelReindex: 10_000,
  pauseReindex: 10_000,
  resumeReindex: 10_000,
  modelStatus: 60_000,
  installModel: 3_600_000,
  browse: 30_000,
  listImports: 30_000,
  importIssues: 30_000,
  deleteImport: 120_000,
  reimport: 30_000,
  useDatabase: 60_000,
};

/** Event name → payload. */
export interface ApiEvents {
  importProgress: ImportProgress;
  /** The import ended: its summary, or why it could not run at all. */
  importDone: { importId: number; summary: ImportSummary | null; failure: ContractError | null };
  indexProgress: IndexProgress;
  /** Reindexing ended: how many passages were embedded, or why it stopped. */
  indexDone: { embedded: number; durationMs: number; status: 'done' | 'cancelled' | 'failed'; failure: ContractError | null };
  modelProgress: ModelProgress;
  /** The engine process (desktop) is restarting after a crash, ready again, or stopped for good. */
  engineState: { state: 'restarting' | 'ready' | 'stopped'; reason: string | null };
  /** A menu item or global shortcut of the desktop shell; `paths` carries what its dialog chose. */
  menuCommand: { command: MenuCommand; paths?: string[] };
}

export const MENU_COMMANDS = [
  'focus-search',
  'command-palette',
  'import-files',
  'view-search',
  'view-similar',
  'view-patterns',
  'view-imports',
  'view-settings',
  /** A model folder chosen in the desktop dialog (`paths[0]`): install it. */
  'install-model-folder',
  'download-model',
  'reindex',
  'cancel-reindex',
  /** A database file chosen in the desktop dialog (`paths[0]`): switch to it. */
  'use-database',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];
export type ApiEvent = keyof ApiEvents;
/** Every event, listed once: a record keyed by event name, so that adding one without listing it is a type error. */
const EVENT_NAMES: { readonly [E in ApiEvent]: true } = {
  importProgress: true,
  importDone: true,
  indexProgress: true,
  indexDone: true,
  modelProgress: true,
  engineState: true,
  menuCommand: true,
};
export const API_EVENTS = Object.keys(EVENT_NAMES) as ApiEvent[];

/** What the page gets as `window.hindsight` (desktop) or builds over HTTP (browser mode). */
export type HindsightApi = { [M in ApiMethod]: (input: ApiInput<M>) => Promise<ApiResults[M]> } & {
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

/** IPC channel of a method or event: the one place channel strings are made. */
export const channelOf = (name: ApiMethod | ApiEvent): string => `hindsight:${name}`;

/** A call's answer as it crosses a process or network boundary. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ContractError };
