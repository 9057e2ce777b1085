/**
 * The embedding worker dying mid-session (a native crash in ONNX Runtime, the OS killing a thread
 * that ran out of memory): calls waiting on it fail with a clear error at once, and the engine
 * starts a new worker for the next call, so hybrid search and similar keep working.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedder } from '../../../native/embed/embedder.js';
import { locateModel } from '../../../native/embed/model-locator.js';
import type { Engine } from '../../../native/engine.js';
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
    const embedder = (await embedderOf(api))!;
    const worker = workerOf(embedder);
    // The worker dies right after it was handed the query.
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (m: unknown) => {
      post(m);
      void worker.terminate();
    };
    await expect(api.search({ query: 'evicted pods' })).rejects.toMatchObject({ reason: 'embed-failed', message: /The embedding worker stopped/ });
    const again = await api.search({ query: 'evicted pods' });
    expect(again).toMatchObject({ mode: 'hybrid' });
    expect(again.hits[0]!.title).toBe('CoreDNS outage');
  });

  // KNOWN DEFECT (reported to the lead; the fix is in native/engine.ts, outside this branch's area):
  // Engine.import takes the embedder once per import, so after its worker dies every later file of
  // that import fails with "The embedding worker stopped" instead of getting a new worker. The fix
  // is `embedPassages: async (texts) => (await this.getEmbedder()).embedPassages(texts)`. `fails`
  // keeps this test honest until then: it turns red when the fix lands, and `.fails` goes.
  it.fails('an import whose worker dies fails only the file being embedded; the next files are embedded by a new worker', async () => {
    const more = join(dir, 'more');
    mkdirSync(more);
    for (const n of ['a', 'b', 'c']) writeFileSync(join(more, `${n}.md`), `# Disk full ${n}\n\n## Root cause\n\nAudit logs of service ${n} filled the disk.\n`);
    const embedder = (await embedderOf(api))!;
    const worker = workerOf(embedder);
    const post = worker.postMessage.bind(worker);
    let posts = 0;
    worker.postMessage = (m: unknown) => {
      post(m);
      if (++posts === 1) void worker.terminate();
    };
    const s = await api.import({ paths: [more] });
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]!.message).toMatch(/embedding worker stopped/);
    expect(s.documentsAdded).toBe(2);
    expect((await api.stats()).index.pending).toBe(0);
  });
});
