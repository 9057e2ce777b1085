/**
 * Incident records, built and kept current as records arrive, change or go. Each record's fields
 * are extracted once (at import); records of one event are grouped into one incident by the links
 * between them; the incident's fields are merged from its records'; incidents that cite each other
 * stay apart and are linked ("recurrence of", "related to").
 *
 * The work per record is bounded: only the neighbourhood of what changed is regrouped (its
 * incident, the records it links to, and theirs, up to NEIGHBOURHOOD records).
 */
import type { Worker } from 'node:worker_threads';
import { HindsightError } from '../common/errors.js';
import { spawnWorker } from '../common/spawn-worker.js';
import type { DocumentKind, IncidentFields, IncidentRecordRole } from '../contract.js';
import { normaliseKey } from '../entities/extract.js';
import { PROBLEM_RELATION } from '../entities/refs.js';
import { EMPTY_FIELDS } from './empty.js';
import type { DocumentSummary, IncidentFacet, IncidentMember, IncidentPlan, IncidentWrite, Store } from '../store/store.js';
import { extractRecordFields } from './extract.js';
import { incidentDurations, mergeIncidentFields, type ExtractedRecord } from './merge.js';
import { personKey } from './people.js';
import { resolveTaxonomy, type Taxonomy, type TaxonomySource } from './taxonomy.js';
import type { IncidentRecord } from './types.js';

/** Bump when extraction changes: stored fields of an older version are extracted again. */
export const EXTRACTION_VERSION = 3;

/**
 * Linked records of different kinds (the page, the ticket, the thread of one incident) start
 * within hours of each other; a record that cites another days later is about another event.
 */
export const SAME_EVENT_HOURS = 36;
const NEIGHBOURHOOD = 400;
/** The edge between two tickets that cite one problem record (see citingSame). */
const SAME_PROBLEM = 'same problem';
/** Records regrouped together during an import. */
const BATCH = 64;
/** Batches at least this large are extracted in the worker thread (starting it costs more than a few records). */
const WORKER_FROM = 16;
const KIND_RANK: Record<DocumentKind, number> = { postmortem: 0, ticket: 1, 'slack-thread': 2 };
/** How much each role says about knowing an incident (experts, facets). */
export const ROLE_WEIGHT: Record<string, number> = { lead: 3, resolver: 3, author: 2, reporter: 1, participant: 1 };

interface Edge {
  a: number;
  b: number;
  relation: string;
}

export class IncidentBuilder {
  constructor(
    private readonly store: Store,
    /** Read when a label or an extraction needs it (the engine parses its files on first use). */
    private readonly taxonomySource: TaxonomySource,
  ) {}

  private get taxonomy(): Taxonomy {
    return resolveTaxonomy(this.taxonomySource);
  }

  /** The label a person reads for a failure-mode id. */
  labelOf(id: string): string {
    return this.taxonomy.modes.find((m) => m.id === id)?.label ?? id;
  }

  private pending: number[] = [];
  /** Batches being built, one after the other, while the import goes on. */
  private building: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private extractor: WorkerExtractor | null = null;

  /**
   * A record was written during an import: it joins its incident with the next batch. A full
   * batch is built in the background — its fields extracted in a worker thread — while the import
   * reads and writes the next records; `settle()` waits for all of it. At most one batch is built
   * behind the import: when the next one is full the import waits for the one before it, so the
   * incidents never lag far behind the records (a cancelled import settles in one batch's time).
   */
  async recordWritten(documentId: number): Promise<void> {
    this.pending.push(documentId);
    if (this.pending.length >= BATCH) await this.schedule();
  }

  /** Queues the pending records as a batch; resolves when the batch before it is built. */
  private schedule(): Promise<void> {
    const batch = [...new Set(this.pending.splice(0))];
    const before = this.building;
    if (!batch.length) return before;
    this.building = before.then(() => this.recordsWritten(batch)).catch((err: unknown) => void (this.failure ??= err));
    return before;
  }

  /** Brings the incidents of the records written so far up to date. */
  async flush(): Promise<void> {
    void this.schedule();
    await this.building;
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure;
  }

