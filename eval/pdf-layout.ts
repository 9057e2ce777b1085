/**
 * `npx tsx eval/pdf-layout.ts [folder]`: real postmortems of the shared corpus printed by
 * wkhtmltopdf and, when installed, Chromium (`scripts/print-corpus-pdfs.sh [folder]`, default
 * /tmp/hindsight-corpus-pdfs) read
 * back by the PDF importer and compared with their Markdown block by block (eval/pdf-blocks.ts):
 * headings with their levels, paragraphs, list items, table rows, in order. A measurement, not a
 * test: the printed PDFs are derived from the corpus, which stays outside the project. The rules
 * themselves are tested on our own printed demo postmortems (test/native/import/pdf-layout.spec.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitFrontMatter } from '../native/import/front-matter.js';
import { CORPUS } from '../test/support/generated-models.js';
import { parseSource } from '../test/support/parse.js';
import { blockAgreement, blockLines } from './pdf-blocks.js';

const folder = process.argv[2] ?? '/tmp/hindsight-corpus-pdfs';
const CASES = [
  'chia/2022-08-19-CATbleed',
  'posthog/2025-11-15-persons-db-migration',
  'kubernetes-test-infra/2019-01-23',
  'zalando-kubernetes-on-aws/jan-2019-dns-outage',
  'dfds/PM2024-001_-_Two_Kubernetes_nodes_went_into_NotReady_state',
];

const missing = CASES.filter((c) => !existsSync(join(folder, `${c.replace('/', '_')}.wkhtmltopdf.pdf`)));
if (missing.length) {
  console.error(`No printed PDFs in ${folder} (${missing.length} missing): run scripts/print-corpus-pdfs.sh ${folder} first (needs pandoc and wkhtmltopdf).`);
  process.exit(1);
}
// Chromium prints (page header and footer on, <thead> repeated on each page) when the script made them.
for (const printer of ['wkhtmltopdf', 'chromium']) {
  if (printer === 'chromium' && !CASES.every((c) => existsSync(join(folder, `${c.replace('/', '_')}.chromium.pdf`)))) continue;
  console.log(`PDF (${printer}) read back vs its Markdown: headings right (with level), block agreement`);
  for (const c of CASES) {
    const md = splitFrontMatter(readFileSync(join(CORPUS, 'postmortems', `${c}.md`), 'utf8')).body;
    const { documents: [doc] } = await parseSource(join(folder, `${c.replace('/', '_')}.${printer}.pdf`));
    const want = blockLines(md);
    const got = blockLines(doc?.body ?? '');
    const wantH = want.filter((l) => l.startsWith('heading'));
    const gotH = new Set(got.filter((l) => l.startsWith('heading')));
    const right = wantH.filter((h) => gotH.has(h)).length;
    console.log(`  ${c.padEnd(64)} headings ${right}/${wantH.length}  blocks ${blockAgreement(want, got).toFixed(3)}`);
  }
}
