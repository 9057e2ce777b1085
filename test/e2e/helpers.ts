import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

/**
 * Serious and critical accessibility violations on the page as it is now (axe-core, WCAG 2.x A/AA
 * and best practices), as "rule: target" lines so that a failure names what to fix.
 */
export async function axeViolations(page: Page, only?: string[]): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  const r = await (only ? builder.withRules(only) : builder.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? v.help}`));
}

/** The rules whose outcome depends on the colors: the only ones a second color scheme can change. */
const COLOR_RULES = ['color-contrast', 'link-in-text-block'];

/** A screen checked with axe in both color schemes (every rule in light, the color rules in dark), with a screenshot of each. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
    const v = await axeViolations(page, scheme === 'dark' ? COLOR_RULES : undefined);
    expect(v, `${name} (${scheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
}

/** Drops files onto an element as a user would (a DataTransfer with File objects). */
export async function drop(page: Page, selector: string, files: Array<{ name: string; content: string | Buffer; type?: string }>) {
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

/** The documents count the status bar shows. */
export async function documentCount(page: Page): Promise<number> {
  const text = (await page.getByTestId('statusbar').textContent()) ?? '';
  return Number(/([\d,]+)\s*documents/.exec(text)?.[1]?.replace(/,/g, '') ?? NaN);
}
