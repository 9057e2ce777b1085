// Vitest as the mutation runs use it (stryker.config.mjs): the project's settings, with only the
// test files of the groups being mutated (HINDSIGHT_MUTATION_TESTS, a JSON list of globs).
//
// Why here and not in Stryker's `testFiles`: with `testFiles`, Stryker 9 activates every mutant
// at run time, after the modules were loaded, so a mutant of code that runs at load (the
// contract's tables and schemas, constants) is never active and always "survives"
// (stryker-mutator/stryker-js#6144). Restricting the files here leaves Stryker free to load the
// code afresh with such a mutant active.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const tests = JSON.parse(process.env.HINDSIGHT_MUTATION_TESTS ?? 'null') as string[] | null;
if (!Array.isArray(tests) || !tests.length) throw new Error('vitest.mutation.config.ts is for `npm run test:mutation` (HINDSIGHT_MUTATION_TESTS names the test files).');

// Three times the usual limits: Stryker's dry run executes instrumented code (coverage per
// test) on a shared machine, and one test over its limit there fails the whole run. A mutant's
// own time limit is Stryker's (timeoutMS, timeoutFactor), measured from that dry run.
const limit = (ms: number | undefined) => 3 * (ms ?? 5_000);
export default defineConfig({ ...base, test: { ...base.test, include: tests, testTimeout: limit(base.test?.testTimeout), hookTimeout: limit(base.test?.hookTimeout ?? 10_000) } });
