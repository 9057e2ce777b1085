import { open } from 'node:fs/promises';
import { chunkMarkdown, type Chunk } from '../chunk/chunker.js';
import { HindsightError, toContractError } from '../common/errors.js';
import { sha256 } from '../common/hash.js';
import type { ImportFileError, ImportPreview, ImportProgress, ImportSummary } from '../contract.js';
import type { Db } from '../store/database.js';
import { deleteDocuments, findDocumentByUid, writeDocument, type WriteResult } from '../store/documents.js';
import { extractEntities } from '../entities/extract.js';
import { ref, refsFromUrl } from '../entities/refs.js';
import type { ParsedDocument } from './parsed-document.js';
import { folderTree, zipTree } from './file-tree.js';
import { detectFormat } from './detect-format.js';
import { NotImportable, readSource, type SourceOptions } from './read-source.js';
import { isSlackExport, SlackExport } from './slack/slack-export.js';
import type { CsvMap } from './tickets/csv-tickets.js';
import { walkPaths } from './walk.js';

/** Bump when parsing or chunking changes, so that a re-import rewrites what it produces. */
export const PIPELINE_VERSION = 2;

export interface ImportContext {
  db: Db;
  /** Embeds passages; null when no model is installed (lexical only). */
  embedPassages: ((texts: string[]) => Promise<Float32Array[]>) | null;
  /** Called after each document write (the engine keeps the vector index in step). */
  onWritten?: (result: WriteResult, vectors: Float32Array[] | null) => void;
  /** Called after each document is removed (its passages are gone). */
  onRemoved?: (chunkIds: number[]) => void;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
  /** Slack channel names or globs to import. */
  channels?: string[];
  csvMap?: CsvMap;
}

/** The text a passage is embedded as: its document title gives it context. */
export function passageText(title: string, chunk: Pick<Chunk, 'text'>): string {
  return `${title}\n\n${chunk.text}`;
}

/**
 * Imports files and folders. Each file is parsed on its own; a file that fails is recorded with a
 * readable error and the import goes on. Each document is written in one transaction, and an
 * unchanged document (same content hash) is left alone.
 */
