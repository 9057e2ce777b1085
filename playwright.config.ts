import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the real UI in Debian's Chromium (never a downloaded browser), against
 * `hindsight serve --demo` (browser mode). Screenshots of every main screen are kept in
 * test-results/screenshots.
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/playwright',
  use: {
    browserName: 'chromium',
    viewport: { width: 1360, height: 860 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Playwright gives every run a fresh, empty profile.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'off',
  },
});
