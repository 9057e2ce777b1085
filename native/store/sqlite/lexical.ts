import type { SearchFilters } from '../../contract.js';
import type { LexicalHit, LexicalStore } from '../store.js';
import { filterSql, hasFilters } from './filters.js';
import type { Sql } from './sql.js';

/** BM25 column weights: title, heading, text — one set for every caller. */
export const BM25_WEIGHTS = '5.0, 2.0, 1.0';

/**
 * The full-text side of the store: BM25 candidates from FTS5, and document frequencies as FTS5
 * sees them (after its porter stemmer), cached until the next write.
 */
export function lexicalStore(sql: Sql): LexicalStore {
  let df = new Map<string, number>();
  let rows: number | null = null;
  let seen = -1;
  let ready = false;
  const fresh = () => {
    if (seen === sql.generation) return;
    df = new Map();
    rows = null;
    seen = sql.generation;
  };
  const setup = () => {
    if (ready) return;
    // Temp tables: per connection, never written to the database file (works read-only too).
    sql.db.exec(`
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_fts_terms USING fts5vocab(main, chunks_fts, row);
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens USING fts5(t, tokenize = 'porter unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens_at USING fts5vocab(temp, query_tokens, instance);
    `);
    ready = true;
  };
  /** The tokens FTS5 indexes for words, from FTS5's own tokenizer (row i holds word i). */
  const stems = (words: readonly string[]): Map<string, string> =>
    sql.db.transaction(() => {
      sql.run('DELETE FROM temp.query_tokens');
      words.forEach((w, i) => sql.run('INSERT INTO temp.query_tokens (rowid, t) VALUES (?, ?)', i + 1, w));
      const out = new Map<string, string>();
      for (const r of sql.all<{ term: string; doc: number }>('SELECT term, doc FROM temp.query_tokens_at')) {
        const w = words[r.doc - 1];
        if (w !== undefined && !out.has(w)) out.set(w, r.term);
      }
      return out;
    })();

  return {
    async candidates(expression: string, filters: SearchFilters, limit: number, newest?: number): Promise<LexicalHit[]> {
      // FTS5 takes a rowid range with MATCH: only passages in it are scored. Ids grow with each
      // write, so the newest `newest` passages are (about) the ids above max − newest.
      const range = newest === undefined ? [] : [Math.max(0, (sql.value<number>('SELECT max(id) FROM chunks') ?? 0) - newest)];
      const inRange = range.length ? 'AND chunks_fts.rowid > ?' : '';
      if (!hasFilters(filters)) {
        // Rank inside FTS5 first and join only the winners: joining every match costs more than scoring.
        return sql.all<LexicalHit>(
          `SELECT f.chunkId, c.document_id AS documentId, f.score FROM
             (SELECT rowid AS chunkId, -bm25(chunks_fts, ${BM25_WEIGHTS}) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ${inRange} ORDER BY score DESC LIMIT ?) f
           JOIN chunks c ON c.id = f.chunkId ORDER BY f.score DESC`,
          expression,
          ...range,
          limit,
        );
      }
      const f = filterSql(filters);
      return sql.all<LexicalHit>(
        `SELECT c.id AS chunkId, c.document_id AS documentId, -bm25(chunks_fts, ${BM25_WEIGHTS}) AS score
         FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.id = c.document_id
         WHERE chunks_fts MATCH ? ${inRange} AND ${f.sql}
         ORDER BY score DESC LIMIT ?`,
        expression,
        ...range,
        ...f.params,
        limit,
      );
    },

    async frequencies(words) {
      fresh();
      setup();
      const out = new Map<string, number>();
      if (!words.length) return out;
      for (const [word, stem] of stems(words)) {
        let n = df.get(stem);
        if (n === undefined) {
          n = sql.value<number>('SELECT doc FROM temp.chunks_fts_terms WHERE term = ?', stem) ?? 0;
          df.set(stem, n);
        }
        out.set(word, n);
      }
      // Words FTS5 drops entirely (punctuation only) have no stem: they occur nowhere.
      for (const w of words) if (!out.has(w)) out.set(w, 0);
      return out;
    },

    async total() {
      fresh();
      // Kept by triggers (migration 0120): one row, not a count of every passage.
      rows ??= sql.value<number>('SELECT n FROM passage_count WHERE id = 1') ?? 0;
      return rows;
    },
  };
}
