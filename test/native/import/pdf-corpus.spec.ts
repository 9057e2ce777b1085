/**
 * Real postmortems of the shared corpus printed by wkhtmltopdf (test/fixtures/pdf/corpus, see its
 * SOURCE.md) against their Markdown, block by block (test/support/blocks.ts): headings with their
 * levels, paragraphs, list items, table rows, in order. Stricter than the section words of
 * pdf-layout.spec.ts: an H4 read as text, list items merged into one paragraph or split at a line
 * wrap, paragraphs joined across a page break all lower the agreement.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../../native/import/front-matter.js';
import { blockAgreement, blockLines } from '../../support/blocks.js';
import { CORPUS } from '../../support/generated-models.js';
import { parseSource } from '../../support/parse.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/pdf/corpus');

/** PDF, its Markdown in the corpus, and the block agreement measured (rules of pdf-layout.ts as of this change). */
const CASES: Array<[pdf: string, markdown: string, blocks: number]> = [
  ['chia_2022-08-19-CATbleed.wkhtmltopdf.pdf', 'chia/2022-08-19-CATbleed.md', 0.98],
  ['posthog_2025-11-15-persons-db-migration.wkhtmltopdf.pdf', 'posthog/2025-11-15-persons-db-migration.md', 0.97],
  ['kubernetes-test-infra_2019-01-23.wkhtmltopdf.pdf', 'kubernetes-test-infra/2019-01-23.md', 0.98],
  ['zalando-kubernetes-on-aws_jan-2019-dns-outage.wkhtmltopdf.pdf', 'zalando-kubernetes-on-aws/jan-2019-dns-outage.md', 0.93],
  // A timeline table whose date cells wrap (no blank run between cells): its rows on the first
  // page are rebuilt by column alignment; the rows continued on the next page are not (yet).
  ['dfds_PM2024-001_-_Two_Kubernetes_nodes_went_into_NotReady_state.wkhtmltopdf.pdf', 'dfds/PM2024-001_-_Two_Kubernetes_nodes_went_into_NotReady_state.md', 0.34],
];

describe('real postmortems printed by wkhtmltopdf read as their Markdown', () => {
  it.each(CASES)('%s', async (pdf, markdown, blocks) => {
    const md = splitFrontMatter(readFileSync(join(CORPUS, 'postmortems', markdown), 'utf8')).body;
    const { documents: [doc] } = await parseSource(join(FIXTURES, pdf));
    const want = blockLines(md);
    const got = blockLines(doc!.body);
    // Every heading, with its level (H4s are bold body text in print).
    expect(got.filter((l) => l.startsWith('heading'))).toEqual(want.filter((l) => l.startsWith('heading')));
    // Blocks compare the printed words (link targets and images are not on the page).
    expect(blockAgreement(want, got)).toBeGreaterThanOrEqual(blocks);
  });
});

describe('table cells that wrap', () => {
  it('are rebuilt as rows by their columns when no blank separates the cells (wkhtmltopdf, a date over two lines)', async () => {
    const { documents: [doc] } = await parseSource(join(FIXTURES, 'dfds_PM2024-001_-_Two_Kubernetes_nodes_went_into_NotReady_state.wkhtmltopdf.pdf'));
    expect(doc!.body).toContain('| 2024-03-13 10:01 | Node entered NotReady state. Requests: CPU at 78% and memory at 82%. |\n| 2024-03-13 10:03 | Alert triggered on Slack. |');
  });
});