export async function importPaths(ctx: ImportContext, paths: string[]): Promise<ImportSummary> {
  const started = performance.now();
  const { db } = ctx;
  const importId = Number(
    db.prepare(`INSERT INTO imports (started_at, status, paths) VALUES (?, 'running', ?)`).run(new Date().toISOString(), JSON.stringify(paths)).lastInsertRowid,
  );
  const summary: ImportSummary = {
    importId,
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
  const progress = (phase: ImportProgress['phase'], filesTotal: number, currentFile: string | null, everyDocument = false) => {
    // Per-document updates of a big export are sent at most ten times a second.
    const now = performance.now();
    if (everyDocument && now - lastProgress < 100) return;
    lastProgress = now;
    const elapsed = (now - started) / 1000;
    const done = summary.filesSeen;
    const rate = elapsed > 0 ? done / elapsed : 0;
    ctx.onProgress?.({
      importId,
      phase,
      filesTotal,
      filesDone: done,
      filesFailed: summary.filesFailed,
      documents: summary.documentsAdded + summary.documentsUpdated + summary.documentsUnchanged,
      chunksEmbedded: summary.chunksEmbedded,
      currentFile,
      rate,
      etaSeconds: rate > 0 && filesTotal > done ? (filesTotal - done) / rate : phase === 'done' ? 0 : null,
    });
  };
  const fail = (e: ImportFileError) => {
    summary.errors.push(e);
    db.prepare('INSERT INTO import_errors (import_id, source, code, message) VALUES (?, ?, ?, ?)').run(importId, e.source, e.code, e.message);
  };

  let status: 'done' | 'failed' | 'cancelled' = 'done';
  const written = new Set<string>();
  try {
    progress('scanning', 0, null);
    const walked = await walkPaths(paths);
    for (const e of walked.errors) fail(e);
    const total = walked.files.length;
    for (const file of walked.files) {
      if (ctx.signal?.aborted) {
        status = 'cancelled';
        break;
      }
      progress('importing', total, file.path);
      const options: SourceOptions = { channels: ctx.channels, csvMap: ctx.csvMap, report: fail, skip: (source, reason) => summary.skipped.push({ source, reason }) };
      let source;
      try {
        source = await readSource(file, options);
        const uids = new Set<string>();
        let completed = false;
        try {
          for await (const doc of source.documents) {
            if (ctx.signal?.aborted) break;
            if (written.has(doc.uid)) {
              // Idempotence: the same record in two files of one import is taken once, from the first.
              summary.documentsDuplicate++;
              continue;
            }
            written.add(doc.uid);
            uids.add(doc.uid);
            await importDocument(ctx, doc, file.path, importId, summary);
            summary.byFormat[source.format] = (summary.byFormat[source.format] ?? 0) + 1;
            progress('importing', total, file.path, true);
          }
          completed = !ctx.signal?.aborted;
        } finally {
          source.close();
        }
        // Only a source read to the end may retire documents it no longer yields; a
        // channel selection reads part of an export, so nothing is retired then either.
        if (completed && !ctx.channels?.length) removeVanished(ctx, file.path, uids);
      } catch (err) {
        if (err instanceof NotImportable && file.root !== file.path) {
          summary.skipped.push({ source: file.path, reason: err.message });
        } else {
          summary.filesFailed++;
          const { code, message } = toContractError(err);
          fail({ source: file.path, code, message: err instanceof HindsightError ? message : `${file.path} could not be imported: ${message}` });
        }
      }
      summary.filesSeen++;
    }
    summary.filesFailed += walked.errors.length;
    progress('done', total, null);
  } catch (err) {
    status = 'failed';
    throw err;
  } finally {
    summary.durationMs = Math.round(performance.now() - started);
    db.prepare(
      `UPDATE imports SET finished_at = ?, status = ?, files_seen = ?, files_failed = ?, documents_added = ?,
         documents_updated = ?, documents_unchanged = ?, chunks_written = ? WHERE id = ?`,
    ).run(
      new Date().toISOString(),
      status,
      summary.filesSeen,
      summary.filesFailed,
      summary.documentsAdded,
      summary.documentsUpdated,
      summary.documentsUnchanged,
      summary.chunksWritten,
      importId,
    );
  }
  return summary;
}

async function importDocument(ctx: ImportContext, doc: ParsedDocument, origin: string, importId: number, summary: ImportSummary): Promise<void> {
  const contentHash = sha256(JSON.stringify([PIPELINE_VERSION, doc]));
  const existing = findDocumentByUid(ctx.db, doc.uid);
  if (existing?.contentHash === contentHash) {
    summary.documentsUnchanged++;
    return;
  }
  const chunks = chunkMarkdown(doc.body);
  // Embedding happens before the write transaction: the model is slow, the write is not.
  const vectors = ctx.embedPassages ? await ctx.embedPassages(chunks.map((c) => passageText(doc.title, c))) : null;
  const { entities, refs, links } = relations(doc);
  const result = writeDocument(ctx.db, { doc, origin, contentHash, chunks, vectors, importId, entities, refs, links });
  ctx.onWritten?.(result, vectors);
  summary.chunksWritten += chunks.length;
  if (vectors) summary.chunksEmbedded += vectors.length;
  if (result.status === 'added') summary.documentsAdded++;
  else summary.documentsUpdated++;
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

/** A file that no longer yields a document it yielded before: that document goes. */
function removeVanished(ctx: ImportContext, origin: string, uids: Set<string>): void {
  const rows = ctx.db.prepare('SELECT id, uid FROM documents WHERE origin = ?').all(origin) as Array<{ id: number; uid: string }>;
  const gone = rows.filter((r) => !uids.has(r.uid)).map((r) => r.id);
  if (gone.length) ctx.onRemoved?.(deleteDocuments(ctx.db, gone));
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
