/**
 * A spec's imported database, built once per mutation run instead of once per mutant.
 *
 * Under `npm run test:mutation` every mutant re-runs the spec files that cover it, and their
 * `beforeAll` imports (125 real postmortems, embedded with a generated model) cost far more than
 * the tests. Stryker first runs every test with no mutant active (its dry run): there, the
 * database each spec builds is copied into HINDSIGHT_FIXTURE_CACHE (stryker.config.mjs sets it to
 * a fresh folder per run). In the mutant runs that follow, the spec starts from that copy: built
 * by the unmutated code, so a mutant can only be caught by what the tests ask of the database,
 * never by a build it would have broken (the score is then a floor, never inflated).
 *
 * Outside a mutation run (no cache folder, or Stryker's `mode` not provided) this is `open` then
 * `build`, exactly as the spec would do it.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { TestApi } from './api.js';

/** The files of a database: the SQLite file and the vector index beside it (when there is one). */
const FILES = ['', '.hnsw', '.hnsw.json'];

/** Stryker's vitest runner provides `mode` ('dry-run' or 'mutant') to every test file it runs. */
function strykerMode(): string | undefined {
  return (inject as unknown as (key: string) => unknown)('mode') as string | undefined;
}

export async function openFixture(name: string, options: Parameters<typeof TestApi.open>[0], build: (api: TestApi) => Promise<void>): Promise<TestApi> {
  const cacheRoot = process.env.HINDSIGHT_FIXTURE_CACHE;
  const mode = cacheRoot ? strykerMode() : undefined;
  const cached = cacheRoot ? join(cacheRoot, name) : '';
  if (mode === 'mutant' && existsSync(join(cached, 'db'))) {
    for (const f of FILES) if (existsSync(join(cached, `db${f}`))) copyFileSync(join(cached, `db${f}`), `${options.dbPath}${f}`);
    return TestApi.open(options);
  }
  const api = await TestApi.open(options);
  await build(api);
  if (mode !== 'dry-run') return api;
  // Settled before it is kept: the corpus model the import started is trained and stored, and
  // closing checkpoints the database into its one file.
  await (await api.service.openEngine()).corpusModelIdle();
  await api.close();
  mkdirSync(cached, { recursive: true });
  for (const f of FILES) if (existsSync(`${options.dbPath}${f}`)) copyFileSync(`${options.dbPath}${f}`, join(cached, `db${f}`));
  return TestApi.open(options);
}
