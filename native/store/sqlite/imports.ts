import { ERROR_CODES, type ErrorCode } from '../../contract.js';
import type { ImportRecord, ImportStore } from '../store.js';
import type { Sql } from './sql.js';

const RECORD = `id, status, started_at AS startedAt, finished_at AS finishedAt, paths, files_total AS filesTotal, files_seen AS filesSeen,
  files_failed AS filesFailed, files_skipped AS filesSkipped, documents_added AS documentsAdded, documents_updated AS documentsUpdated,
  documents_unchanged AS documentsUnchanged, chunks_written AS chunksWritten`;

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
  };
}
