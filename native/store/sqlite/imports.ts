import { ERROR_CODES, type ErrorCode } from '../../contract.js';
import type { ImportHistoryRow, ImportIssue, ImportRecord, ImportRequestOptions, ImportStore } from '../store.js';
import type { Sql } from './sql.js';

const RECORD = `id, status, started_at AS startedAt, finished_at AS finishedAt, paths, files_total AS filesTotal, files_seen AS filesSeen,
  files_failed AS filesFailed, files_skipped AS filesSkipped, documents_added AS documentsAdded, documents_updated AS documentsUpdated,
  documents_unchanged AS documentsUnchanged, chunks_written AS chunksWritten`;

type HistoryRow = Omit<ImportHistoryRow, 'paths' | 'request'> & { paths: string; request: string | null };
const HISTORY = `i.id, i.status, i.started_at AS startedAt, i.finished_at AS finishedAt, i.paths, i.files_total AS filesTotal,
  i.files_seen AS filesSeen, i.files_failed AS filesFailed, i.files_skipped AS filesSkipped, i.documents_added AS documentsAdded,
  i.documents_updated AS documentsUpdated, i.documents_unchanged AS documentsUnchanged, i.chunks_written AS chunksWritten,
  i.label, i.request, (SELECT count(*) FROM documents d WHERE d.import_id = i.id) AS documents,
  (SELECT count(*) FROM import_issues x WHERE x.import_id = i.id) AS issues`;

const historyRow = (r: HistoryRow): ImportHistoryRow => ({ ...r, paths: JSON.parse(r.paths) as string[], request: parseRequest(r.request) });

function parseRequest(json: string | null): ImportRequestOptions {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as ImportRequestOptions;
    return {
      ...(Array.isArray(v.channels) && v.channels.every((c) => typeof c === 'string') ? { channels: v.channels } : {}),
      ...(v.csvMap && typeof v.csvMap === 'object' ? { csvMap: v.csvMap } : {}),
    };
  } catch {
    return {};
  }
}

const record = (r: Omit<ImportRecord, 'paths'> & { paths: string }): ImportRecord => ({ ...r, paths: JSON.parse(r.paths) as string[] });

/** Codes written by an older version that are not in today's closed set read back as what they were: refused input. */
export const storedCode = (code: string): ErrorCode => (Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : 'refused-input');

export function importStore(sql: Sql): ImportStore {
  return {
    async create(paths, pid) {
      return Number(
        sql.write(() => sql.run(`INSERT INTO imports (started_at, status, paths, pid) VALUES (?, 'queued', ?, ?)`, new Date().toISOString(), JSON.stringify(paths), pid))
          .lastInsertRowid,
      );
    },

    async start(id, filesTotal) {
      sql.write(() => sql.run(`UPDATE imports SET status = 'running', files_total = ? WHERE id = ?`, filesTotal, id));
    },

    async addIssue(id, i) {
      sql.write(() =>
        sql.run(
          'INSERT INTO import_issues (import_id, outcome, source, record, code, reason, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
          id, i.outcome, i.source, i.record ?? null, i.code, i.reason ?? null, i.message,
        ),
      );
    },

    async finish(id, s) {
      sql.write(() =>
        sql.run(
          `UPDATE imports SET finished_at = ?, status = ?, files_total = ?, files_seen = ?, files_failed = ?, files_skipped = ?,
             documents_added = ?, documents_updated = ?, documents_unchanged = ?, documents_duplicate = ?, chunks_written = ? WHERE id = ?`,
          new Date().toISOString(), s.status, s.filesTotal, s.filesSeen, s.filesFailed, s.skipped.length,
          s.documentsAdded, s.documentsUpdated, s.documentsUnchanged, s.documentsDuplicate, s.chunksWritten, id,
        ),
      );
    },

    async markInterrupted(isAlive) {
      const open = sql.all<{ id: number; pid: number | null }>(`SELECT id, pid FROM imports WHERE status IN ('queued', 'running')`);
      const dead = open.filter((r) => r.pid === null || !isAlive(r.pid)).map((r) => r.id);
      if (dead.length) {
        sql.write(() => {
          for (const id of dead) sql.run(`UPDATE imports SET status = 'interrupted', finished_at = coalesce(finished_at, ?) WHERE id = ?`, new Date().toISOString(), id);
        });
      }
      return dead.length;
    },

    async get(id) {
      const r = sql.get<Omit<ImportRecord, 'paths'> & { paths: string }>(`SELECT ${RECORD} FROM imports WHERE id = ?`, id);
      return r ? record(r) : null;
    },

    async last() {
      const r = sql.get<Omit<ImportRecord, 'paths'> & { paths: string }>(`SELECT ${RECORD} FROM imports WHERE status NOT IN ('queued') ORDER BY id DESC LIMIT 1`);
      return r ? record(r) : null;
    },

    async describe(id, d) {
      sql.write(() => sql.run('UPDATE imports SET label = ?, request = ? WHERE id = ?', d.label, JSON.stringify(d.request), id));
    },

    async list(limit) {
      return sql.all<HistoryRow>(`SELECT ${HISTORY} FROM imports i ORDER BY i.id DESC LIMIT ?`, limit).map(historyRow);
    },

    async history(id) {
      const r = sql.get<HistoryRow>(`SELECT ${HISTORY} FROM imports i WHERE i.id = ?`, id);
      return r ? historyRow(r) : null;
    },

    async count() {
      return sql.value<number>('SELECT count(*) FROM imports') ?? 0;
    },

    async issues(id, limit) {
      type Row = { outcome: ImportIssue['outcome']; source: string; record: string | null; code: string; reason: string | null; message: string };
      const rows = sql.all<Row>('SELECT outcome, source, record, code, reason, message FROM import_issues WHERE import_id = ? ORDER BY id LIMIT ?', id, limit);
      const total = sql.value<number>('SELECT count(*) FROM import_issues WHERE import_id = ?', id) ?? 0;
      const issues = rows.map((r): ImportIssue => ({
        outcome: r.outcome,
        source: r.source,
        code: storedCode(r.code),
        message: r.message,
        ...(r.record !== null ? { record: r.record } : {}),
        ...(r.reason !== null ? { reason: r.reason } : {}),
      }));
      return { issues, total };
    },

    async remove(id) {
      sql.write(() => sql.run('DELETE FROM imports WHERE id = ?', id));
    },
  };
}
