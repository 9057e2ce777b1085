import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvents, IndexProgress } from '../../../native/contract.js';
import { TestApi } from '../../support/api.js';
import { ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const models = { roots: [ensureTinyModel(join(dir, 'models'))], preferred: 'gte-small', allowUnverified: true };
let n = 0;
let api: TestApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

/** A folder of `count` postmortems, one of them about a Redis failover. */
function corpus(count: number): string {
  const folder = join(dir, `corpus-${n++}`);
  mkdirSync(folder);
  for (let i = 0; i < count; i++) {
    const body = i === 7
      ? '# Redis failover\n\n## Summary\n\nSentinel promoted a lagging replica and writes were lost.\n'
      : `# Deploy ${i}\n\n## Summary\n\nA config push to service-${i} raised error rates for ${i} minutes.\n\n## Root cause\n\nA flag default changed in build ${i}.\n`;
    writeFileSync(join(folder, `pm-${i}.md`), body);
  }
  return folder;
}

function nextIndexDone(t: TestApi): Promise<ApiEvents['indexDone']> {
  return new Promise((resolve) => {
    const off = t.on('indexDone', (d) => {
      off();
      resolve(d);
    });
  });
}

describe('embedding in the background after a lexical import', () => {
  it('imports without vectors, searches lexically meanwhile, and is hybrid once the job is done', async () => {
    api = await TestApi.open({ dbPath: join(dir, `bg-${n}.db`), models });
    const done = nextIndexDone(api);
    const summary = await api.import({ paths: [corpus(12)] }, { background: true });
    expect(summary.chunksWritten).toBeGreaterThan(12);
    expect(summary.chunksEmbedded).toBe(0);
    expect(summary.semantic).toBe(true);
    // Right after the import the words are searchable; the vectors are not there yet.
    const early = await api.search({ query: 'sentinel promoted replica' });
    expect(early.hits[0]?.title).toBe('Redis failover');
    const ended = await done;
    expect(ended).toMatchObject({ status: 'done', failure: null, embedded: summary.chunksWritten });
    expect((await api.stats()).index).toMatchObject({ pending: 0, embedded: summary.chunksWritten });
    const late = await api.search({ query: 'sentinel promoted replica' });
    expect(late.mode).toBe('hybrid');
    expect(late.hits[0]!.matchedBy).toContain('semantic');
  });

  it('stops making progress while paused, keeps its place, and finishes after resume', async () => {
    api = await TestApi.open({ dbPath: join(dir, `pause-${n}.db`), models });
    const t = api;
    const progress: IndexProgress[] = [];
    t.on('indexProgress', (p) => progress.push(p));
    // Paused the moment the import ends, before the job has embedded a batch.
    const paused = new Promise<void>((resolve) => {
      const off = t.on('importDone', () => {
        off();
        void t.invoke('pauseReindex', {}).then((r) => {
          expect(r.paused).toBe(true);
          resolve();
        });
      });
    });
    const done = nextIndexDone(t);
    const summary = await t.import({ paths: [corpus(120)] }, { background: true });
    await paused;
    await expect.poll(() => progress.some((p) => p.phase === 'paused'), { timeout: 20_000 }).toBe(true);
    const held = (await t.stats()).index.embedded;
    expect(held).toBeLessThan(summary.chunksWritten);
    await new Promise((r) => setTimeout(r, 700));
    expect((await t.stats()).index.embedded).toBe(held);
    // Searching works while paused (by its words for what is not embedded; some pages may be).
    const during = await t.search({ query: 'sentinel promoted replica' });
    expect(during.hits.slice(0, 3).find((h) => h.title === 'Redis failover')?.matchedBy).toContain('lexical');
    expect((await t.invoke('resumeReindex', {})).resumed).toBe(true);
    const ended = await done;
    expect(ended.status).toBe('done');
    // One job from start to end: what it did before the pause counts too.
    expect(ended.embedded).toBe(summary.chunksWritten);
    expect((await t.stats()).index.pending).toBe(0);
  });

  it('lets an import go first: the job holds between batches while one is queued, then embeds its passages too', async () => {
    api = await TestApi.open({ dbPath: join(dir, `yield-${n}.db`), models });
    const t = api;
    const order: string[] = [];
    const phases: string[] = [];
    t.on('indexProgress', (p) => phases.push(p.phase));
    t.on('importDone', (d) => order.push(`import ${d.importId}`));
    t.on('indexDone', () => order.push('embedding done'));
    const first = await t.import({ paths: [corpus(150)] }, { background: true });
    // The job is running; this import must not wait for all of it.
    const second = await t.import({ paths: [corpus(3)] });
    expect(second.documentsAdded).toBe(3);
    expect(order[1]).toBe(`import ${second.importId}`);
    expect(order[2]).toBe('embedding done');
    expect(phases).toContain('waiting');
    expect((await t.stats()).index).toMatchObject({ pending: 0, embedded: first.chunksWritten + second.chunksWritten });
  });
});