  /** Records were written (added or changed): extract their fields and regroup around them. */
  async recordsWritten(documentIds: number[]): Promise<void> {
    if (!documentIds.length) return;
    const records = await this.recordsOf(documentIds);
    // In this thread while the worker starts (a first batch, a cancel right after the start).
    const inThread = () => records.map((r) => extractRecordFields(r, this.taxonomy));
    const useWorker = records.length >= WORKER_FROM && this.worker().isReady;
    // The worker only saves time: if it stops, this batch and the next are extracted here, and an
    // error of extraction itself then shows from this thread.
    const extracted = useWorker ? await this.worker().extract(records).catch(inThread) : inThread();
    const fields = new Map(records.map((r, i) => [r.documentId, extracted[i]!]));
    const plan = await this.regroup(documentIds, fields);
    plan.recordFields = [...fields].map(([documentId, f]) => ({ documentId, version: EXTRACTION_VERSION, fields: f }));
    plan.alerts = records.map((r) => ({ documentId: r.documentId, keys: isPage(r) ? alertKeys(r.title) : [], at: r.occurredAt }));
    // Alerts first: the regroup of the next record finds this page by them.
    await this.store.incidents.apply(plan);
    if (plan.alerts.some((a) => a.keys.length)) await this.store.incidents.apply(await this.regroup(documentIds, new Map()));
  }

  /** Starts the extraction worker ahead of an import, so that its start overlaps the first reads. */
  warmUp(): void {
    this.worker();
  }

  private worker(): WorkerExtractor {
    this.extractor ??= new WorkerExtractor(this.taxonomy.sources.slice(1));
    return this.extractor;
  }

  /** Ends the extraction worker, if one was started. */
  async close(): Promise<void> {
    await this.building.catch(() => {});
    await this.extractor?.close();
    this.extractor = null;
  }

  /** Brings everything up to date: the batch written so far, and what deletions left dirty. */
  async settle(): Promise<void> {
    await this.flush();
    await this.settleRemovals();
  }

  /**
   * Rebuilds the incidents that lost records (a source no longer yields one, a deleted source),
   * leaving the current batch to be flushed with its own.
   */
  async settleRemovals(): Promise<void> {
    for (;;) {
      const dirty = await this.store.incidents.dirty(200);
      if (!dirty.length) return;
      const members = await this.store.incidents.membersOf(dirty);
      // A lost record may have been the link between the others: regroup what is left.
      await this.store.incidents.apply(await this.regroup([...members.values()].flat().map((m) => m.documentId), new Map()));
    }
  }

  /**
   * Records without fields, or with fields of an older extraction (a database from before
   * incidents existed, an upgrade): extracted and grouped, a batch at a time.
   */
  async backfill(onProgress?: (done: number) => void): Promise<number> {
    let done = 0;
    for (;;) {
      const batch = await this.store.incidents.recordsToExtract(EXTRACTION_VERSION, 200);
      if (!batch.length) break;
      await this.recordsWritten(batch);
      done += batch.length;
      onProgress?.(done);
    }
    await this.settle();
    return done;
  }

  /** What extraction reads of stored records: the same whether they were imported now or long ago. */
  private async recordsOf(documentIds: number[]): Promise<IncidentRecord[]> {
    const out: IncidentRecord[] = [];
    const entities = await this.store.entities.ofDocuments(documentIds, ['person', 'service']);
    const refs = await this.store.links.refsOf(documentIds);
    for (const id of documentIds) {
      const d = await this.store.documents.withBody(id);
      if (!d) continue;
      const own = entities.filter((e) => e.documentId === id && e.fromField);
      out.push({
        documentId: id,
        kind: d.kind,
        format: d.format,
        title: d.title,
        body: d.body,
        occurredAt: d.occurredAt,
        resolvedAt: d.resolvedAt,
        severity: d.severity,
        status: d.status,
        metadata: d.metadata,
        fieldPeople: own.filter((e) => e.type === 'person').map((e) => e.name),
        fieldServices: own.filter((e) => e.type === 'service').map((e) => e.name),
        refs: refs.get(id) ?? [],
      });
    }
    return out;
  }

