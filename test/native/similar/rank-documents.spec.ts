/**
 * The words-and-meaning ranker (native/similar/rank-documents.ts), the one similar uses when it
 * is given explicit signal weights (the ranking lab's comparisons), on its hybrid path: real
 * postmortems with the generated bag-of-tokens model (texts sharing tokens get close vectors).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../native/engine.js';
import { openHybridEngine } from '../../support/hybrid-engine.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();

describe('the words-and-meaning ranker with a model', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openHybridEngine(dir);
  }, 120_000);
  afterAll(async () => engine?.close());

  it('embeds the input and ranks by meaning alone when asked: the document a passage was copied from first', async () => {
    const source = 4;
    const passage = (await engine.store.passages.ofDocuments([source])).sort((a, b) => b.text.length - a.text.length)[0]!;
    const r = await engine.similar({ text: passage.text, limit: 10 }, { weights: { semantic: 1, lexical: 0, entities: 0 } });
    expect(r.mode).toBe('hybrid');
    const top = r.incidents[0]!;
    expect(top.incident.records.map((m) => m.documentId)).toContain(source);
    // Spread over [0, 1] among the candidates: the closest scores 1.
    expect(top.score.semantic).toBe(1);
    expect(r.incidents.slice(1).every((i) => (i.score.semantic ?? 0) < 1)).toBe(true);
  });

  it('ranks by words alone when asked: the source first with the best lexical score, 1, the others below; unknown words are not shown', async () => {
    const source = 4;
    const passage = (await engine.store.passages.ofDocuments([source])).sort((a, b) => b.text.length - a.text.length)[0]!;
    const started = performance.now();
    const r = await engine.similar({ text: `${passage.text} zorblaxian`, limit: 10 }, { weights: { semantic: 0, lexical: 1, entities: 0 } });
    // The time it reports is the call's own.
    expect(r.tookMs).toBeGreaterThanOrEqual(0);
    expect(r.tookMs).toBeLessThanOrEqual(Math.ceil(performance.now() - started));
    const top = r.incidents[0]!;
    expect(top.incident.records.map((m) => m.documentId)).toContain(source);
    // Scaled by the best candidate's BM25: the best scores 1, every other one in [0, 1).
    expect(top.score.lexical).toBe(1);
    expect(r.incidents.length).toBeGreaterThan(1);
    expect(r.incidents.slice(1).every((i) => i.score.lexical >= 0 && i.score.lexical < 1)).toBe(true);
    // The words shown as shared are words the database has; a word it has never seen is no evidence.
    expect(r.input.terms.length).toBeGreaterThan(0);
    expect(r.input.terms).not.toContain('zorblaxian');
  });
});
