import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTinyModel } from '../support/generated-models.js';
import { checkScreen, CORPUS, documentCount, drop } from './helpers.js';
import { serve, type Served } from './serve.js';

/**
 * The app on real exports (the shared corpus: 125 postmortems, a Slack workspace, Jira XML,
 * GitHub issues, ServiceNow's event log), as a new user meets it: an empty database, imports
 * through the page, a model installed from a folder, then the screens.
 */
let served: Served;
let work: string;
let page: Page;
let context: BrowserContext;
test.describe.configure({ mode: 'serial', timeout: 180_000 });

test.beforeAll(async ({ browser }) => {
  // The test model is generated (random weights): only accepted with the explicit test switch.
  served = await serve({ env: { HINDSIGHT_ALLOW_UNVERIFIED_MODEL: '1' } });
  work = mkdtempSync(join(tmpdir(), 'hindsight-e2e-corpus-'));
  // A folder as users have them: the postmortems with junk beside them.
  const pms = join(work, 'postmortems');
  cpSync(join(CORPUS, 'postmortems'), pms, { recursive: true });
  writeFileSync(join(pms, '.DS_Store'), Buffer.from([0, 0, 0, 1, 66, 117, 100, 49, 0, 0, 16, 0]));
  writeFileSync(join(pms, 'whiteboard.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
  mkdirSync(join(pms, '.git'));
  writeFileSync(join(pms, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(pms, 'broken.pdf'), 'not a PDF');
  ensureTinyModel(join(work, 'models'));
  // One page for the whole run (axe needs it to belong to a context of its own).
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  await page.goto(served.url);
  await expect(page.getByTestId('statusbar')).toContainText('0 documents', { timeout: 30_000 });
});

test.afterAll(async () => {
  await context?.close();
  await served?.stop();
  rmSync(work, { recursive: true, force: true });
});

const card = () => page.getByTestId('import-card').last();

test('an empty database: similar offers an import, not a verdict', async () => {
  await page.goto(`${served.url}#/similar`);
  await page.getByRole('textbox', { name: 'New incident' }).fill('CoreDNS pods crash looping after the cluster upgrade');
  await page.keyboard.press('Control+Enter');
  const empty = page.getByTestId('nothing-to-compare');
  await expect(empty).toContainText('Nothing to compare with yet');
  await expect(empty.getByRole('button', { name: 'Import a folder…' })).toBeVisible();
  await expect(page.getByTestId('verdict')).toHaveCount(0);
  await checkScreen(page, 'corpus-00-similar-empty');
  await page.goto(served.url);
});

test('a drop refused half-way (the same name twice) says why, and leaves no upload behind', async () => {
  const before = await documentCount(page);
  await drop(page, '.app', [
    { name: 'same.md', content: '# First\n\nThe disk filled up.\n', type: 'text/markdown' },
    { name: 'same.md', content: '# Second\n\nThe disk filled up again.\n', type: 'text/markdown' },
  ]);
  await expect(card()).toContainText('same file twice', { timeout: 30_000 });
  const uploads = join(served.home, 'uploads');
  const left = () => (existsSync(uploads) ? readdirSync(uploads, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);
  await expect.poll(left, { timeout: 10_000 }).toEqual([]);
  expect(await documentCount(page)).toBe(before);
});

test('a folder of real postmortems with junk: imported, every skipped and failed file listed by its own name', async () => {
  await page.getByTestId('folder-input').setInputFiles(join(work, 'postmortems'));
  await expect(card()).toContainText('Imported, with problems', { timeout: 90_000 });
  await expect(card()).toContainText('125 new');
  await card().getByRole('button', { name: /Show \d+ problems/ }).click();
  const problems = page.getByTestId('import-errors');
  await expect(problems).toContainText('postmortems/broken.pdf');
  await expect(problems).toContainText('postmortems/.DS_Store');
  await expect(problems).toContainText('postmortems/whiteboard.png');
  await expect(problems).toContainText('postmortems/.git');
  await expect(problems).toContainText('a hidden file');
  // The user's names only: nothing of the server's upload folder.
  await expect(card()).not.toContainText(served.home);
  await expect(card()).not.toContainText('uploads');
  await expect(page.getByTestId('statusbar')).toContainText('125 documents');
});

test('a Slack export folder: the channel chooser takes focus and Escape closes it; then the chosen channels import', async () => {
  const folder = join(CORPUS, 'slack/houstondatavis-2016');
  await page.getByTestId('folder-input').setInputFiles(folder);
  const dialog = page.getByRole('dialog', { name: 'Which Slack channels?' });
  await expect(dialog).toBeVisible({ timeout: 60_000 });
  await expect(dialog.getByRole('checkbox').first()).toBeFocused();
  await checkScreen(page, 'corpus-01-channel-chooser');
  // Tab stays inside the dialog.
  for (let i = 0; i < 25; i++) await page.keyboard.press('Tab');
  await expect(dialog.locator(':focus')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(card()).toContainText('no channel was chosen');

  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(dialog).toBeVisible({ timeout: 60_000 });
  await dialog.getByRole('button', { name: 'All' }).click();
  await dialog.getByRole('button', { name: /Import 16 channels/ }).click();
  await expect(card()).toContainText(/\d+ new/, { timeout: 90_000 });
  expect(await documentCount(page)).toBeGreaterThan(125 + 100);
});

test('Jira XML and GitHub issues import; cancelling the ServiceNow export stops it within a second', async () => {
  await page.getByTestId('file-input').setInputFiles([
    join(CORPUS, 'jira/mongodb-jira-xml-export/example_jira_mongodb_resolved-recently.xml'),
    join(CORPUS, 'jira/mongodb-jira-xml-export/example_jira_mongodb_new-issues.xml'),
    join(CORPUS, 'github/octokit-fixtures/paginate-issues.normalized-fixture.json'),
  ]);
  await expect(card()).toContainText(/\d+ new/, { timeout: 60_000 });
  const before = await documentCount(page);

  await page.getByTestId('file-input').setInputFiles(join(CORPUS, 'servicenow/servicenow-incident-event-log/incident_event_log.csv'));
  // Progress inside the one big file: its records count up.
  await expect(card()).toContainText(/incident_event_log\.csv · record [\d,]+/, { timeout: 60_000 });
  await expect(card().getByRole('progressbar')).toHaveAccessibleName('Import of incident_event_log.csv');
  await card().getByRole('button', { name: 'Cancel' }).click();
  const clicked = Date.now();
  await expect(card()).toContainText('Import cancelled', { timeout: 5_000 });
  expect(Date.now() - clicked).toBeLessThan(2_500);
  await expect(card()).toContainText(/Stopped (after [\d,]+ documents?, which are kept|before any document was written)/);
  const kept = (await documentCount(page)) - before;
  expect(kept).toBeLessThan(890);
  await checkScreen(page, 'corpus-02-import-cancelled');
});

test('the import history lists every source with counts and problems; deleting one removes its documents', async () => {
  await page.goto(`${served.url}#/imports`);
  const items = page.getByTestId('history-item');
  // The Slack import whose channel choice was cancelled never started: four imports.
  await expect(items).toHaveCount(4);
  await expect(items.nth(0)).toContainText('incident_event_log.csv');
  await expect(items.nth(0)).toContainText('Cancelled');
  const pms = items.filter({ hasText: 'postmortems' });
  await pms.getByRole('button', { name: /show \d+ problems/ }).click();
  await expect(pms.getByTestId('history-issues').first()).toContainText('broken.pdf');
  await checkScreen(page, 'corpus-03-history');
  const before = await documentCount(page);
  const sn = items.nth(0);
  await sn.locator('.history-toggle').click();
  const held = Number(/Documents now(\d+)/.exec((await sn.locator('.facts').textContent()) ?? '')?.[1]);
  await sn.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: /^Delete/ }).click();
  await expect(items).toHaveCount(3);
  await expect.poll(() => documentCount(page)).toBe(before - held);
});

test('semantic search from the app: a model installed from a folder (hash checked, then accepted unverified), reindexed with progress and cancel', async () => {
  await page.goto(`${served.url}#/settings`);
  const section = page.getByTestId('model-section');
  await expect(section).toContainText('Off');
  await page.getByTestId('model-folder-input').setInputFiles(join(work, 'models', 'gte-small'));
  // Random test weights match no published model: refused, with the way to accept them.
  await expect(section).toContainText('match none of the known models', { timeout: 60_000 });
  await checkScreen(page, 'corpus-04-model-refused');
  await section.getByRole('button', { name: 'Install anyway (unverified)' }).click();
  await expect(page.getByTestId('install-status')).toContainText('Installed gte-small (unverified)', { timeout: 60_000 });
  await expect(page.getByTestId('statusbar')).toContainText('Semantic search on');

  const index = page.getByTestId('index-section');
  const embed = index.getByRole('button', { name: /Embed [\d,]+ waiting passages/ });
  await expect(embed).toBeEnabled();
  await embed.click();
  await expect(page.getByTestId('reindex-status')).toBeVisible();
  await index.getByRole('button', { name: 'Cancel reindexing' }).click();
  await expect(index).toContainText(/cancelled|Embedded/, { timeout: 10_000 });
  await index.getByRole('button', { name: /Embed [\d,]+ waiting passages/ }).click();
  await expect(index).toContainText(/Embedded [\d,]+ passages/, { timeout: 120_000 });
  await expect(index).toContainText('up to date');
  await checkScreen(page, 'corpus-05-settings');
  await page.goto(`${served.url}#/search?q=kubernetes%20dns%20outage`);
  await expect(page.locator('.result-meta')).toContainText('keywords + meaning');
});

test('real data: a pivot, similar incidents, patterns, every screen clean', async () => {
  await page.goto(`${served.url}#/search?q=kubernetes%20dns%20outage`);
  await page.locator('.result').first().click();
  await expect(page.locator('.doc-header h1')).toBeVisible();
  await checkScreen(page, 'corpus-06-document');
  const chip = page.locator('.doc-side .chip-link').first();
  const name = (await chip.textContent())!.trim();
  await chip.click();
  await expect(page.locator('.result').first()).toBeVisible();
  // The search is filtered by the entity (or searches its name): the address says which.
  const params = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
  expect([...params.values()]).toContain(name);
  await checkScreen(page, 'corpus-07-pivot');

  await page.goto(`${served.url}#/similar`);
  await page.getByRole('textbox', { name: 'New incident' }).fill('CoreDNS pods crash looping after the cluster upgrade; DNS lookups time out across services');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('incident').first()).toBeVisible({ timeout: 60_000 });
  await checkScreen(page, 'corpus-08-similar');

  await page.goto(`${served.url}#/patterns`);
  await expect(page.getByTestId('theme').first()).toBeVisible({ timeout: 90_000 });
  await checkScreen(page, 'corpus-09-patterns');
});

test('real data: an incident page from a similar result, a field to its section, a linked ticket, back', async () => {
  await page.goto(`${served.url}#/similar`);
  await page.getByRole('textbox', { name: 'New incident' }).fill('CoreDNS pods crash looping after the cluster upgrade; DNS lookups time out across services');
  await page.keyboard.press('Control+Enter');
  const first = page.getByTestId('incident').first();
  await expect(first).toBeVisible({ timeout: 60_000 });
  // Weak matches are never among the strong cards.
  await expect(page.locator('.incidents:not(.weak) > .incident.weak')).toHaveCount(0);
  const title = (await first.locator('.incident-title').textContent())!.trim();
  await first.locator('.incident-title').click();
  await expect(page).toHaveURL(/#\/incident\/\d+$/);
  const incidentUrl = page.url();
  await expect(page.locator('.doc-header h1')).toHaveText(title);
  await expect(page.getByTestId('incident-records').getByRole('link').first()).toBeVisible();
  await expect(page.getByTestId('playbook').or(page.getByTestId('no-playbook'))).toBeVisible({ timeout: 30_000 });
  await checkScreen(page, 'corpus-10-incident');

  // A field read in a section opens that section of that record, its heading focused.
  const link = page.getByTestId('incident-fields').locator('a.source-link[href*="/section/"]').first();
  const label = (await link.textContent())!.replace(/^read in /, '');
  const section = label.split(' · ').pop()!;
  const record = label.slice(0, label.length - section.length - 3);
  await link.click();
  await expect(page).toHaveURL(/#\/doc\/\d+\/section\/\d+$/);
  await expect(page.locator('.doc-header h1')).toHaveText(record === 'the postmortem' ? title : record);
  await expect(page.locator('.doc-body :focus')).toHaveText(section);
  await expect(page.getByTestId('part-of-incident')).toContainText(title);
  await page.goBack();
  await expect(page).toHaveURL(incidentUrl);

  // The Jira export links tickets to each other: the incident page follows the link, and back.
  // (The shared corpus has no "recurrence of" between incidents; "related to" is what it has.)
  await page.goto(`${served.url}#/search?q=${encodeURIComponent('Ensure test coverage parity with $search')}`);
  await page.locator('.result', { hasText: 'Ensure test coverage parity with $search' }).first().click();
  await page.getByTestId('part-of-incident').getByRole('link').click();
  await expect(page.locator('.doc-header h1')).toHaveText('Ensure test coverage parity with $search');
  const links = page.getByTestId('incident-links');
  await expect(links).toContainText('Related to Ensure sharding test coverage for $vectorSearch');
  await links.getByRole('link', { name: 'Ensure sharding test coverage for $vectorSearch' }).click();
  await expect(page.locator('.doc-header h1')).toHaveText('Ensure sharding test coverage for $vectorSearch');
  await expect(page.getByTestId('incident-links')).toContainText('Related to Ensure test coverage parity with $search');
  await checkScreen(page, 'corpus-11-incident-ticket');
  await page.goBack();
  await expect(page.locator('.doc-header h1')).toHaveText('Ensure test coverage parity with $search');
});
