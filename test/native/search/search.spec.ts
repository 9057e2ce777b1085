import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../../support/api.js';
import { openFixture } from '../../support/fixture-db.js';
import { parseQuery, toFtsQuery } from '../../../native/search/terms.js';
import { CORPUS, ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const POSTMORTEMS = join(CORPUS, 'postmortems');
const file = (rel: string) => join(POSTMORTEMS, rel);

describe('query terms are never query syntax', () => {
  it('quotes every term and drops stopwords', () => {
    expect(toFtsQuery(parseQuery('the DNS outage AND NEAR(x) col:y "quoted phrase" *'))).toBe(
      '"quoted phrase" OR "dns" OR "outage" OR "near" OR "x" OR "col" OR "y" OR "quoted" OR "phrase"',
    );
    expect(toFtsQuery(parseQuery('" ) ( * ^ -'))).toBeNull();
  });
});

// Ranking is hand-checked in lexical mode. The generated model's vectors are random (no real
// weights can be fetched here), so in hybrid mode the tests check what must hold whatever the
// model: fusion keeps strong keyword matches near the top, and filters bind both retrievers.
describe.each([
  ['lexical-only (no model)', { roots: [], preferred: 'gte-small', allowUnverified: false }, 'lexical', 3],
  ['hybrid (generated model)', { roots: [ensureTinyModel(join(dir, 'models'))], preferred: 'gte-small', allowUnverified: true }, 'hybrid', 10],
] as const)('search over the real postmortems, %s', (_name, models, mode, depth) => {
  let engine: TestApi;
  beforeAll(async () => {
    // Built once per mutation run (test/support/fixture-db.ts); here, imported as always.
    engine = await openFixture(`search-${mode}`, { dbPath: join(dir, `${mode}.db`), models: { ...models, roots: [...models.roots] } }, async (api) => {
      const s = await api.import({ paths: [POSTMORTEMS] });
      expect(s.filesFailed).toBe(0);
    });
  });
  afterAll(() => engine.close());

  const top = async (query: string, n: number, extra: object = {}) =>
    (await engine.search({ query, limit: n, ...extra })).hits.map((h) => h.source);

  it('finds the ALB target-group postmortem for its symptoms', async () => {
    const r = await engine.search({ query: 'VPC CNI target groups detached from the ALB', limit: depth });
    expect(r.mode).toBe(mode);
    expect(r.hits.map((h) => h.source)).toContain(file('dfds/PM2021-005_-_All_services_returning_503_in_Kubernetes.md'));
  });

  it('puts the leaked-secrets incident first for its story', async () => {
    expect((await top('terraform plan pushed to a branch exposed a GitHub personal access token', depth))).toContain(
      file('moj-cloud-platform/2025-07-23-multiple-secrets-leaked-to-public.md'),
    );
  });

  it('finds both Kafka-metrics postmortems first', async () => {
    const hits = await top('Kafka metrics missing from Prometheus', mode === 'lexical' ? 2 : depth);
    expect(hits).toEqual(expect.arrayContaining([file('dfds/PM2022-004_-_Kafka_metrics_missing_from_Prometheus.md'), file('dfds/PM2022-007_-_Kafka_metrics_stopped_being_exported_to_Prometheus.md')]));
  });

  it('finds the Prow outages for "prow outage"', async () => {
    const hits = await top('prow outage', 3);
    expect(hits.filter((h) => h.includes('kubernetes-test-infra')).length).toBeGreaterThanOrEqual(mode === 'lexical' ? 3 : 2);
  });

  it('says which retriever found each result', async () => {
    const r = await engine.search({ query: 'ingress controller crashlooping', limit: 20 });
    const by = new Set(r.hits.flatMap((h) => h.matchedBy));
    expect(by.has('lexical')).toBe(true);
    expect(by.has('semantic')).toBe(mode === 'hybrid');
  });

  it('ranks by reciprocal-rank fusion: scores from 1 down, best first, at most `limit` hits', async () => {
    // Lexical: the common words are pruned, eight documents keep the rare ones.
    const limit = mode === 'lexical' ? 5 : 15;
    const r = await engine.search({ query: 'kafka consumer lag after a deploy', limit });
    expect(r.total).toBeGreaterThan(limit);
    expect(r.hits).toHaveLength(limit);
    const scores = r.hits.map((h) => h.score);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]!);
    for (const h of r.hits) {
      expect(h.score).toBeGreaterThan(0);
      expect(h.score).toBeLessThanOrEqual(1);
    }
    if (mode === 'lexical') {
      // One list: the i-th document scores 1/(60 + i), as a share of the first's 1/61.
      expect(scores).toEqual(scores.map((_, i) => Math.round((61 / (60 + i + 1)) * 1000) / 1000));
    } else {
      // Found by one retriever only, a document scores at most half of one first in both.
      for (const h of r.hits) if (h.matchedBy.length === 1) expect(h.score).toBeLessThanOrEqual(0.5);
      // The semantic side counts: a document only it found still scores.
      expect(r.hits.some((h) => h.matchedBy.join() === 'semantic')).toBe(true);
    }
  });

  it('never shows the same passage twice in a hit, and at most two', async () => {
    const r = await engine.search({ query: 'kafka consumer lag after a deploy', limit: 20 });
    for (const h of r.hits) {
      expect(h.snippets.length).toBeGreaterThan(0);
      expect(h.snippets.length).toBeLessThanOrEqual(2);
      expect(new Set(h.snippets.map((x) => x.text)).size).toBe(h.snippets.length);
    }
  });

  it('holds a passage found by both retrievers once: its snippet is not shown twice', async () => {
    // A document of two passages, so that both fit in the six a hit collects.
    const doc = (await engine.search({ query: 'Pixel android phone suspicious file rebooted', limit: 1 })).hits[0]!;
    expect(doc.title).toBe('Android Phone Incident');
    const [passage] = await (await engine.service.openEngine()).store.passages.ofDocuments([doc.documentId]);
    // The passage's own embedded text: in hybrid mode the vector side finds it first too.
    const r = await engine.search({ query: `${doc.title}\n\n${passage!.text}`, limit: 5 });
    const hit = r.hits.find((h) => h.documentId === doc.documentId)!;
    expect(hit.matchedBy).toEqual(mode === 'hybrid' ? ['lexical', 'semantic'] : ['lexical']);
    expect(hit.snippets.length).toBeGreaterThan(0);
    expect(new Set(hit.snippets.map((x) => x.text)).size).toBe(hit.snippets.length);
  });

  it('returns highlighted snippets from the passage that matched', async () => {
    const r = await engine.search({ query: 'CoreDNS upgrade', limit: 1 });
    expect(r.hits[0]!.title).toBe('CoreDNS upgrade issue');
    const s = r.hits[0]!.snippets[0]!;
    const marked = s.highlights.map(([a, b]) => s.text.slice(a, b).toLowerCase());
    expect(marked.some((m) => m.startsWith('coredns'))).toBe(true);
    expect(marked.some((m) => m.startsWith('upgrad'))).toBe(true);
  });

  it('marks the words of a quoted phrase in its snippets', async () => {
    const r = await engine.search({ query: '"CoreDNS upgrade"', limit: 1 });
    expect(r.hits[0]!.title).toBe('CoreDNS upgrade issue');
    const s = r.hits[0]!.snippets[0]!;
    const marked = s.highlights.map(([a, b]) => s.text.slice(a, b).toLowerCase());
    expect(marked.some((m) => m.startsWith('coredns'))).toBe(true);
    expect(marked.some((m) => m.startsWith('upgrad'))).toBe(true);
  });

  it('times the query embedding within the whole search', async () => {
    const r = await engine.search({ query: 'kafka consumer lag after a deploy', limit: 5 });
    if (mode === 'lexical') expect(r.embedMs).toBe(0);
    else {
      expect(r.embedMs).toBeGreaterThan(0);
      expect(r.embedMs).toBeLessThanOrEqual(r.tookMs);
    }
  });

  it('filters by date range, for both retrievers', async () => {
    const r = await engine.search({ query: 'mempool full node', since: '2024-01-01', until: '2024-12-31', limit: 50 });
    expect(r.hits.length).toBeGreaterThan(0);
    for (const h of r.hits) expect(h.occurredAt! >= '2024-01-01' && h.occurredAt! <= '2024-12-31T23:59:59.999Z').toBe(true);
  });

  it('filters by source folder and by kind', async () => {
    const r = await engine.search({ query: 'outage', sourcePrefix: join(POSTMORTEMS, 'posthog'), limit: 50 });
    expect(r.hits.length).toBeGreaterThan(0);
    for (const h of r.hits) expect(h.source.startsWith(join(POSTMORTEMS, 'posthog'))).toBe(true);
    expect((await engine.search({ query: 'outage', kinds: ['ticket'] })).hits).toEqual([]);
  });

  it('survives query syntax and odd input', async () => {
    for (const q of ['AND', '"unterminated', 'NEAR(a b)', 'title:foo', '*', '-', "'; DROP TABLE documents; --", '日本語']) {
      await expect(engine.search({ query: q })).resolves.toBeDefined();
    }
    // 125 postmortems; PROVENANCE.txt beside them is skipped as not an incident record.
    expect((await engine.stats()).documents).toBe(125);
  });
});
