import { open } from 'node:fs/promises';
import { chunkMarkdown, type Chunk } from '../chunk/chunker.js';
import { breathe } from '../common/breathe.js';
import { HindsightError, toContractError } from '../common/errors.js';
import { sha256 } from '../common/hash.js';
import type { ImportFileError, ImportPreview, ImportProgress, ImportSummary } from '../contract.js';
import type { DocumentWrite, Store, WriteResult } from '../store/store.js';
import { extractEntities } from '../entities/extract.js';
import { analyseDocument } from '../rank/analyse.js';
import { ref, refsFromUrl } from '../entities/refs.js';
import type { ParsedDocument } from './parsed-document.js';
import { folderTree, zipTree } from './file-tree.js';
import { detectFormat } from './detect-format.js';
import { NotImportable, readSource, type SourceOptions } from './read-source.js';
import { isSlackExport, SlackExport } from './slack/slack-export.js';
import type { CsvMap } from './tickets/csv-tickets.js';
import { walkPaths } from './walk.js';
import { WriteBatch, writeBatchLimits, type WriteBatchLimits } from './write-batch.js';

/** Bump when parsing or chunking changes, so that a re-import rewrites what it produces. */
export const PIPELINE_VERSION = 3;

export interface ImportContext {
  store: Store;
  /** The import's row, created when it was queued. */
  importId: number;
  /** Embeds passages; null when no model is installed (lexical only). */
  embedPassages: ((texts: string[]) => Promise<Float32Array[]>) | null;
  /** False: no term statistics are computed (the benchmark's floor: an import as before them). */
  analyse?: boolean;
  /** Called after each document write (the engine keeps the vector index in step). */
  onWritten?: (result: WriteResult, vectors: Float32Array[] | null) => void;
  /** Called after documents are removed (their passages are gone). */
  onRemoved?: (chunkIds: number[]) => void;
  /** Awaited after each document write, before the next one (incident records are kept current here). */
  afterWrite?: (result: WriteResult) => Promise<void>;
  /** Awaited after a source was read to its end and what it no longer yields was removed. */
  afterSource?: () => Promise<void>;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
  /** How many documents are committed together (write-batch.ts); the default unless a test says. */
  writeBatch?: WriteBatchLimits;
  /** Slack channel names or globs to import. */
  channels?: string[];
  csvMap?: CsvMap;
  /**
   * How a file is named to the user and in the store, when not by its path: files dropped into
   * browser mode are read from a temporary upload folder but keep the names they were dropped with.
   */
  relabel?: (path: string) => string;
}

/** The text a passage is embedded as: its document title gives it context. */
export function passageText(title: string, chunk: Pick<Chunk, 'text'>): string {
  return `${title}\n\n${chunk.text}`;
}

/**
 * Imports files and folders. Each file is parsed on its own; a file (or a record inside one) that
 * fails is recorded with a readable error and the import goes on. Documents are written whole,
 * many small ones to a transaction (write-batch.ts), and an unchanged document (same content hash)
 * is left alone. Cancelling stops between documents: what was committed stays, what waited for
 * its batch is dropped, and the summary says how far it got.
 */
