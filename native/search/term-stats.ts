import type { Db } from '../store/database.js';

/**
 * Document frequencies of query terms, as FTS5 sees them (after its porter stemmer). They let a
 * search drop terms that occur in more than half of all passages: FTS5's BM25 gives those an
 * IDF of ~0 (it clamps log((N-n+.5)/(n+.5)) at 1e-6), so they cannot change the ranking, yet
 * scoring their posting lists is most of the cost of a query over a large database.
 *
 * Frequencies are cached until `invalidate()` (the engine calls it after writing passages).
 */
export class TermStats {
  private df = new Map<string, number>();
  private rows: number | null = null;
  private ready = false;

  constructor(private readonly db: Db) {}

  private setup(): void {
    if (this.ready) return;
    // Temp tables: per connection, never written to the database file.
    this.db.exec(`
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_fts_terms USING fts5vocab(main, chunks_fts, row);
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens USING fts5(t, tokenize = 'porter unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens_at USING fts5vocab(temp, query_tokens, instance);
    `);
    this.ready = true;
  }

  invalidate(): void {
    this.df.clear();
    this.rows = null;
  }

  /** Passages in the index. */
  total(): number {
    this.rows ??= this.db.prepare('SELECT count(*) FROM chunks').pluck().get() as number;
    return this.rows;
  }

  /** Passage frequencies of many words at once (one trip through the tokenizer). */
  frequencies(words: string[]): Map<string, number> {
    this.setup();
    const stems = this.stems(words);
    const lookup = this.db.prepare('SELECT doc FROM temp.chunks_fts_terms WHERE term = ?').pluck();
    const out = new Map<string, number>();
    for (const [word, stem] of stems) {
      let n = this.df.get(stem);
      if (n === undefined) {
        n = (lookup.get(stem) as number | undefined) ?? 0;
        this.df.set(stem, n);
      }
      out.set(word, n);
    }
    return out;
  }

  /** The tokens FTS5 indexes for words, from FTS5's own tokenizer (row i holds word i). */
  private stems(words: string[]): Map<string, string> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM temp.query_tokens').run();
      const insert = this.db.prepare('INSERT INTO temp.query_tokens (rowid, t) VALUES (?, ?)');
      words.forEach((w, i) => insert.run(i + 1, w));
      const out = new Map<string, string>();
      for (const r of this.db.prepare('SELECT term, doc FROM temp.query_tokens_at').all() as Array<{ term: string; doc: number }>) {
        const w = words[r.doc - 1];
        if (w !== undefined && !out.has(w)) out.set(w, r.term);
      }
      return out;
    })();
  }
}
