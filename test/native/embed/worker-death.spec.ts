/**
 * The embedding worker dying mid-session (a native crash in ONNX Runtime, the OS killing a thread
 * that ran out of memory): calls waiting on it fail with a clear error at once, and the engine
 * starts a new worker for the next call, so hybrid search and similar keep working. The embedding
 * job (reindex) starts a new worker and embeds again the pages the dead one had not answered, a
 * bounded number of times; past that it fails with a clear error, keeping what it wrote.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Embedder } from '../../../native/embed/embedder.js';
import { locateModel } from '../../../native/embed/model-locator.js';
import type { ApiEvents, IndexProgress } from '../../../native/contract.js';
import { EMBED_WORKER_RESTARTS, type Engine } from '../../../native/engine.js';
import { TestApi } from '../../support/api.js';
import { ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const models = { roots: [ensureTinyModel(join(dir, 'models'))], preferred: 'gte-small', allowUnverified: true };

/**
 * The worker thread behind an embedder. Private by design (nothing outside should reach it);
 * a test that kills it has to reach in.
 */
const workerOf = (e: Embedder) => (e as unknown as { worker: Worker }).worker;

/** The engine behind a TestApi's door, and its current embedder (null before first use). */
async function embedderOf(api: TestApi): Promise<Embedder | null> {
  const engine = await (api.service as unknown as { engineOpen: Promise<Engine> }).engineOpen;
  return (engine as unknown as { embedder: Embedder | null }).embedder;
}

describe('Embedder: a worker that dies', () => {
  it('fails the calls pending at its death at once, says why, and refuses later calls the same way', async () => {
    const { model } = await locateModel(models);
    const embedder = await Embedder.start(model!, 1);
    expect(embedder.alive).toBe(true);
    const pending = [embedder.embedQuery('kafka consumer lag'), embedder.embedPassages(['one passage', 'another passage'])];
    // Killed before it could answer either.
    const t = performance.now();
    await workerOf(embedder).terminate();
    const settled = await Promise.allSettled(pending);
    for (const r of settled) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'model-failed', reason: 'embed-failed', message: 'The embedding worker stopped: exit code 1' } });
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(embedder.alive).toBe(false);
    await expect(embedder.embedQuery('after')).rejects.toMatchObject({ reason: 'embed-failed', message: 'The embedding worker stopped: exit code 1' });
    // An empty request needs no worker.
    expect(await embedder.embedPassages([])).toEqual([]);
    await embedder.close();
  });

  it('is not alive after close, and calls then fail instead of waiting', async () => {
    const { model } = await locateModel(models);
    const embedder = await Embedder.start(model!, 1);
    await embedder.close();
    expect(embedder.alive).toBe(false);
    await expect(embedder.embedQuery('x')).rejects.toMatchObject({ reason: 'embed-failed', message: /worker stopped: closed/ });
  });
});

describe('engine: the embedding worker dies mid-session', () => {
  let api: TestApi;
  beforeAll(async () => {
    const docs = join(dir, 'docs');
    mkdirSync(docs);
    writeFileSync(join(docs, 'redis.md'), '# Redis failover\n\n## Summary\n\nCheckout failed for 20 minutes.\n\n## Root cause\n\nSentinel promoted a lagging replica and writes were lost.\n');
    writeFileSync(join(docs, 'kafka.md'), '# Kafka consumer lag\n\n## Summary\n\nOrders were delayed by an hour.\n\n## Root cause\n\nA consumer group rebalanced in a loop after a deploy.\n');
    writeFileSync(join(docs, 'dns.md'), '# CoreDNS outage\n\n## Summary\n\nInternal names did not resolve.\n\n## Root cause\n\nThe CoreDNS pods were evicted under memory pressure.\n');
    api = await TestApi.open({ dbPath: join(dir, 'death.db'), models });
    const s = await api.import({ paths: [docs] });
    expect(s.documentsAdded).toBe(3);
    expect((await api.stats()).index.embedded).toBeGreaterThan(0);
  });
  afterAll(() => api.close());

  it('serves the next search and similar in hybrid mode with a new worker', async () => {
    expect((await api.search({ query: 'replica promoted by sentinel' })).mode).toBe('hybrid');
    const first = (await embedderOf(api))!;
    await workerOf(first).terminate();
    expect(first.alive).toBe(false);

    const hit = await api.search({ query: 'replica promoted by sentinel' });
    expect(hit.mode).toBe('hybrid');
    expect(hit.hits[0]!.title).toBe('Redis failover');
    const second = (await embedderOf(api))!;
    expect(second).not.toBe(first);
    expect(second.alive).toBe(true);

    await workerOf(second).terminate();
    const similar = await api.similar({ text: 'consumer group keeps rebalancing, orders delayed' });
    expect(similar.mode).toBe('hybrid');
    expect(similar.incidents[0]!.incident.title).toBe('Kafka consumer lag');
    expect((await embedderOf(api))!.alive).toBe(true);
  });

  it('fails a search whose query was being embedded when the worker died, with a clear error, and the next one works', async () => {
    // The worker dies when handed the query, before it can answer (terminating it right after
    // posting raced the tiny model's 7 ms answer).
    dieOnRequest((await embedderOf(api))!, 1);
    await expect(api.search({ query: 'evicted pods' })).rejects.toMatchObject({ reason: 'embed-failed', message: /The embedding worker stopped/ });
    const again = await api.search({ query: 'evicted pods' });
    expect(again).toMatchObject({ mode: 'hybrid' });
    expect(again.hits[0]!.title).toBe('CoreDNS outage');
  });
});

