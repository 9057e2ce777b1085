import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { manifestPath } from '../../../native/vector/vector-index.js';
import { CORPUS, ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const models = { roots: [ensureTinyModel(join(dir, 'models'))], preferred: 'gte-small', allowUnverified: true };
const dbPath = join(dir, 'v.db');
const indexPath = `${dbPath}.hnsw`;
const QUERY = 'target groups detached from the load balancer';
let open: TestApi[] = [];

async function engine(): Promise<TestApi> {
  const e = await TestApi.open({ dbPath, models });
  open.push(e);
  return e;
}
async function ranking(e: TestApi): Promise<number[]> {
  return (await e.search({ query: QUERY, limit: 10 })).hits.map((h) => h.documentId);
}

describe('the HNSW index is a cache of the vectors in SQLite', () => {
  let reference: number[];

  beforeAll(async () => {
    const e = await engine();
    await e.import({ paths: [join(CORPUS, 'postmortems/dfds')] });
    reference = await ranking(e);
    await e.close();
    open = [];
  });
  afterEach(async () => {
    for (const e of open) await e.close();
    open = [];
  });

  it('reopens as is when nothing changed', async () => {
    const e = await engine();
    expect(await ranking(e)).toEqual(reference);
    expect((await e.stats()).index.health).toBe('ok');
  });

  it('rebuilds a deleted index file and answers the same', async () => {
    rmSync(indexPath);
    const e = await engine();
    expect(await ranking(e)).toEqual(reference);
    expect((await e.stats()).index.health).toBe('rebuilt');
    expect(existsSync(indexPath)).toBe(true);
  });

  it('rebuilds a corrupt index file instead of trusting it', async () => {
    writeFileSync(indexPath, Buffer.alloc(4096, 0xab));
    const e = await engine();
    expect(await ranking(e)).toEqual(reference);
    expect((await e.stats()).index.health).toBe('rebuilt');
  });

  it('repairs a stale index: adds passages it misses, drops ones that are gone', async () => {
    copyFileSync(indexPath, `${indexPath}.bak`);
    copyFileSync(manifestPath(indexPath), `${manifestPath(indexPath)}.bak`);
    const e1 = await engine();
    // Changes the index file does not know about once the old copy is put back.
    const extra = join(dir, 'extra.md');
    writeFileSync(extra, '# Load balancer target groups detached again\n\n## Summary\n\nTarget groups detached from the load balancer after a deploy.\n');
    await e1.import({ paths: [extra] });
    const removed = e1.db.prepare("SELECT id FROM documents WHERE source LIKE '%PM2021-005%'").pluck().get() as number;
    e1.db.prepare('DELETE FROM documents WHERE id = ?').run(removed);
    await e1.close();
    open = [];
    copyFileSync(`${indexPath}.bak`, indexPath);
    copyFileSync(`${manifestPath(indexPath)}.bak`, manifestPath(indexPath));

    const e2 = await engine();
    const hits = await e2.search({ query: QUERY, limit: 50 });
    expect((await e2.stats()).index.health).toBe('repaired');
    const ids = hits.hits.map((h) => h.documentId);
    expect(ids).not.toContain(removed);
    const extraId = e2.db.prepare('SELECT id FROM documents WHERE source = ?').pluck().get(extra);
    expect(hits.hits.find((h) => h.documentId === extraId)?.matchedBy).toContain('semantic');
    // Everything embedded is in the index again.
    expect((await e2.stats()).index.embedded).toBe(e2.db.prepare('SELECT count(*) FROM chunks').pluck().get());
  });
});
