/**
 * The engine's DocumentRanker end to end: documents imported by the engine (real postmortems of
 * the shared corpus), ranked through the store's statistics, with the generated bag-of-tokens
 * model for the hybrid path (texts sharing tokens get close vectors).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../native/engine.js';
import { splitFrontMatter } from '../../../native/import/front-matter.js';
import { EngineRanker } from '../../../native/rank/engine-ranker.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { openHybridEngine } from '../../support/hybrid-engine.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const postmortems = readdirSync(join(CORPUS, 'postmortems'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => join(CORPUS, 'postmortems', f));

const only = (semantic: number) => ({ weights: { document: 0, passage: 0, latent: 0, entities: 0, failureModes: 0, semantic } });

describe('hybrid ranking with a model (generated bag-of-tokens model)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openHybridEngine(dir);
  }, 120_000);
  afterAll(async () => engine?.close());

  it('ranks by the semantic score: the document a passage was copied from first, and last with the sign inverted', async () => {
    const docs = await engine.store.documents.summaries([1, 2, 3, 4, 5, 6, 7]);
    expect(docs.size).toBe(7);
    // A document in the middle of the id order: ties broken by id cannot put it first or last.
    const source = 4;
    const passage = (await engine.store.passages.ofDocuments([source])).sort((a, b) => b.text.length - a.text.length)[0]!;
    const request = { text: passage.text, passages: [], exclude: new Set<number>(), limit: 50 };
    const semantic = await new EngineRanker(engine.store, () => engine.semanticSide(), only(1)).rank(request);
    expect(semantic.mode).toBe('hybrid');
    expect(semantic.documents.length).toBe(7);
    expect(semantic.documents[0]!.documentId).toBe(source);
    expect(semantic.documents[0]!.signals.semantic).toBe(1);
    const inverted = await new EngineRanker(engine.store, () => engine.semanticSide(), only(-1)).rank(request);
    expect(inverted.documents.map((d) => d.documentId).sort()).toEqual(semantic.documents.map((d) => d.documentId).sort());
    expect(inverted.documents.at(-1)!.documentId).toBe(source);
  });

  it("the shipped ranker fuses the semantic signal with the lexical ones and keeps the input's own document out", async () => {
    const body = (await engine.store.documents.withBody(2))!.body;
    const r = await engine.ranker.rank({ text: body, passages: [], exclude: new Set([2]), limit: 5 });
    expect(r.mode).toBe('hybrid');
    expect(r.documents.map((d) => d.documentId)).not.toContain(2);
    expect(r.documents.some((d) => (d.signals.semantic ?? 0) > 0)).toBe(true);
    for (const d of r.documents) expect(d.signals.lexical).toBeGreaterThanOrEqual(0);
  });
});

describe('lexical ranking (no model)', () => {
  let engine: Engine;
  const source = postmortems[3]!;
  beforeAll(async () => {
    // A long document made of many real write-ups, one of them carrying the passage the query copies.
    const long = join(dir, 'long');
    mkdirSync(long, { recursive: true });
    const sections = postmortems.slice(20, 50).map((f) => splitFrontMatter(readFileSync(f, 'utf8')).body.replace(/^# .*$/m, '').trim());
    const copied = splitFrontMatter(readFileSync(source, 'utf8')).body.replace(/^# .*$/m, '').trim();
    sections.splice(15, 0, copied);
    writeFileSync(join(long, 'operations-log.md'), `# Operations log 2019–2024\n\n${sections.map((s, i) => `## Entry ${i + 1}\n\n${s.replace(/^#+ /gm, '### ')}`).join('\n\n')}\n`);
    engine = await Engine.open({ dbPath: join(dir, 'lexical.db'), models: NO_MODEL });
    await engine.import({ paths: [...postmortems.slice(0, 20), join(long, 'operations-log.md')] });
  }, 120_000);
  afterAll(async () => engine?.close());

  it('finds a long document by the one passage that matches (candidates do not drop long documents)', async () => {
    const ids = new Map((await engine.store.documents.scan({})).map((d) => [d.source, d.id]));
    const longId = ids.get(join(dir, 'long', 'operations-log.md'))!;
    const sourceId = ids.get(source)!;
    const passages = await engine.store.passages.ofDocuments([sourceId]);
    const text = passages.sort((a, b) => b.text.length - a.text.length)[0]!.text;
    const r = await engine.ranker.rank({ text, passages: [], exclude: new Set([sourceId]), limit: 10 });
    expect(r.mode).toBe('lexical');
    expect(r.documents[0]!.documentId).toBe(longId);
    const doc = await engine.store.documents.withBody(longId);
    expect(doc!.body.length).toBeGreaterThan(20 * readFileSync(source, 'utf8').length);
    expect(r.confidence.verdict).toBe('recurring');
    expect(r.documents[0]!.coverage).toBeGreaterThan(0.9);
  });

  it('says novel, with unseen terms, for text the corpus has nothing like', async () => {
    const r = await engine.ranker.rank({ text: 'The espresso grinder in the third-floor kitchen jammed on coffee beans; facilities replaced its burr.', passages: [], exclude: new Set(), limit: 10 });
    expect(r.confidence.verdict).toBe('novel');
    expect(r.terms.some((t) => !t.seen)).toBe(true);
    expect(r.documents.every((d) => d.signals.semantic === null)).toBe(true);
  });

  it('keeps only the kinds asked for', async () => {
    const r = await engine.ranker.rank({ text: 'certificate expired', passages: [], exclude: new Set(), kinds: ['ticket'], limit: 10 });
    expect(r.documents).toEqual([]);
  });
});

describe('the failure-mode share (a team taxonomy with one mode)', () => {
  let engine: Engine;
  let target: number;
  beforeAll(async () => {
    // The mode is named by one phrase of a real write-up (Chia's negative coin values: "uint64
    // constructor") and by another that no imported document uses ("counter wraparound").
    const taxonomy = join(dir, 'team-modes.yaml');
    writeFileSync(taxonomy, [
      'modes:',
      '  - id: integer-wraparound',
      '    label: Integer wraparound',
      '    description: A value outside its integer type was accepted.',
      '    evidence:',
      "      - { phrase: 'uint64 constructor', weight: 5 }",
      "      - { phrase: 'counter wraparound', weight: 5 }",
      '',
    ].join('\n'));
    engine = await Engine.open({ dbPath: join(dir, 'modes.db'), models: NO_MODEL, taxonomyFiles: [taxonomy] });
    const files = postmortems.slice(0, 6);
    expect(files.some((f) => f.endsWith('2021-05-09-negative-coin-values.md'))).toBe(true);
    await engine.import({ paths: files });
    target = (await engine.store.documents.scan({})).find((d) => d.source.endsWith('2021-05-09-negative-coin-values.md'))!.id;
  }, 120_000);
  afterAll(async () => engine?.close());

  // No word of it is in the corpus: only the failure mode can find anything.
  const text = 'Counter wraparound again on the ledger.';

  it("the engine's ranker finds the incident with the input's failure mode though they share no word", async () => {
    const r = await engine.ranker.rank({ text, passages: [], exclude: new Set(), limit: 10 });
    expect(r.terms.every((t) => !t.seen)).toBe(true);
    expect(r.documents[0]?.documentId).toBe(target);
  });

  it('without the signal nothing is found, and an excluded document is never returned', async () => {
    const off = await new EngineRanker(engine.store, async () => null, { weights: { failureModes: 0 } }).rank({ text, passages: [], exclude: new Set(), limit: 10 });
    expect(off.documents).toEqual([]);
    const excluded = await engine.ranker.rank({ text, passages: [], exclude: new Set([target]), limit: 10 });
    expect(excluded.documents.map((d) => d.documentId)).not.toContain(target);
  });
});