/**
 * Makes an embedder's worker die when it is handed its `nth` request: that request and any after
 * it are never delivered, and the worker is terminated once it has answered the ones before (a
 * worker terminated while ONNX Runtime is inside a batch aborts the whole process, which is not
 * the death under test: the job's worker stopping, its process going on).
 */
function dieOnRequest(embedder: Embedder, nth: number): void {
  const worker = workerOf(embedder);
  const post = worker.postMessage.bind(worker);
  const pending = (embedder as unknown as { pending: Map<number, unknown> }).pending;
  let posts = 0;
  let held = 0;
  worker.postMessage = (m: unknown) => {
    if (++posts < nth) return post(m);
    if (++held > 1) return;
    const idle = setInterval(() => {
      if (pending.size > held) return;
      clearInterval(idle);
      void worker.terminate();
    }, 5);
  };
}

/** Every worker started from now on dies when handed its `nth` request. */
function workersDieOnRequest(nth: number): { started: () => number } {
  const start = Embedder.start.bind(Embedder);
  let started = 0;
  vi.spyOn(Embedder, 'start').mockImplementation(async (...args) => {
    const embedder = await start(...args);
    started++;
    dieOnRequest(embedder, nth);
    return embedder;
  });
  return { started: () => started };
}

/** The next indexDone, or a failure naming the hang (the job must never leave a caller waiting). */
function nextIndexDone(api: TestApi, ms = 150_000): Promise<ApiEvents['indexDone']> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no indexDone within ${ms} ms: the embedding job hangs`)), ms);
    const off = api.on('indexDone', (d) => {
      clearTimeout(timer);
      off();
      resolve(d);
    });
  });
}

/** Passage ids in the order the store was given their vectors, over the engine's life. */
async function recordVectorWrites(api: TestApi): Promise<number[]> {
  const engine = await (api.service as unknown as { engineOpen: Promise<Engine> }).engineOpen;
  const written: number[] = [];
  const set = engine.store.passages.setVectors.bind(engine.store.passages);
  engine.store.passages.setVectors = async (rows) => {
    written.push(...rows.map((r) => r.id));
    return set(rows);
  };
  return written;
}

let n = 0;
/** `count` postmortems (a few hundred passages: several pages of the embedding job). */
function corpus(count: number): string {
  const folder = join(dir, `job-corpus-${n++}`);
  mkdirSync(folder);
  for (let i = 0; i < count; i++) {
    const body = i === 5
      ? '# Redis failover\n\n## Summary\n\nSentinel promoted a lagging replica and writes were lost.\n'
      : `# Deploy ${i}\n\n## Summary\n\nA config push to service-${i} raised error rates for ${i} minutes.\n\n## Root cause\n\nA flag default changed in build ${i}.\n`;
    writeFileSync(join(folder, `pm-${i}.md`), body);
  }
  return folder;
}