  /**
   * The groups of the records around `seeds`: walks the links from them (and the incidents they
   * are in) two steps out, joins records that belong to one event, and keeps incident ids where
   * most of an incident's records stay together. `fresh` holds fields not stored yet.
   */
  private async regroup(seeds: number[], fresh: Map<number, IncidentFields>): Promise<IncidentPlan> {
    const visited = new Set<number>();
    const edges: Edge[] = [];
    let frontier = [...new Set(seeds)];
    for (let depth = 0; frontier.length && depth < 3; depth++) {
      for (const d of frontier) visited.add(d);
      const next = new Set<number>();
      const edgesHere: Edge[] = (await this.store.links.neighbours(frontier)).map((l) => ({ a: l.from, b: l.to, relation: l.relation }));
      // A page and the records that name its alert within hours of it: the same event, unlinked.
      for (const m of await this.store.incidents.alertMatches(frontier, SAME_EVENT_HOURS)) edgesHere.push({ a: m.page, b: m.other, relation: 'same alert' });
      // Tickets citing one problem record within hours of each other: one event, reported many times.
      for (const m of await this.store.links.citingSame(frontier, PROBLEM_RELATION, SAME_EVENT_HOURS)) edgesHere.push({ a: m.a, b: m.b, relation: SAME_PROBLEM });
      edges.push(...edgesHere);
      if (depth === 2) break; // the last ring's edges are known, so their links to farther incidents are kept
      for (const e of edgesHere) for (const d of [e.a, e.b]) if (!visited.has(d)) next.add(d);
      // The records' current incidents: a regroup can split them as well as join them.
      const current = await this.store.incidents.ofDocuments(frontier);
      for (const list of (await this.store.incidents.membersOf([...new Set(current.values())])).values()) for (const m of list) if (!visited.has(m.documentId)) next.add(m.documentId);
      frontier = [...next].slice(0, Math.max(0, NEIGHBOURHOOD - visited.size));
    }
    const ids = [...visited];
    const info = await this.store.documents.summaries(ids);
    const stored = await this.store.incidents.recordFields(ids.filter((d) => !fresh.has(d)));
    const fieldsOf = (d: number) => fresh.get(d) ?? stored.get(d);
    const refs = await this.store.links.refsOf(ids);
    const incidentOf = await this.store.incidents.ofDocuments([...new Set(edges.flatMap((e) => [e.a, e.b]).concat(ids))]);

    // Union of records that are one event; follow-up tickets join the incident that raised them.
    // An incident never holds two write-ups, and its records (follow-ups aside) span at most a
    // few days: a chain of links (a postmortem, its ticket, a later ticket, a later postmortem)
    // does not make two events one. Closest records are joined first.
    const parent = new Map<number, number>(ids.map((d) => [d, d]));
    const find = (x: number): number => {
      let r = x;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    const followUps = new Set<number>();
    const span = new Map<number, { postmortems: number; first: number; last: number }>();
    const spanOf = (d: number) => {
      const r = find(d);
      let sp = span.get(r);
      if (!sp) {
        const i = info.get(d);
        const at = i?.occurredAt ? Date.parse(i.occurredAt) : NaN;
        sp = { postmortems: i?.kind === 'postmortem' ? 1 : 0, first: at, last: at };
        span.set(r, sp);
      }
      return sp;
    };
    const union = (a: number, b: number, followUp: boolean): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra === rb) return;
      const sa = spanOf(a);
      const sb = spanOf(b);
      if (sa.postmortems && sb.postmortems) return;
      const first = Math.min(sa.first, sb.first);
      const last = Math.max(sa.last, sb.last);
      if (!followUp && Number.isFinite(first) && Number.isFinite(last) && last - first > 2 * SAME_EVENT_HOURS * 3_600_000) return;
      parent.set(rb, ra);
      span.set(ra, followUp ? sa : { postmortems: sa.postmortems + sb.postmortems, first: Number.isFinite(first) ? first : NaN, last: Number.isFinite(last) ? last : NaN });
    };
    const gap = (e: Edge) => {
      const a = info.get(e.a)?.occurredAt;
      const b = info.get(e.b)?.occurredAt;
      return a && b ? Math.abs(Date.parse(a) - Date.parse(b)) : Number.MAX_SAFE_INTEGER;
    };
    for (const e of [...edges].sort((x, y) => gap(x) - gap(y))) {
      const a = info.get(e.a);
      const b = info.get(e.b);
      if (!a || !b || e.a === e.b || !visited.has(e.a) || !visited.has(e.b)) continue;
      // A ticket the other record's action items name is its follow-up, whenever it was filed.
      if (isFollowUp(b, refs.get(e.b), fieldsOf(e.a))) {
        followUps.add(e.b);
        union(e.a, e.b, true);
      } else if (isFollowUp(a, refs.get(e.a), fieldsOf(e.b))) {
        followUps.add(e.a);
        union(e.b, e.a, true);
      } else if (sameEvent(a, b, e.relation)) {
        union(e.a, e.b, false);
      }
    }
    const components = new Map<number, number[]>();
    for (const d of ids) {
      if (!info.has(d)) continue;
      const r = find(d);
      components.set(r, [...(components.get(r) ?? []), d]);
    }

