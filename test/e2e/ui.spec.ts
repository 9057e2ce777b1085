import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDemo, type Served } from './serve.js';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

let served: Served;
const requests: string[] = [];

test.beforeAll(async () => {
  served = await serveDemo();
});
test.afterAll(async () => {
  await served.stop();
});

/** Opens the app, records every request the page makes, and waits for the demo data. */
async function open(page: Page, hash = '') {
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(served.url + hash);
  await expect(page.getByTestId('statusbar')).toContainText(/[1-9]\d* documents/, { timeout: 30_000 });
}

/** Drops files onto an element as a user would (a DataTransfer with File objects). */
async function drop(page: Page, selector: string, files: Array<{ name: string; content: string | Buffer; type?: string }>) {
  const payload = files.map((f) => ({ name: f.name, type: f.type ?? 'application/octet-stream', data: Buffer.from(f.content).toString('base64') }));
  const dt = await page.evaluateHandle((items) => {
    // Runs in the page; typed loosely because the test's own program has no DOM types.
    const w = globalThis as unknown as {
      DataTransfer: new () => { items: { add(file: unknown): void } };
      File: new (parts: Uint8Array[], name: string, options: { type: string }) => unknown;
      atob(s: string): string;
    };
    const t = new w.DataTransfer();
    for (const it of items) {
      const bytes = Uint8Array.from(w.atob(it.data), (c) => c.charCodeAt(0));
      t.items.add(new w.File([bytes], it.name, { type: it.type }));
    }
    return t;
  }, payload);
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: dt });
}

test('search: results as you type, filters, keyboard navigation and the document view', async ({ page }) => {
  await open(page);
  await expect(page.locator('#search-input')).toBeFocused();
  await page.screenshot({ path: join(SHOTS, '1-start.png') });
  await page.locator('#search-input').fill('consumer lag rebalance');
  const results = page.locator('.result');
  await expect(results.first()).toContainText(/Kafka|consumer|rebalance/i);
  await expect(page.locator('.result mark').first()).toBeVisible();
  await page.screenshot({ path: join(SHOTS, '2-search.png') });

  // Filter to tickets only.
  await page.getByRole('button', { name: 'Tickets' }).click();
  await expect.poll(async () => [...new Set((await results.locator('.badge').allTextContents()).map((b) => b.toLowerCase()))]).toEqual(['ticket']);
  await page.getByRole('button', { name: 'Tickets' }).click();
  // The unfiltered results are back (postmortems among them) before the keyboard acts on them.
  await expect.poll(async () => (await results.locator('.badge').allTextContents()).map((b) => b.toLowerCase()).some((b) => b !== 'ticket')).toBe(true);

  // Keyboard: second result, Enter opens it.
  await page.locator('#search-input').press('ArrowDown');
  await expect(results.nth(1)).toHaveAttribute('aria-selected', 'true');
  const title = (await results.nth(1).locator('.result-title').textContent())!;
  await page.locator('#search-input').press('Enter');
  await expect(page.locator('.doc-header h1')).toHaveText(title);
  await expect(page.locator('.doc-side')).toContainText('Services');
  await page.screenshot({ path: join(SHOTS, '3-document.png') });

  // Ctrl+K from anywhere comes back to a focused search box.
  await page.keyboard.press('Control+k');
  await expect(page.locator('#search-input')).toBeFocused();
});

test('import by dropping files: progress, the new documents, and a readable error for a bad file', async ({ page }) => {
  await open(page);
  const before = Number((await page.getByTestId('statusbar').textContent())!.match(/(\d+) documents/)![1]);
  const postmortem = readFileSync(join(CORPUS, 'postmortems/dfds/PM2020-004_-_CoreDNS_upgrade_issue.md'));
  await drop(page, '.app', [
    { name: 'PM2020-004_-_CoreDNS_upgrade_issue.md', content: postmortem, type: 'text/markdown' },
    { name: 'broken.pdf', content: 'this is not a PDF at all', type: 'application/pdf' },
  ]);
  const card = page.getByTestId('import-card').last();
  await expect(card).toContainText(/Imported 1 new/, { timeout: 30_000 });
  await expect(card).toContainText('1 file failed');
  await card.getByRole('button', { name: /Show 1 problem/ }).click();
  await expect(page.getByTestId('import-errors')).toContainText(/broken\.pdf is not a readable PDF/);
  await page.screenshot({ path: join(SHOTS, '4-import.png') });
  await expect(page.getByTestId('statusbar')).toContainText(`${before + 1} documents`);
  await page.locator('#search-input').fill('CoreDNS upgrade crash loop');
  await expect(page.locator('.result').first()).toContainText('CoreDNS upgrade issue');
});

test('similar incidents: verdict, explanations, what fixed it, who knows', async ({ page }) => {
  await open(page, '#/similar');
  await page.getByRole('textbox', { name: 'New incident' }).fill('Checkout is failing with 503 errors; payments-gateway logs say pool timed out while waiting for an open connection after the campaign email went out');
  await page.getByRole('button', { name: 'Find similar incidents' }).click();
  await expect(page.getByTestId('verdict')).toContainText(/Looks recurring|Partly familiar/);
  const first = page.getByTestId('incident').first();
  await expect(first).toContainText(/connection pool exhaustion|payments/i);
  await expect(first.locator('.chip-service')).toContainText(['payments-gateway']);
  await expect(first.locator('.pair').first()).toBeVisible();
  await expect(first.locator('.fix')).toContainText(/pgbouncer/i);
  await expect(page.locator('.experts')).toContainText('Priya Raman');
  await page.screenshot({ path: join(SHOTS, '5-similar.png'), fullPage: true });
});

test('patterns: themes, the monthly chart, click through to an incident', async ({ page }) => {
  await open(page, '#/patterns');
  const theme = page.getByTestId('theme').first();
  await expect(theme).toBeVisible();
  await expect(page.locator('svg.chart rect.bar').first()).toBeVisible();
  await expect(page.locator('.recurring')).toContainText('tracking-worker');
  await page.screenshot({ path: join(SHOTS, '6-patterns.png') });
  await theme.locator('.theme-head').click();
  const incident = theme.locator('.theme-incidents .link-button').first();
  const title = (await incident.textContent())!;
  await incident.click();
  await expect(page.locator('.doc-header h1')).toHaveText(title);
});

test('the page talks to nobody but its own origin', async () => {
  expect(requests.length).toBeGreaterThan(10);
  const foreign = requests.filter((u) => !u.startsWith(`${served.origin}/`) && !u.startsWith('data:'));
  expect(foreign).toEqual([]);
});

test('the bridge refuses requests without the token or from another origin', async ({ request }) => {
  const noToken = await request.post(`${served.origin}/api/stats`, { data: {} });
  expect(noToken.status()).toBe(404);
  const wrongToken = await request.get(`${served.origin}/not-the-token/`);
  expect(wrongToken.status()).toBe(404);
  const foreign = await request.post(`${served.url}api/stats`, { data: {}, headers: { origin: 'http://evil.example' } });
  expect(foreign.status()).toBe(403);
  const ok = await request.post(`${served.url}api/stats`, { data: {} });
  expect((await ok.json()).ok).toBe(true);
  const page = await request.get(served.url);
  expect(page.headers()['content-security-policy']).toContain("script-src 'self'");
});