export async function importPaths(ctx: ImportContext, paths: string[]): Promise<ImportSummary> {
  const started = performance.now();
  const { store, importId } = ctx;
  const summary: ImportSummary = {
    importId,
    status: 'done',
    filesTotal: 0,
    filesSeen: 0,
    filesFailed: 0,
    documentsAdded: 0,
    documentsUpdated: 0,
    documentsUnchanged: 0,
    documentsDuplicate: 0,
    chunksWritten: 0,
    chunksEmbedded: 0,
    semantic: ctx.embedPassages !== null,
    skipped: [],
    byFormat: {},
    errors: [],
    durationMs: 0,
  };
  let lastProgress = 0;
  let currentRecords = 0;
  const progress = (phase: ImportProgress['phase'], currentFile: string | null, everyDocument = false) => {
    // Per-document updates of a big export are sent at most ten times a second.
    const now = performance.now();
    if (everyDocument && now - lastProgress < 100) return;
    lastProgress = now;
    const elapsed = (now - started) / 1000;
    const done = summary.filesSeen;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const filesTotal = summary.filesTotal;
    ctx.onProgress?.({
      importId,
      phase,
      filesTotal,
      filesDone: done,
      filesFailed: summary.filesFailed,
      documents: summary.documentsAdded + summary.documentsUpdated + summary.documentsUnchanged,
      chunksEmbedded: summary.chunksEmbedded,
      currentFile: currentFile === null ? null : shown(currentFile),
      currentRecords,
      rate,
      etaSeconds: rate > 0 && filesTotal > done ? (filesTotal - done) / rate : phase === 'done' ? 0 : null,
    });
  };
  const shown = ctx.relabel ? relabelText(ctx.relabel) : (s: string) => s;
  const fail = async (raw: ImportFileError) => {
    const e = { ...raw, source: shown(raw.source), message: shown(raw.message) };
    summary.errors.push(e);
    await store.imports.addIssue(importId, { outcome: 'failed', ...e });
  };
  const skip = async (path: string, why: string) => {
    const source = shown(path);
    // Messages name their file ("x.json is JSON but…"); beside the file's name the reason alone reads better.
    const reason = shown(why.startsWith(path) ? why.slice(path.length).replace(/^(:\s*|\s+is\s+|\s+)/, '') : why);
    summary.skipped.push({ source, reason });
    await store.imports.addIssue(importId, { outcome: 'skipped', source, code: 'unsupported', message: reason });
  };
  // Problems inside a multi-record source are reported as they happen and must not be lost.
  const pendingReports: Array<Promise<void>> = [];

  const written = new Set<string>();
  /** Which file and record a waiting write came from, for its failure. */
  type Tag = { file: string; record: number; key: string | null; format: string };
  const batch = new WriteBatch<Tag>(store, {
    committed: async ({ write, tag }, result) => {
      ctx.onWritten?.(result, write.vectors);
      await ctx.afterWrite?.(result);
      summary.chunksWritten += write.chunks.length;
      if (write.vectors) summary.chunksEmbedded += write.vectors.length;
      if (result.status === 'added') summary.documentsAdded++;
      else summary.documentsUpdated++;
      summary.byFormat[tag.format] = (summary.byFormat[tag.format] ?? 0) + 1;
    },
    failed: async ({ write, tag }, err) => {
      const record = `${tag.record}${tag.key ? ` (${tag.key})` : ''}`;
      const e = toContractError(err);
      await fail({ source: tag.file, code: 'internal', reason: 'record-write', record, message: `${tag.file} record ${record} (${write.doc.title}) could not be written: ${e.message.replace(/^Internal error: /, '')}` });
    },
  }, ctx.writeBatch ?? writeBatchLimits());
  try {
    progress('scanning', null);
    const walked = await walkPaths(paths);
    for (const e of walked.errors) await fail(e);
    for (const s of walked.skipped) await skip(s.source, s.reason);
    // A path that could not be walked counts as a file seen and failed ("0/1 files"), not as nothing.
    summary.filesFailed += walked.errors.length;
    summary.filesSeen += walked.errors.length;
    summary.filesTotal = walked.files.length + walked.errors.length;
    await store.imports.start(importId, summary.filesTotal);
    /** Whether any source of the batch had channels for --channels to choose from. */
    let channelSource = false;
    /** Whether some Slack export of the batch had a channel --channels took. */
    let channelMatched = false;
    /**
     * Slack exports none of whose channels --channels took. They are an error only when no export
     * of the batch matched (the filter then selected nothing); otherwise they are skipped, with the
     * channels they have, since picking some exports of a batch by channel is what the filter is for.
     */
    const unmatched: Array<{ path: string; channels: string }> = [];
    for (const file of walked.files) {
      await breathe();
      if (ctx.signal?.aborted) break;
      currentRecords = 0;
      /** Set while this source's first pass reports rows scanned in currentRecords; its documents count from 0. */
      let scanning = false;
      progress('importing', file.path);
      const options: SourceOptions = {
        channels: ctx.channels,
        csvMap: ctx.csvMap,
        report: (e) => void pendingReports.push(fail(e)),
        // A first pass over an export yields no document for a while (11 s for 100k audit-log rows): say how far it got.
        onScan: (records) => {
          scanning = true;
          currentRecords = records;
          progress('scanning', file.path, true);
          return !ctx.signal?.aborted;
        },
        skip: (source, reason) => void pendingReports.push(skip(source, reason)),
      };
      let source;
      try {
        source = await readSource(file, options);
        const uids = new Set<string>();
        let completed = false;
        let readFailure: { err: unknown } | null = null;
        try {
          for await (const doc of source.documents) {
            if (ctx.signal?.aborted) break;
            if (scanning) {
              scanning = false;
              currentRecords = 0;
            }
            currentRecords++;
            if (ctx.relabel) relabelDocument(doc, ctx.relabel);
            if (written.has(doc.uid)) {
              // Idempotence: the same record in two files of one import is taken once, from the first.
              summary.documentsDuplicate++;
              continue;
            }
            written.add(doc.uid);
            uids.add(doc.uid);
            const w = await prepareDocument(ctx, doc, file.path, summary);
            if (w) await batch.add(w, { file: file.path, record: currentRecords, key: doc.externalId, format: source.format });
            else summary.byFormat[source.format] = (summary.byFormat[source.format] ?? 0) + 1;
            progress('importing', file.path, true);
            await breathe();
          }
          completed = !ctx.signal?.aborted;
        } catch (err) {
          readFailure = { err };
        } finally {
          source.close();
        }
        // What was read before the source ended or failed is written, as when each document was
        // committed on its own; a cancel stops at once, keeping what was committed.
        if (ctx.signal?.aborted) batch.discard();
        else await batch.flush();
        if (readFailure) throw readFailure.err;
        // Only a source read to the end may retire documents it no longer yields; a
        // channel selection reads part of an export, so nothing is retired then either.
        if (completed && !ctx.channels?.length) {
          const removed = await store.documents.removeVanished(file.path, uids);
          if (removed.length) ctx.onRemoved?.(removed);
        }
        await ctx.afterSource?.();
        if (source.channels) channelSource = true;
        if (source.channels?.some((c) => c.selected)) channelMatched = true;
        if (completed && ctx.channels?.length && source.channels && !source.channels.some((c) => c.selected)) {
          unmatched.push({ path: file.path, channels: `${source.channels.slice(0, 12).map((c) => `#${c.name}`).join(', ')}${source.channels.length > 12 ? ', …' : ''}` });
        }
      } catch (err) {
        if (err instanceof NotImportable && file.root !== file.path) {
          await skip(file.path, err.message);
        } else {
          summary.filesFailed++;
          const e = toContractError(err);
          await fail({ source: file.path, code: e.code, ...(e.reason ? { reason: e.reason } : {}), message: err instanceof HindsightError ? e.message : `${file.path} could not be imported: ${e.message}` });
        }
      }
      await Promise.all(pendingReports.splice(0));
      if (!ctx.signal?.aborted || (currentRecords > 0 && !scanning)) summary.filesSeen++;
    }
    const filter = ctx.channels?.join(', ') ?? '';
    // A cancelled import may not have reached the export that would have matched: say nothing then.
    for (const u of ctx.signal?.aborted && !channelMatched ? [] : unmatched) {
      if (channelMatched) {
        await skip(u.path, `no channel matches ${filter} (its channels are ${u.channels}); another Slack export of the batch had one`);
      } else {
        summary.filesFailed++;
        await fail({ source: u.path, code: 'not-found', reason: 'no-channel', message: `No channel of the Slack export ${u.path} matches ${filter}; its channels are ${u.channels}.` });
      }
    }
    // A channel filter over a batch with no Slack export matched nothing: say so rather than
    // import the rest as if the filter had been met (the CLI then exits "partial").
    if (ctx.channels?.length && !channelSource && !ctx.signal?.aborted) {
      await fail({
        source: paths.join(', '),
        code: 'not-found',
        reason: 'no-channel',
        message: `--channels ${ctx.channels.join(', ')} matched nothing: no Slack export was among ${paths.length === 1 ? paths[0] : `the ${paths.length} paths imported`}.`,
      });
    }
    if (ctx.signal?.aborted) summary.status = 'cancelled';
    progress('done', null);
  } catch (err) {
    summary.status = 'failed';
    throw err;
  } finally {
    await Promise.all(pendingReports.splice(0));
    summary.durationMs = Math.round(performance.now() - started);
    await store.imports.finish(importId, summary);
  }
  return summary;
}

/** Everything a document's write needs, computed outside the transaction; null when it is unchanged. */
async function prepareDocument(ctx: ImportContext, doc: ParsedDocument, origin: string, summary: ImportSummary): Promise<DocumentWrite | null> {
  const contentHash = sha256(JSON.stringify([PIPELINE_VERSION, doc]));
  const existing = await ctx.store.documents.findByUid(doc.uid);
  if (existing?.contentHash === contentHash) {
    summary.documentsUnchanged++;
    return null;
  }
  const chunks = chunkMarkdown(doc.body);
  // Embedding happens before the write transaction: the model is slow, the write is not.
  const vectors = ctx.embedPassages ? await ctx.embedPassages(chunks.map((c) => passageText(doc.title, c))) : null;
  const { entities, refs, links } = relations(doc);
  // Term statistics for ranking, like the vectors, are computed before the write transaction.
  const analysis = ctx.analyse === false ? null : analyseDocument({ id: 0, title: doc.title, passages: chunks.map((c, i) => ({ id: i, heading: c.heading, text: c.text })) });
  return { doc, origin, contentHash, chunks, vectors, importId: ctx.importId, entities, refs, links, analysis };
}

/** Replaces every path the relabelling knows inside a text (messages name their files). */
function relabelText(relabel: (path: string) => string): (s: string) => string {
  return (s) => s.replace(/(?:[A-Za-z]:)?[\\/][^\s"'`]+/g, (p) => relabel(p));
}

/** A dropped file's document is named, and identified, by the name it was dropped with. */
function relabelDocument(doc: ParsedDocument, relabel: (path: string) => string): void {
  const source = relabel(doc.source);
  if (source === doc.source) return;
  if (doc.uid === `file:${sha256(doc.source).slice(0, 32)}`) doc.uid = `file:${sha256(source).slice(0, 32)}`;
  doc.source = source;
}

/** Entities, the references a document answers to, and the links it makes. */
function relations(doc: ParsedDocument) {
  const entities = extractEntities(`${doc.title}\n${doc.body}`, doc.fields);
  const refs = new Set([...doc.refs, ...(doc.url ? refsFromUrl(doc.url) : [])]);
  const links = new Map<string, { target: string; relation: string }>();
  for (const l of doc.links) links.set(`${l.target}\u0000${l.relation}`, l);
  const mention = (target: string) => {
    if (!refs.has(target) && ![...links.values()].some((l) => l.target === target)) links.set(`${target}\u0000mentions`, { target, relation: 'mentions' });
  };
  for (const e of entities) {
    if (e.type === 'ticket') mention(ref.ticket(e.key));
    if (e.type === 'url') for (const r of refsFromUrl(e.name)) mention(r);
  }
  return { entities, refs: [...refs], links: [...links.values()] };
}

/**
 * What an import of these paths would read, without importing: formats, and for Slack exports
 * their channels (with `selected` following the channel patterns), so a user can choose first.
 */
export async function previewImport(paths: string[], channels?: string[]): Promise<ImportPreview> {
  const walked = await walkPaths(paths);
  const sources: ImportPreview['sources'] = [];
  for (const f of walked.files) {
    try {
      if (f.slackExport) {
        const tree = await folderTree(f.path);
        try {
          sources.push({ source: f.path, format: 'slack', channels: (await SlackExport.open(tree)).preview(channels) });
        } finally {
          tree.close();
        }
        continue;
      }
      const fh = await open(f.path, 'r');
      const head = Buffer.alloc(512);
      await fh.read(head, 0, 512, 0);
      await fh.close();
      const format = detectFormat(f.path, head);
      if (format === 'zip') {
        const tree = await zipTree(f.path);
        try {
          if (isSlackExport(tree)) {
            sources.push({ source: f.path, format: 'slack', channels: (await SlackExport.open(tree)).preview(channels) });
            continue;
          }
        } finally {
          tree.close();
        }
      }
      sources.push({ source: f.path, format });
    } catch (err) {
      sources.push({ source: f.path, format: `unreadable: ${(err as Error).message}` });
    }
  }
  return { sources };
}
