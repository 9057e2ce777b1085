import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../support/parse.js';
import { pagesToMarkdown, type TextRun } from '../../../native/import/formats/pdf-layout.js';
import { splitFrontMatter } from '../../../native/import/front-matter.js';
import { sectionsOf, tokenOverlap } from '../../support/sections.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/pdf');
const DEMO = join(import.meta.dirname, '../../../demo/postmortems');
const pdfs = readdirSync(FIXTURES).filter((f) => f.endsWith('.pdf'));

/** The Markdown a fixture was printed from: a demo postmortem, or one of ours beside the PDFs. */
const markdownOf = (pdf: string) => {
  const name = pdf.replace(/\.(wkhtmltopdf|chromium)\.pdf$/, '.md');
  return splitFrontMatter(readFileSync(existsSync(join(DEMO, name)) ? join(DEMO, name) : join(FIXTURES, name), 'utf8')).body;
};

describe('PDF printed from a postmortem (wkhtmltopdf and Chromium, test/fixtures/pdf)', () => {
  it.each(pdfs)('%s has the Markdown\'s sections, in order, with the same text', async (file) => {
    const md = markdownOf(file);
    const { documents: [doc] } = await parseSource(join(FIXTURES, file));
    const want = sectionsOf(md);
    const got = sectionsOf(doc!.body);
    expect(got.map((s) => s.heading)).toEqual(want.map((s) => s.heading));
    for (const [i, s] of want.entries()) expect(tokenOverlap(s.text, got[i]!.text), s.heading).toBeGreaterThanOrEqual(0.95);
    // Page furniture (Chromium prints the date, title, file URL and "1/2") is gone.
    expect(doc!.body).not.toMatch(/file:\/\/|\b\d\/\d\b\s*$/m);
  });

  // wkhtmltopdf prints into the page margin and splits the row at the break; Chromium moves the
  // row whole and repeats the header on the next page, under its own page header.
  it.each(['wkhtmltopdf', 'chromium'])('reads a timeline that runs over a page break as one table, every row whole (%s)', async (printer) => {
    const file = `2024-05-02-ledger-connection-exhaustion.${printer}.pdf`;
    const { documents: [doc] } = await parseSource(join(FIXTURES, file));
    const want = markdownOf(file).split('\n').filter((l) => /^\| 2024/.test(l)).map((l) => l.replace(/\s+\|/g, ' |').replace(/\s+/g, ' ').trim());
    expect(want).toHaveLength(20);
    const tables = doc!.body.split(/\n{2,}/).filter((b) => b.startsWith('| '));
    expect(tables).toHaveLength(1);
    expect(tables[0]!.split('\n')).toEqual(['| Time | Event |', '| --- | --- |', ...want]);
    expect(doc!.body).toMatch(/^- Add the ledger connection budget to the service onboarding checklist$/m);
  });

  // Both printers draw a blockquote's left border as a thin filled rectangle and no marker:
  // by indentation alone its lines read as list items.
  it.each(['wkhtmltopdf', 'chromium'])('reads blockquotes as quotes and the lists beside them as lists (%s)', async (printer) => {
    const { documents: [doc] } = await parseSource(join(FIXTURES, `2024-06-18-search-cache-stampede.${printer}.pdf`));
    const body = doc!.body;
    expect(body).toMatch(/^> Search latency p99 rose from 180 ms to 9\.4 s between 14:02 and 14:37 UTC, and 6% of searches timed out\.$/m);
    // A quote that wraps over two lines is one quoted paragraph.
    expect(body).toMatch(/^> WARN cache miss storm: key=search:v3:popular .* each one querying PostgreSQL\)$/m);
    // Two quoted paragraphs stay two, in one quote.
    expect(body).toContain('> We had planned request coalescing in 2023 but never shipped it.\n>\n> The load test covered a cold cache at start-up, not a cache emptied under full traffic.');
    expect(body).toMatch(/^- 41,000 searches failed\.$/m);
    expect(body).toMatch(/^- Two enterprise customers opened support tickets\.$/m);
    expect(body).toMatch(/^Nothing held back concurrent rebuilds of one key\.$/m);
    expect(body).not.toMatch(/^- (Search latency|WARN|We had planned|The load test)/m);
  });

  // Printed as bare HTML: the browser's default style indents a blockquote with no border, and the
  // items (no end punctuation, lines near the right margin) differ only by the bullets drawn.
  it.each(['wkhtmltopdf', 'chromium'])('tells list items by their drawn bullets, and a borderless indented quote from a list (%s)', async (printer) => {
    const file = `2024-08-09-edge-dns-saturation.${printer}.pdf`;
    const { documents: [doc] } = await parseSource(join(FIXTURES, file));
    const md = markdownOf(file);
    const items = (text: string) => text.split('\n').filter((l) => l.startsWith('- '));
    expect(items(md)).toHaveLength(15);
    expect(items(doc!.body)).toEqual(items(md));
    expect(doc!.body).toContain('\n\n> A timeout of ten seconds instead of five kept each worker busy twice as long, and the pool ran out of workers under normal evening traffic.\n\n');
    expect(doc!.body).toContain('1. Rolled the resolver configuration back to the previous release on all edge nodes\n2. Restarted the resolvers');
    // The whole document reads back block for block as its Markdown.
    expect(doc!.body.split('\n').filter(Boolean)).toEqual(md.split('\n').filter(Boolean));
  });

  it('keeps a table as a table and list items apart (wkhtmltopdf draws no bullets)', async () => {
    const { documents: [doc] } = await parseSource(join(FIXTURES, '2024-02-07-tracking-kafka-lag.wkhtmltopdf.pdf'));
    expect(doc!.body).toContain('| 10:40 | max.poll.interval.ms raised from 300000 to 900000; rebalancing stops |');
    expect(doc!.body).toMatch(/^- Tracking pages showed stale status for roughly 38,000 parcels\.$/m);
    expect(doc!.body).toMatch(/^- Move geocoding out of the consumer loop into an async enrichment stage \(LF-219\)\.$/m);
    expect(doc!.title).toBe('Tracking updates delayed by Kafka consumer lag');
  });
});

