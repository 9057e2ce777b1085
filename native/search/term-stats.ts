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
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens_terms USING fts5vocab(temp, query_tokens, row);
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

  /** How many passages contain the (stemmed) token a word becomes, 0 when none. */
  frequency(word: string): number {
    this.setup();
    const stem = this.stem(word);
    if (stem === null) return 0;
    let n = this.df.get(stem);
    if (n === undefined) {
      n = (this.db.prepare('SELECT doc FROM temp.chunks_fts_terms WHERE term = ?').pluck().get(stem) as number | undefined) ?? 0;
      this.df.set(stem, n);
    }
    return n;
  }

  /** The token FTS5 indexes for a word, using FTS5's own tokenizer. */
  private stem(word: string): string | null {
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM temp.query_tokens').run();
      this.db.prepare('INSERT INTO temp.query_tokens (t) VALUES (?)').run(word);
      return (this.db.prepare('SELECT term FROM temp.query_tokens_terms LIMIT 1').pluck().get() as string | undefined) ?? null;
    });
    return tx();
  }
}
