/**
 * The words-and-meaning ranker (native/similar/rank-documents.ts), the one similar uses when it
 * is given explicit signal weights (the ranking lab's comparisons), on its hybrid path: real
 * postmortems with the generated bag-of-tokens model (texts sharing tokens get close vectors).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../native/engine.js';
import { loadTaxonomy } from '../../../native/incidents/taxonomy.js';
import type { DocumentRanker } from '../../../native/rank/ranker.js';
import { WordsAndMeaningRanker } from '../../../native/similar/rank-documents.js';
import { textInput } from '../../../native/similar/read-input.js';
import { findSimilar } from '../../../native/similar/similar.js';
import { openHybridEngine } from '../../support/hybrid-engine.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { fixtureWriter, tempDir } from '../../support/temp.js';

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

  // The ranker itself, as similar calls it (words alone: no model needed for what these check).
  const wordsAlone = () => new WordsAndMeaningRanker({ store: engine.store, semantic: null, weights: { semantic: 0, lexical: 1, entities: 0 } });
  const longestPassage = async (doc: number) => (await engine.store.passages.ofDocuments([doc])).sort((a, b) => b.text.length - a.text.length)[0]!;

  it('returns the documents asked for, best first, and says how much of the input the best one holds', async () => {
    const passage = await longestPassage(4);
    const ask = (limit: number) => wordsAlone().rank({ text: passage.text, passages: [{ text: passage.text, role: passage.role }], exclude: new Set(), limit });
    const ten = await ask(10);
    expect(ten.documents.length).toBeGreaterThan(2);
    const two = await ask(2);
    expect(two.documents.map((d) => d.documentId)).toEqual(ten.documents.slice(0, 2).map((d) => d.documentId));
    // The source holds every word of its own passage.
    expect(ten.documents[0]!.documentId).toBe(4);
    expect(ten.documents[0]!.coverage).toBe(1);
    expect(ten.confidence.verdict).toBe('recurring');
  });

  it('weighs the input\'s words, most telling first: what it repeats and the database rarely has before what it says once', async () => {
    const passage = await longestPassage(4);
    const words = [...new Set(passage.text.toLowerCase().match(/[a-z]{5,}/g) ?? [])];
    const df = await engine.store.lexical.frequencies(words);
    const rare = words.find((w) => df.get(w) === 2);
    expect(rare, 'a word in two passages of the fixture').toBeDefined();
    // Said three times, in two passages of the database, against one said once that it never saw.
    const text = `${passage.text} ${rare} ${rare} qwyjibo`;
    const r = await wordsAlone().rank({ text, passages: [{ text, role: 'summary' }], exclude: new Set(), limit: 5 });
    expect(r.terms.length).toBeGreaterThan(12);
    for (const t of r.terms) expect(t.weight).toBeGreaterThan(0);
    const weights = r.terms.map((t) => t.weight);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    const weight = (w: string) => r.terms.find((t) => t.term === w)!.weight;
    expect(weight(rare!)).toBeGreaterThan(weight('qwyjibo'));
    expect(r.terms.find((t) => t.term === 'qwyjibo')!.seen).toBe(false);
  });

  it('takes no number or single character for a telling word', async () => {
    const passage = await longestPassage(4);
    const text = `${passage.text} 2021 503 10 x`;
    const r = await wordsAlone().rank({ text, passages: [{ text, role: 'summary' }], exclude: new Set(), limit: 5 });
    expect(r.terms.length).toBeGreaterThan(0);
    expect(r.terms.filter((t) => /^\d+$/.test(t.term) || t.term.length < 2)).toEqual([]);
  });

  it('scores the entities the input shares with a document when asked', async () => {
    const named = (await engine.store.entities.ofDocuments([4], ['error', 'service', 'host', 'technology', 'ticket', 'url'])).map((e) => e.name);
    expect(named.length).toBeGreaterThan(0);
    const r = await engine.similar({ text: `We saw ${named.join(', ')} again.`, limit: 10 }, { weights: { semantic: 0, lexical: 0, entities: 1 } });
    const source = r.incidents.find((i) => i.incident.records.some((m) => m.documentId === 4));
    expect(source?.score.entities).toBeGreaterThan(0);
    expect(r.incidents[0]!.score.entities).toBeGreaterThan(0);
  });

  // Last: it imports one more file, after which the database is no longer the fixture.
  it('finds a record imported since the last embedding by its words, with no meaning score', async () => {
    const postmortems = readdirSync(join(CORPUS, 'postmortems'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).sort();
    const before = new Set((await engine.store.documents.browse({}, 1000)).ids);
    await engine.import({ paths: [join(CORPUS, 'postmortems', postmortems[7]!)] });
    const added = (await engine.store.documents.browse({}, 1000)).ids.filter((id) => !before.has(id));
    expect(added).toHaveLength(1);
    expect(await engine.store.passages.vectorsOfDocuments(added)).toEqual([]);
    const passage = await longestPassage(added[0]!);
    const r = await engine.similar({ text: passage.text, limit: 10 }, { weights: { semantic: 0.5, lexical: 0.5, entities: 0 } });
    expect(r.mode).toBe('hybrid');
    const found = r.incidents.find((i) => i.incident.records.some((m) => m.documentId === added[0]));
    expect(found?.score.lexical).toBe(1);
    expect(found?.score.semantic).toBe(0);
  });
});

describe('ranking and verdict over four small records', () => {
  const root = tempDir();
  let engine: Engine;
  beforeAll(async () => {
    const write = fixtureWriter(root);
    const files = [
      write('a.md', '# Zymurgy fault\n\nThe zymurgy widget broke during the brewing run.\n'),
      write('b.md', '# Widget slow\n\nThe widget was slow for an hour.\n'),
      write('c.md', '# Widget restart\n\nSomeone restarted the widget by hand.\n'),
      write('d.md', '# Widget alert\n\nAn alert fired on the widget queue.\n'),
    ];
    engine = await Engine.open({ dbPath: join(root, 'common.db'), models: NO_MODEL });
    await engine.import({ paths: files });
  }, 60_000);
  afterAll(async () => engine?.close());

  it('finds no record by a word most of them hold: it tells nothing apart', async () => {
    const ranker = new WordsAndMeaningRanker({ store: engine.store, semantic: null, weights: { semantic: 0, lexical: 1, entities: 0 } });
    const text = 'zymurgy widget';
    const r = await ranker.rank({ text, passages: [{ text, role: 'summary' }], exclude: new Set(), limit: 10 });
    const titles = (await engine.store.documents.summaries(r.documents.map((d) => d.documentId))).values();
    expect([...titles].map((d) => d.title)).toEqual(['Zymurgy fault']);
  });

  it('lists what it found as weak when it calls the input new, however many of its words a result holds', async () => {
    const [id] = (await engine.store.documents.browse({}, 10)).ids;
    // A ranking holding one document with 40 % of the input's telling words (past the 30 % that
    // makes a result strong) whose evidence says nothing like the input exists.
    const ranker: DocumentRanker = {
      rank: async () => ({
        mode: 'lexical',
        documents: [{ documentId: id!, score: 0.5, signals: { lexical: 0.5, latent: null, semantic: null, entities: 0 }, coverage: 0.4 }],
        terms: [],
        confidence: { evidence: 0.1, score: 0.1, verdict: 'novel' },
      }),
    };
    const r = await findSimilar({ store: engine.store, ranker, views: engine.views, semantic: false }, textInput('zymurgy widget', loadTaxonomy()), { limit: 5 });
    expect(r.verdict.label).toBe('novel');
    expect(r.incidents.map((i) => i.strength)).toEqual(['weak']);
  });
});