describe('PDF layout rules', () => {
  const run = (str: string, x: number, y: number, size = 10, extra: Partial<TextRun> = {}): TextRun => ({ str, x, y, width: str.length * size * 0.5, size, mono: false, ...extra });

  it('reads indented lines beside a vertical bar as a quote; indented lines without one stay list items', () => {
    const runs = [
      run('Body text of the review goes here, a long first line,', 50, 728),
      run('and its second line, as long, so that the margin is here.', 50, 714),
      run('Body text of the review goes on for a third long line.', 50, 700),
      run('A quoted line beside the bar.', 80, 680),
      run('Its quoted second paragraph.', 80, 656),
      run('First list item.', 80, 630),
      run('Second list item.', 80, 616),
    ];
    const bars = [{ x0: 66, x1: 68, y0: 650, y1: 692 }];
    const { markdown } = pagesToMarkdown([{ width: 600, height: 800, runs, bars }]);
    expect(markdown).toContain('\n\n> A quoted line beside the bar.\n>\n> Its quoted second paragraph.\n\n');
    expect(markdown).toMatch(/^- First list item\.\n- Second list item\.$/m);
    // Without the bar the same lines are items, as before.
    expect(pagesToMarkdown([{ width: 600, height: 800, runs }]).markdown).toMatch(/^- A quoted line beside the bar\.$/m);
  });

  it('starts a list item at each drawn bullet, whatever its lines\' lengths; where bullets are drawn, an indented block without one is a quote', () => {
    // Each item fills its line (no end punctuation, the next word would not have fitted): only the bullets divide them.
    const runs = [
      run('Body text of the review goes here, a long first line of it.', 50, 728),
      run('and its second line, as long, so that the margin is set here.', 50, 714),
      run('An indented line with neither a bullet nor a border', 80, 690),
      run('First item that runs right up to the right-hand edge', 80, 666),
      run('Second item that runs right up to the right-hand edgex', 80, 652),
      run('and wraps onto a line of its own, without a bullet', 80, 638),
    ];
    const dots = [666, 652].map((y) => ({ x0: 70, x1: 73, y0: y + 2, y1: y + 5 }));
    const { markdown } = pagesToMarkdown([{ width: 600, height: 800, runs, dots }]);
    expect(markdown).toContain('\n\n> An indented line with neither a bullet nor a border\n\n');
    expect(markdown).toMatch(/^- First item that runs right up to the right-hand edge\n- Second item that runs right up to the right-hand edgex and wraps onto a line of its own, without a bullet$/m);
    // Without the bullets the items are run together and the quote is an item, as before.
    const plain = pagesToMarkdown([{ width: 600, height: 800, runs }]).markdown;
    expect(plain).toMatch(/^- An indented line with neither a bullet nor a border$/m);
    expect(plain).toMatch(/^- First item that runs right up to the right-hand edge Second item/m);
  });

  it('counts text drawn twice at the same place once (fake bold, shadows)', () => {
    const page = { width: 600, height: 800, runs: [run('Review of Group C', 50, 700, 16), run('Review of Group C', 50.4, 700.2, 16), run('Body text of the review goes here.', 50, 680), run('More body text follows on this line.', 50, 666)] };
    const { markdown } = pagesToMarkdown([page]);
    expect(markdown).toMatch(/^# Review of Group C$/m);
    expect(markdown).not.toContain('Review of Group CReview');
  });

  it('drops a footer repeated on every page and joins words hyphenated at line ends', () => {
    const pages = [1, 2].map((n) => ({
      width: 600,
      height: 800,
      runs: [run('Acme confidential', 50, 780, 8), run(`Page ${n} of 2`, 500, 20, 8), run('The database failover took longer than the docu-', 50, 600), run('mentation said, because the documentation was old.', 50, 586)],
    }));
    const { markdown } = pagesToMarkdown(pages);
    expect(markdown).not.toMatch(/confidential|Page \d/);
    expect(markdown).toContain('longer than the documentation said');
  });

  // Laid out as wkhtmltopdf lays out pandoc's HTML: body 10, lines 14 apart, paragraphs 24 apart,
  // an H4 (bold body text) with its wider margins 27 apart.
  const para = (y: number, words: string) => [run(words, 50, y), run(words, 50, y - 14)];

  it('reads bold body-size text set off by a heading\'s margins as a heading below the sized ones, a bold paragraph as a paragraph', () => {
    const runs = [
      run('Review', 50, 760, 20),
      ...para(720, 'Opening paragraph of the review with enough words in it.'),
      run('General questions', 50, 706 - 27, 10, { bold: true }),
      run('Do I need to upgrade my harvesters?', 50, 679 - 27, 10, { bold: true }),
      ...para(652 - 24, 'No, the harvesters are not affected by this change at all.'),
      ...para(614 - 24, 'Another paragraph that follows the answer to the question.'),
      ...para(576 - 24, 'And a third one, so that the usual paragraph blank is known.'),
    ];
    const { markdown } = pagesToMarkdown([{ width: 600, height: 800, runs }]);
    expect(markdown).toMatch(/^## General questions$/m);
    expect(markdown).toMatch(/^Do I need to upgrade my harvesters\?$/m);
  });

  it('keeps the wrapped lines of a numbered item in that item (the number is printed, the text starts right of it)', () => {
    const runs = [
      ...para(760, 'A paragraph before the list, with words enough to set the margin.'),
      run('1.', 52, 722), run('Root cause discovery and isolation we identified the', 66, 722),
      run('exhaustion as the cause by engaging several teams.', 66, 708),
      run('2.', 52, 694), run('Careful deployment of the change given the risk.', 66, 694),
    ];
    const { markdown } = pagesToMarkdown([{ width: 600, height: 800, runs }]);
    expect(markdown).toContain('1. Root cause discovery and isolation we identified the exhaustion as the cause by engaging several teams.\n2. Careful deployment');
  });

  // As wkhtmltopdf printed the dfds timeline: a narrow time column wraps over three lines beside one
  // or two of text, rows run to the page edge, and the break splits the last row in two; the
  // half on the next page keeps the whole row's height.
  it('goes on with a table on the next page and joins the row a page break split', () => {
    const row = (y: number, date: string, time: string, text: string) => [run(date, 60, y), run('03-13', 60, y - 14), run(time, 60, y - 28), run(text, 110, y - 7)];
    const page1 = [
      ...para(200, 'A paragraph before the timeline, long enough to set the margin.'),
      run('Time', 60, 160), run('Event', 230, 160, 10, { cellStart: true }),
      ...row(140, '2024-', '10:25', 'CloudWatch showed more traffic.'),
      ...row(93, '2024-', '10:30', 'Cordoned and drained the node.'),
      run('2024-', 60, 46), run('03-13', 60, 32), run('Grafana Agent ran on the node, and it had high', 110, 34, 10, { cellStart: true }),
    ];
    const page2 = [
      run('10:30', 60, 780), run('memory usage.', 110, 780, 10, { cellStart: true }),
      ...row(749, '2024-', '10:36', 'Terminated the instance.'),
      ...para(680, 'A paragraph after the timeline, long enough to set the margin.'),
    ];
    const { markdown } = pagesToMarkdown([{ width: 600, height: 800, runs: page1 }, { width: 600, height: 800, runs: page2 }]);
    expect(markdown).toContain([
      '| Time | Event |', '| --- | --- |',
      '| 2024-03-13 10:25 | CloudWatch showed more traffic. |',
      '| 2024-03-13 10:30 | Cordoned and drained the node. |',
      '| 2024-03-13 10:30 | Grafana Agent ran on the node, and it had high memory usage. |',
      '| 2024-03-13 10:36 | Terminated the instance. |',
    ].join('\n'));
  });

  it('takes the leftmost margin that carries a fair share of the text, so a long list is not read as paragraphs', () => {
    const item = (y: number, words: string) => run(words, 66, y);
    const runs = [
      ...para(760, 'Short paragraph before the list, printed at the margin.'),
      item(730, 'Move the agent to the monitoring node group'), item(716, 'Add alerts for when bandwidth across the cluster reaches a threshold.'),
      item(702, 'Investigate if we can set memory limits on the agent chart.'), item(688, 'Ask support if we should use persistent volumes for the agent.'),
      item(674, 'Consider pushing node logs to the log store with limited retention.'),
    ];
    const { markdown } = pagesToMarkdown([{ width: 600, height: 800, runs }]);
    expect(markdown).toMatch(/^- Move the agent to the monitoring node group$/m);
    expect(markdown).toMatch(/^- Consider pushing node logs/m);
  });

  it('ends a paragraph at a page break when its last line stops short of the margin', () => {
    const long = 'A line of body text that runs to the right margin of the page';
    const pages = [
      { width: 600, height: 800, runs: [run(long, 50, 100), run(long, 50, 86), run('at this time.', 50, 72)] },
      { width: 600, height: 800, runs: [run('July 26th: the next paragraph starts on this page.', 50, 740), run(long, 50, 726)] },
    ];
    const { markdown } = pagesToMarkdown(pages);
    expect(markdown).toMatch(/at this time\.\n\nJuly 26th/);
  });
});