    // Each component keeps the incident id most of its records had (once per id).
    const claimed = new Set<number>();
    const groupOf = new Map<number, number>();
    const groups: IncidentPlan['groups'] = [...components.values()]
      .sort((x, y) => y.length - x.length)
      .map((members, gi) => {
        for (const d of members) groupOf.set(d, gi);
        const votes = new Map<number, number>();
        for (const d of members) {
          const i = incidentOf.get(d);
          if (i !== undefined && !claimed.has(i)) votes.set(i, (votes.get(i) ?? 0) + 1);
        }
        const keep = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? null;
        if (keep !== null) claimed.add(keep);
        const primary = [...members].filter((d) => !followUps.has(d)).sort((x, y) => KIND_RANK[info.get(x)!.kind] - KIND_RANK[info.get(y)!.kind] || x - y)[0] ?? members[0]!;
        const role = (d: number): IncidentRecordRole => (d === primary ? 'primary' : followUps.has(d) ? 'follow-up' : 'record');
        const list = members.map((d): IncidentMember => ({ documentId: d, role: role(d) }));
        return { keep, members: list, incident: this.merge(list, info, fieldsOf, refs), links: [] };
      });

    // Incidents whose records cite each other's: the later is a "recurrence of" the earlier when
    // they share a failure mode or a mechanism, else "related to". Kept on the later incident.
    const outside = [...new Set(edges.flatMap((e) => [e.a, e.b]).filter((d) => !groupOf.has(d)).map((d) => incidentOf.get(d)).filter((i): i is number => i !== undefined))];
    const outsideRows = await this.store.incidents.get(outside);
    type Side = { to: { group: number } | { incident: number }; startedAt: string; fields: IncidentFields; key: string };
    const sideOf = (d: number): Side | null => {
      const g = groupOf.get(d);
      if (g !== undefined) return { to: { group: g }, startedAt: groups[g]!.incident.startedAt ?? '', fields: groups[g]!.incident.fields, key: `g${g}` };
      const i = incidentOf.get(d);
      const row = i === undefined ? undefined : outsideRows.get(i);
      return row ? { to: { incident: row.id }, startedAt: row.startedAt ?? '', fields: row.fields, key: `i${row.id}` } : null;
    };
    const seenPairs = new Set<string>();
    for (const e of edges) {
      const x = sideOf(e.a);
      const y = sideOf(e.b);
      if (!x || !y || x.key === y.key) continue;
      const [later, earlier] = x.startedAt > y.startedAt || (x.startedAt === y.startedAt && x.key > y.key) ? [x, y] : [y, x];
      if (!('group' in later.to) || seenPairs.has(`${later.key}>${earlier.key}`)) continue;
      seenPairs.add(`${later.key}>${earlier.key}`);
      const modes = new Set(earlier.fields.failureModes.map((m) => m.value));
      const mech = new Set(earlier.fields.mechanism.map((m) => m.toLowerCase()));
      const recurring = later.fields.failureModes.some((m) => modes.has(m.value)) || later.fields.mechanism.some((m) => mech.has(m.toLowerCase()));
      groups[later.to.group]!.links.push({ to: earlier.to, relation: recurring ? 'recurrence of' : 'related to' });
    }
    return { recordFields: [], alerts: [], groups };
  }

  /** One incident's fields from its records', with its facets and times. */
  private merge(
    list: IncidentMember[],
    info: Map<number, DocumentSummary>,
    fieldsOf: (d: number) => IncidentFields | undefined,
    refs: Map<number, string[]>,
  ): IncidentWrite {
    const records: ExtractedRecord[] = list.flatMap((m) => {
      const d = info.get(m.documentId);
      const f = fieldsOf(m.documentId);
      if (!d || !f) return [];
      // A follow-up ticket gives its action item a status; its own story and times are not the incident's.
      const own = m.role === 'follow-up' ? { ...f, title: null, symptom: null, trigger: null, rootCause: null, mitigation: null, startedAt: null, detectedAt: null, mitigatedAt: null, resolvedAt: null } : f;
      return [{ record: { documentId: d.id, kind: d.kind, status: d.status, resolvedAt: d.resolvedAt, refs: refs.get(d.id) ?? [] }, fields: own }];
    });
    const primary = list.find((m) => m.role === 'primary') ?? list[0]!;
    const merged = records.length ? mergeIncidentFields(records) : EMPTY_FIELDS;
    const dated = list.filter((m) => m.role !== 'follow-up').map((m) => info.get(m.documentId)?.occurredAt).filter((x): x is string => !!x).sort();
    const startedAt = merged.startedAt?.value ?? dated[0] ?? null;
    const resolvedAt = merged.resolvedAt?.value ?? info.get(primary.documentId)?.resolvedAt ?? null;
    const at = (value: string | null, s: IncidentFields['startedAt']) => (value ? { value, from: s?.from ?? { documentId: primary.documentId, section: null } } : null);
    // A record's date without a time of day ("date: 2024-09-18") dates the incident but is no start
    // to count minutes from (it read 605 minutes to detect from midnight).
    const durationStart = merged.startedAt ?? (dated[0] && !isDayOnly(dated[0]) ? at(dated[0], null) : null);
    const { timeToDetectMinutes, timeToResolveMinutes } = incidentDurations({ startedAt: durationStart, detectedAt: merged.detectedAt, resolvedAt: at(resolvedAt, merged.resolvedAt) });
    return {
      title: merged.title?.value ?? info.get(primary.documentId)?.title ?? 'Untitled incident',
      primaryDocumentId: primary.documentId,
      startedAt,
      detectedAt: merged.detectedAt?.value ?? null,
      mitigatedAt: merged.mitigatedAt?.value ?? null,
      resolvedAt,
      severity: merged.severity?.value ?? info.get(primary.documentId)?.severity ?? null,
      minutesToDetect: timeToDetectMinutes,
      minutesToResolve: timeToResolveMinutes,
      fields: merged,
      facets: this.facets(merged),
    };
  }

  private facets(f: IncidentFields): IncidentFacet[] {
    const out: IncidentFacet[] = [];
    for (const m of f.failureModes) out.push({ facet: 'failure-mode', key: m.value, label: this.labelOf(m.value), role: '', weight: m.score });
    for (const s of f.services) out.push({ facet: 'service', key: normaliseKey('service', s.value), label: s.value, role: '', weight: 1 });
    for (const m of f.mechanism) out.push({ facet: 'mechanism', key: m.toLowerCase(), label: m, role: '', weight: 1 });
    for (const p of f.people) {
      const key = personKey(p.value.name);
      if (key) out.push({ facet: 'person', key, label: p.value.name, role: p.value.role, weight: ROLE_WEIGHT[p.value.role] ?? 1 });
    }
    return out;
  }
}

