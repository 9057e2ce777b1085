import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the real UI in Debian's Chromium (never a downloaded browser), in browser
 * mode: `ui.spec.ts` against `hindsight serve --demo`, `corpus.spec.ts` against an empty database
 * fed the shared corpus through the page. Screenshots of every screen (light and dark) are kept
 * in test-results/screenshots.
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/playwright',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Playwright gives every run a fresh, empty profile.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'off',
  },
});
