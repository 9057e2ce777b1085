/**
 * The posting budget of a search: which terms FTS5 is asked to score, and when only the newest
 * passages are scored, from the document frequencies alone (a store that knows nothing else).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../native/engine.js';
import { informativeTerms, withinBudget } from '../../../native/search/search.js';
import type { LexicalStore } from '../../../native/store/store.js';
import { tempDir } from '../../support/temp.js';

function lexicalOf(df: Record<string, number>, total: number): LexicalStore {
  return {
    candidates: async () => [],
    frequencies: async (words) => new Map(words.map((w) => [w, df[w] ?? 0])),
    total: async () => total,
  };
}

describe('informativeTerms', () => {
  // 10,000 passages: 5 % is 500 postings, 20 % is 2,000, half is 5,000.
  const lexical = lexicalOf({ kafka: 10, lag: 30, rebalance: 500, consumer: 1_000, deploy: 1_500, service: 4_000, error: 6_000, failed: 7_000 }, 10_000);

  it('keeps the terms in at most 5 % of the passages when two or more are', async () => {
    expect(await informativeTerms(lexical, { terms: ['service', 'kafka', 'consumer', 'lag'], phrases: [] })).toEqual({ terms: ['kafka', 'lag'], phrases: [] });
    // Exactly 5 % still counts as rare.
    expect(await informativeTerms(lexical, { terms: ['rebalance', 'kafka', 'consumer'], phrases: [] })).toEqual({ terms: ['rebalance', 'kafka'], phrases: [] });
  });

  it('widens to 20 %, then to half, until two terms carry the query', async () => {
    expect(await informativeTerms(lexical, { terms: ['kafka', 'deploy', 'service'], phrases: [] })).toEqual({ terms: ['kafka', 'deploy'], phrases: [] });
    expect(await informativeTerms(lexical, { terms: ['kafka', 'service', 'error'], phrases: [] })).toEqual({ terms: ['kafka', 'service'], phrases: [] });
    // One rare term and nothing else under half: it alone.
    expect(await informativeTerms(lexical, { terms: ['error', 'kafka', 'failed'], phrases: ['kafka lag'] })).toEqual({ terms: ['kafka'], phrases: ['kafka lag'] });
  });

  it('counts a word no passage holds as rare', async () => {
    expect(await informativeTerms(lexical, { terms: ['zookeeper', 'lag', 'service'], phrases: [] })).toEqual({ terms: ['zookeeper', 'lag'], phrases: [] });
  });

  it('drops terms in more than half of the passages, but keeps a query of nothing else as it is', async () => {
    // With a phrase left, the common words go; with nothing left, the query is searched as asked.
    expect(await informativeTerms(lexical, { terms: ['error', 'failed'], phrases: ['error failed'] })).toEqual({ terms: [], phrases: ['error failed'] });
    expect(await informativeTerms(lexical, { terms: ['error', 'failed'], phrases: [] })).toEqual({ terms: ['error', 'failed'], phrases: [] });
  });
});

describe('withinBudget', () => {
  const lexical = lexicalOf({ pool: 300, exhausted: 40, connection: 700, database: 900 }, 10_000);

  it('keeps every term while their postings fit', async () => {
    const b = await withinBudget(lexical, { terms: ['connection', 'pool', 'exhausted'], phrases: [] }, 1_040);
    expect(b).toEqual({ query: { terms: ['connection', 'pool', 'exhausted'], phrases: [] }, newest: null });
  });

  it('drops the commonest terms first, keeping the query order of the rest', async () => {
    const b = await withinBudget(lexical, { terms: ['database', 'connection', 'pool', 'exhausted'], phrases: ['pool exhausted'] }, 1_100);
    expect(b.query).toEqual({ terms: ['connection', 'pool', 'exhausted'], phrases: ['pool exhausted'] });
    expect(b.newest).toBeNull();
  });

  it('keeps the rarest term even over the budget, scoring only the newest passages that hold about the budget of it', async () => {
    const b = await withinBudget(lexical, { terms: ['database', 'connection'], phrases: [] }, 350);
    expect(b.query.terms).toEqual(['connection']);
    // 700 postings over 10,000 passages: the newest 5,000 hold about 350 of them.
    expect(b.newest).toBe(5_000);
  });

  it('leaves a query without terms alone', async () => {
    expect(await withinBudget(lexical, { terms: [], phrases: ['pool exhausted'] }, 10)).toEqual({ query: { terms: [], phrases: ['pool exhausted'] }, newest: null });
  });
});

describe('lexical candidates of the newest passages only', () => {
  it('scores only the passages with the highest ids', async () => {
    const dir = tempDir();
    const docs = join(dir, 'docs');
    mkdirSync(docs);
    for (let i = 0; i < 4; i++) writeFileSync(join(docs, `pm-${i}.md`), `# Outage ${i}\n\nThe database failed over ${'again '.repeat(i)}at night.\n`);
    const engine = await Engine.open({ dbPath: join(dir, 'h.db'), models: { roots: [], preferred: 'gte-small', allowUnverified: false } });
    try {
      await engine.import({ paths: [docs] });
      const all = await engine.store.lexical.candidates('"database"', {}, 10);
      expect(all).toHaveLength(4);
      const newest = await engine.store.lexical.candidates('"database"', {}, 10, 2);
      const top = [...all].map((h) => h.chunkId).sort((a, b) => b - a).slice(0, 2);
      expect(newest.map((h) => h.chunkId).sort((a, b) => b - a)).toEqual(top);
      // The same bound with a filter (the other statement).
      expect((await engine.store.lexical.candidates('"database"', { kinds: ['postmortem'] }, 10, 2)).map((h) => h.chunkId).sort((a, b) => b - a)).toEqual(top);
    } finally {
      await engine.close();
    }
  });
});