/** A page: an alerting system's incident (PagerDuty, Opsgenie), raised for an alert. */
function isPage(r: Pick<IncidentRecord, 'kind' | 'format' | 'metadata'>): boolean {
  const system = String(r.metadata.system ?? r.format);
  return r.kind === 'ticket' && /pagerduty|opsgenie/i.test(system);
}

/**
 * How other records name a page's alert: its distinctive identifiers (KafkaConsumerLagHigh,
 * disk_usage_critical, node.filesystem.full), and the alert's title itself ("Partner API TLS
 * handshake failures"), which chat integrations post verbatim.
 */
export function alertKeys(title: string): string[] {
  const bare = title.replace(/^\s*(?:PD-\d+|#?\d+|[A-Z]+-\d+)\s*[:\-–]\s*/, '').trim();
  const identifiers = bare.match(/\b(?:[A-Z][a-z0-9]+){2,}[A-Z]?[a-z0-9]*\b|\b[a-z0-9]+(?:[_.][a-z0-9]+){2,}\b/g) ?? [];
  // Write-ups name the page by its number: "paged as PagerDuty incident #3107", "PD #3301".
  const number = /^\s*(?:PD-|#)(\d{2,})\b/.exec(title)?.[1];
  const byNumber = number ? [`incident #${number}`, `pagerduty #${number}`, `pd #${number}`] : [];
  return [...identifiers, ...(bare.split(/\s+/).length >= 3 ? [bare] : []), ...byNumber];
}

/** Two linked records are one event: different kinds (or trackers), close in time, never two write-ups. */
export function sameEvent(a: DocumentSummary, b: DocumentSummary, relation: string): boolean {
  if (a.kind === 'postmortem' && b.kind === 'postmortem') return false;
  if (a.occurredAt && b.occurredAt && Math.abs(Date.parse(a.occurredAt) - Date.parse(b.occurredAt)) > SAME_EVENT_HOURS * 3_600_000) return false;
  if (a.kind !== b.kind) return true;
  if (a.kind === 'ticket') return (a.metadata.system ?? a.format) !== (b.metadata.system ?? b.format) || /duplicat/i.test(relation) || relation === SAME_PROBLEM;
  return true; // two chat threads linked within hours: the same event discussed in two places
}

/** A ticket the other record's action items name is one of its follow-ups, however much later it was filed. */
function isFollowUp(ticket: DocumentSummary, ticketRefs: string[] | undefined, other: IncidentFields | undefined): boolean {
  if (ticket.kind !== 'ticket' || !other || !ticketRefs?.length) return false;
  const own = new Set(ticketRefs.map((r) => r.toLowerCase()));
  return other.actionItems.some((i) => i.value.ticket !== null && own.has(i.value.ticket.toLowerCase()));
}

/** Extraction in a worker thread: batches in, fields out, in order. */
class WorkerExtractor {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  isReady = false;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (f: IncidentFields[]) => void; reject: (e: Error) => void }>();

  constructor(taxonomyFiles: string[]) {
    this.worker = spawnWorker('incidents/extract-worker', { taxonomyFiles });
    // A worker that dies fails what it was doing, never leaves it waiting.
    const failAll = (err: Error) => {
      this.isReady = false;
      for (const w of this.waiting.values()) w.reject(new HindsightError('internal', `Incident extraction stopped: ${err.message}`));
      this.waiting.clear();
    };
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m: { ready?: true; id?: number; fields?: IncidentFields[]; error?: string }) => {
        if (m.ready) {
          this.isReady = true;
          return resolve();
        }
        const w = this.waiting.get(m.id!);
        if (!w) return;
        this.waiting.delete(m.id!);
        if (m.error) w.reject(new HindsightError('internal', `Incident extraction failed: ${m.error}`));
        else w.resolve(m.fields!);
      });
    });
    // A worker that fails to start leaves `isReady` false, so extraction stays in this thread;
    // nothing else awaits `ready` then, and its rejection must not end the process.
    this.ready.catch(() => {});
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => failAll(new Error(`exit code ${code}`)));
  }

  async extract(records: IncidentRecord[]): Promise<IncidentFields[]> {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, records });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** A date stored without its time of day: midnight UTC exactly, or no time at all. */
function isDayOnly(iso: string): boolean {
  return /^\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?Z)?$/.test(iso);
}
