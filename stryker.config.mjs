// Mutation testing (StrykerJS + its Vitest runner): `npm run test:mutation`, not part of `npm test`.
//
// One group of source files at a time (a run over everything takes hours on two cores):
//   MUTATE=server npm run test:mutation
//   MUTATE=import,service npm run test:mutation
// Without MUTATE it runs the groups whose tests are kept at the goal (all but search and similar).
// Each selection keeps its own incremental file, so a re-run only tests mutants of changed code
// or of code whose tests changed. Reports: reports/mutation/<selection>.html and .json.
//
// A folder too big to run whole is measured on a seeded sample (scripts/mutation-sample.mjs):
//   MUTATE=import MUTATION_SAMPLE=80 npm run test:mutation      (MUTATION_SEED=1 by default)
// tests the mutants of randomly drawn mutant locations until 80 mutants, and prints the score with
// a 95 % interval; `node scripts/mutation-sample.mjs report import.sample-80-seed-1` prints it for a cut run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mutateRanges, prepareSampledRun } from './scripts/mutation-sample.mjs';

/**
 * Per group: the source files mutated, and the test files that must kill their mutants (a
 * group's own tests: the score says what they catch, and a run does not pay for the whole suite).
 * Each group's score is reported in docs/architecture.md (Testing).
 */
export const GROUPS = {
  // The import pipeline itself: walking, detection, decoding, limits, ZIP reading, the importer.
  // Format readers (formats/, slack/, tickets/, chat/) are not in this group.
  import: { mutate: ['native/import/*.ts'], tests: ['test/native/import/*.spec.ts'] },
  service: { mutate: ['native/service/**/*.ts'], tests: ['test/native/service/**/*.spec.ts', 'test/native/server/**/*.spec.ts'] },
  // Nearly all of contract.ts runs once, at load (tables, schemas): every test file given here
  // runs for every one of its mutants, so they are the light ones that pin it.
  contract: { mutate: ['native/contract.ts'], tests: ['test/native/service/contract.spec.ts', 'test/native/service/access.spec.ts'] },
  server: { mutate: ['native/server/**/*.ts'], tests: ['test/native/server/**/*.spec.ts'] },
  electron: { mutate: ['electron/router.ts', 'electron/engine-host.ts'], tests: ['test/electron/**/*.spec.ts'] },
  // Measured a few lines at a time (`--mutate native/search/search.ts:89-108`): each mutant runs
  // real imports and searches, a minute or more on the shared machine.
  search: { mutate: ['native/search/**/*.ts'], tests: ['test/native/search/**/*.spec.ts'] },
  similar: { mutate: ['native/similar/**/*.ts'], tests: ['test/native/similar/**/*.spec.ts'] },
  // Pure modules against their own unit specs only: seconds a mutant instead of a minute, so they
  // can be measured whole. A score here is a floor for the file (the pipeline specs of its folder
  // catch more).
  'similar-verdict': { mutate: ['native/similar/verdict.ts'], tests: ['test/native/similar/verdict.spec.ts'] },
  'import-decode': { mutate: ['native/import/decode-text.ts', 'native/import/detect-format.ts'], tests: ['test/native/import/formats.spec.ts', 'test/native/import/limits.spec.ts'] },
};

const DEFAULT = ['import', 'service', 'contract', 'server', 'electron'];
const chosen = (process.env.MUTATE ? process.env.MUTATE.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULT).sort();
const unknown = chosen.filter((g) => !(g in GROUPS));
if (unknown.length) throw new Error(`MUTATE names unknown groups: ${unknown.join(', ')} (known: ${Object.keys(GROUPS).join(', ')})`);
const sampleSize = process.env.MUTATION_SAMPLE ? Number(process.env.MUTATION_SAMPLE) : 0;
if (!Number.isInteger(sampleSize) || sampleSize < 0) throw new Error(`MUTATION_SAMPLE must be a whole number of mutants, not "${process.env.MUTATION_SAMPLE}"`);
const seed = Number(process.env.MUTATION_SEED ?? 1);
if (!Number.isInteger(seed)) throw new Error(`MUTATION_SEED must be a whole number, not "${process.env.MUTATION_SEED}"`);
const selection = chosen.join('+') + (sampleSize ? `.sample-${sampleSize}-seed-${seed}` : '');
// The sampled runs of one seed share their results: a larger sample re-tests none of a smaller one.
const incrementalFile = `reports/mutation/${chosen.join('+')}${sampleSize ? `.sample-seed-${seed}` : ''}.incremental.json`;
const files = chosen.flatMap((g) => GROUPS[g].mutate);
// A sampled run mutates only the sampled locations (each one a `mutate` range).
const sample = sampleSize ? await prepareSampledRun(files, sampleSize, seed, `reports/mutation/${selection}.sample.jsonl`) : null;

// The sandbox is a copy of the project in .stryker-tmp/, where ../shared (the corpus) is not:
// tests find it through HINDSIGHT_SHARED (test/support/generated-models.ts). Set here, in the
// parent process, so that every test-runner process inherits it.
process.env.HINDSIGHT_SHARED ??= resolve('..', 'shared');
// Specs that import a corpus build it once, in Stryker's dry run, and every mutant run starts from
// that copy (test/support/fixture-db.ts): a fresh folder per run, removed at its end.
if (!process.env.HINDSIGHT_FIXTURE_CACHE) {
  process.env.HINDSIGHT_FIXTURE_CACHE = mkdtempSync(join(tmpdir(), 'hindsight-fixtures-'));
  const cache = process.env.HINDSIGHT_FIXTURE_CACHE;
  process.on('exit', () => rmSync(cache, { recursive: true, force: true }));
}
// The groups' test files, for vitest.mutation.config.ts (not Stryker's `testFiles`: see there).
process.env.HINDSIGHT_MUTATION_TESTS = JSON.stringify(chosen.flatMap((g) => GROUPS[g].tests));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner', './scripts/mutation-sample.mjs'],
  // In a sampled run: ignores what a sampled node holds that is not in the sample.
  ignorers: sample ? ['mutation-sample'] : [],
  // Test files are isolated as in `npm test` (each imports the code afresh): mutants of code that
  // runs once at load (tables, schemas) are then tested, and coverage is known per test, so each
  // mutant runs only the tests that reach it.
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  // Each mutant runs only the tests that reach it.
  coverageAnalysis: 'perTest',
  mutate: sample ? mutateRanges(sample) : files,
  incremental: true,
  incrementalFile,
  reporters: ['clear-text', 'progress', 'html', 'json', ...(sample ? ['mutation-sample'] : [])],
  htmlReporter: { fileName: `reports/mutation/${selection}.html` },
  jsonReporter: { fileName: `reports/mutation/${selection}.json` },
  // The machine is shared: one test process at a time by default (STRYKER_CONCURRENCY to change).
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // Generous: the tests start real processes, servers and worker threads, on a loaded machine.
  timeoutMS: 10_000,
  // The dry run of import's specs alone takes over five minutes (Stryker's default) here.
  dryRunTimeoutMinutes: 30,
  timeoutFactor: 2,
  // No type checker runs (Vitest does not type-check), and the preprocessor would otherwise
  // rewrite test fixtures (HTML exports) to add @ts-nocheck.
  disableTypeChecks: false,
  // Only what the tests need is copied into the sandbox.
  ignorePatterns: ['.stryker-tmp*', 'dist', 'dist-electron', 'release', '.electron-native', 'test-results', '.scratch', '.cache', 'reports', 'bench', 'eval', 'renderer', 'test/e2e', '*.db', '*.log'],
  thresholds: { high: 85, low: 75, break: null },
  cleanTempDir: true,
};
