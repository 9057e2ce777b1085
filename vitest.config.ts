import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // Browser tests run under Playwright (playwright.config.ts), not here.
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Native modules (better-sqlite3, onnxruntime) are not safe to share across worker_threads
    // isolates in every version; forks keep each test file in its own process.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