describe('the embedding job when its worker dies', () => {
  let api: TestApi | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await api?.close();
    api = null;
  });

  it('starts a new worker and finishes: every passage embedded exactly once, progress honest', async () => {
    api = await TestApi.open({ dbPath: join(dir, `job-restart-${n}.db`), models });
    const t = api;
    const written = await recordVectorWrites(t);
    const progress: IndexProgress[] = [];
    t.on('indexProgress', (p) => progress.push(p));
    // Only the first worker dies, when handed its second request (one request per page of 64
    // passages): the first page is written, the second is not answered.
    let first = true;
    const start = Embedder.start.bind(Embedder);
    vi.spyOn(Embedder, 'start').mockImplementation(async (...args) => {
      const embedder = await start(...args);
      if (first) dieOnRequest(embedder, 2);
      first = false;
      return embedder;
    });
    const done = nextIndexDone(t);
    const summary = await t.import({ paths: [corpus(120)] }, { background: true });
    const ended = await done;

    expect(first).toBe(false);
    expect(Embedder.start).toHaveBeenCalledTimes(2);
    expect(ended).toMatchObject({ status: 'done', failure: null, embedded: summary.chunksWritten });
    expect((await t.stats()).index).toMatchObject({ pending: 0, embedded: summary.chunksWritten });
    // Exactly once: the pages the dead worker had not answered were embedded again, no page twice.
    expect(written).toHaveLength(summary.chunksWritten);
    expect(new Set(written).size).toBe(summary.chunksWritten);
    // Progress never ran ahead of what was written, nor went back.
    const embedding = progress.filter((p) => p.phase === 'embedding');
    for (let i = 1; i < embedding.length; i++) expect(embedding[i]!.done).toBeGreaterThanOrEqual(embedding[i - 1]!.done);
    expect(progress.every((p) => p.done <= p.total)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: summary.chunksWritten, total: summary.chunksWritten });
    // The new worker serves searches afterwards.
    const hit = await t.search({ query: 'sentinel promoted replica' });
    expect(hit.hits[0]).toMatchObject({ title: 'Redis failover', matchedBy: expect.arrayContaining(['semantic']) });
  }, 240_000);

  it('fails the run with a clear error when every new worker dies too, keeps what it wrote, and a later run resumes', async () => {
    api = await TestApi.open({ dbPath: join(dir, `job-fail-${n}.db`), models });
    const t = api;
    const written = await recordVectorWrites(t);
    // Each worker dies when handed its third request (one per page of 64 passages; the job has two
    // pages in flight), so each writes two pages before it dies, and three workers cannot write the
    // eight pages of this corpus.
    const deaths = workersDieOnRequest(3);
    const done = nextIndexDone(t);
    const summary = await t.import({ paths: [corpus(250)] }, { background: true });
    const ended = await done;
    expect(summary.chunksWritten).toBeGreaterThan(7 * 64);

    // The first worker and EMBED_WORKER_RESTARTS new ones, then no more.
    expect(deaths.started()).toBe(1 + EMBED_WORKER_RESTARTS);
    expect(ended.status).toBe('failed');
    expect(ended.failure).toMatchObject({ code: 'model-failed', message: expect.stringMatching(/^The embedding worker stopped 3 times during reindexing \(The embedding worker stopped: exit code 1\); \d+ of \d+ passages are embedded and kept\.$/) });
    expect(ended.failure!.hint).toMatch(/reindex again/);
    const after = await t.stats();
    // The database is consistent and the event honest: what was written counts, nothing else.
    expect(after.index.embedded).toBe(ended.embedded);
    expect(after.index.embedded).toBeGreaterThan(0);
    expect(after.index.embedded + after.index.pending).toBe(summary.chunksWritten);
    expect(written).toHaveLength(after.index.embedded);
    // Searching still works meanwhile (a new worker answers the query: queries are not the job's).
    vi.restoreAllMocks();
    const meanwhile = await t.search({ query: 'sentinel promoted replica' });
    expect(meanwhile.mode).toBe('hybrid');
    expect(meanwhile.hits.find((h) => h.title === 'Redis failover')?.matchedBy).toContain('lexical');

    // A later run takes only what is left, and the writer lock was let go.
    const resumed = nextIndexDone(t);
    expect(await t.invoke('startReindex', {})).toEqual({ pending: after.index.pending });
    expect(await resumed).toMatchObject({ status: 'done', failure: null, embedded: after.index.pending });
    expect((await t.stats()).index).toMatchObject({ pending: 0, embedded: summary.chunksWritten });
    expect(new Set(written).size).toBe(summary.chunksWritten);
    expect(written).toHaveLength(summary.chunksWritten);
  }, 240_000);
});
