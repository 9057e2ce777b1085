/**
 * The latent signal scores a bounded set of candidates per pass: the best by the other signals,
 * never every document of a large corpus.
 */
import { describe, expect, it } from 'vitest';
import { analyseDocument } from '../../../native/rank/analyse.js';
import { LATENT_CANDIDATES, rankDocuments, SHORT_INPUT, type LatentScorer } from '../../../native/rank/rank.js';
import { MemoryTermIndex } from '../../../native/rank/term-index.js';

describe('latent candidates', () => {
  it('asks the latent model about the best candidates only, the strongest word matches among them', () => {
    const index = new MemoryTermIndex();
    const n = 2 * LATENT_CANDIDATES + 1000;
    // 45% of the documents name the outage (a term in more than half would be skipped as
    // saying nothing): more candidates than the latent model is asked about. The first 50 name
    // the rare cause too, and rank first.
    for (let id = 1; id <= n; id++) {
      const text = id <= 50 ? 'The outage came from a kafka rebalance storm.' : id % 20 < 9 ? `The outage lasted ${id % 7} hours.` : 'The service was slow.';
      index.put(analyseDocument({ id, title: `Incident ${id}`, passages: [{ id: id * 10, heading: 'Summary', text }] }));
    }
    const asked: number[][] = [];
    const latent: LatentScorer = {
      similarities: (_q, documents) => {
        const ids = [...(documents ?? [])];
        asked.push(ids);
        return new Map(ids.map((d) => [d, 0.5]));
      },
    };
    const settings = { ...SHORT_INPUT, budget: { ...SHORT_INPUT.budget, perTerm: n, perPass: 10 * n } };
    const ranking = rankDocuments(index, 'outage kafka rebalance', settings, { latent });
    expect(asked.length).toBeGreaterThan(0);
    for (const ids of asked) {
      expect(ids.length).toBe(LATENT_CANDIDATES);
      for (let id = 1; id <= 50; id++) expect(ids).toContain(id);
    }
    expect(ranking.documents.slice(0, 50).map((d) => d.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
