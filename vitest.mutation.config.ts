import { mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * Vitest as mutation testing runs it (stryker.config.mjs): the same tests, but test files share
 * one module graph instead of importing the engine afresh for each file and each mutant (9 of a
 * bridge test's 16 s are imports). Mutants are switched on at run time, so shared modules still
 * run each mutant; only code that runs once at module load (constants) is not re-evaluated, so
 * such mutants may survive where they would be killed: the scores err low, never high.
 */
export default mergeConfig(base, { test: { isolate: false } });
