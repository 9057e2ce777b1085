/**
 * Rebuilds a document's structure from the positioned text runs of its PDF pages: lines from
 * positions, paragraphs from line spacing, headings from font size, list items from indentation,
 * code from monospace fonts, without the page furniture (headers, footers, page numbers) that a
 * browser or wkhtmltopdf prints on every page.
 *
 * PDFs printed from HTML (Confluence "export to PDF", wkhtmltopdf, Chromium) carry no bullets as
 * text (markers are drawn as shapes), draw bold or shadowed text more than once at the same
 * place, and break lines wherever the page width ends; each rule below undoes one of those.
 */

export interface TextRun {
  str: string;
  /** Left edge and baseline, in PDF units (y grows upwards). */
  x: number;
  y: number;
  width: number;
  /** Font size (the text matrix's vertical scale). */
  size: number;
  mono: boolean;
  /** Drawn in a bold face (by the font's name). */
  bold?: boolean;
  /** Printed after a wide blank (the gap between two table cells). */
  cellStart?: boolean;
}

/** A thin, tall filled rectangle (a blockquote's left border), in the runs' coordinates. */
export interface Bar {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface PageRuns {
  width: number;
  height: number;
  runs: TextRun[];
  /** Vertical bars drawn on the page: HTML printers draw a blockquote's border, not a marker. */
  bars?: Bar[];
  /** Small marks drawn on the page: HTML printers draw list bullets as shapes, not as text. */
  dots?: Bar[];
}

interface Line {
  page: number;
  text: string;
  x0: number;
  x1: number;
  y: number;
  size: number;
  mono: boolean;
  /** Every run of the line is bold. */
  bold: boolean;
  /** Heading level once classified (0 = body). */
  level: number;
  /** A whole table, already Markdown. */
  table?: boolean;
  /** A table that goes on from the previous page: its rows, Markdown, without a header separator. */
  continuedRows?: string[];
  /** Its first row is the rest of the previous page's last row (a page break split the row). */
  splitRow?: boolean;
  /** The runs the line was read from. */
  runs?: TextRun[];
}

/** Where a table that reached the bottom of a page had its columns: the next page may go on with it. */
interface OpenTable {
  starts: number[];
  left: number;
  /** Its first row: a printer that repeats <thead> prints it again at the top of the next page. */
  header: string[];
}

/** Runs drawn twice at (nearly) the same place, as fake bold and text shadows are, count once. */
export function dropOverdrawn(runs: TextRun[]): TextRun[] {
  const seen = new Map<string, TextRun[]>();
  const out: TextRun[] = [];
  for (const r of runs) {
    const key = r.str.trim();
    if (!key) continue;
    const same = seen.get(key) ?? [];
    const tol = Math.max(1, r.size * 0.35);
    if (same.some((s) => Math.abs(s.x - r.x) <= tol && Math.abs(s.y - r.y) <= tol)) continue;
    same.push(r);
    seen.set(key, same);
    out.push(r);
  }
  return out;
}

/**
 * Tables: runs grouped into rows by overlapping vertical extent (a cell that wraps is centred
 * against its neighbours, so its lines straddle the row), rows that hold a cell start are table
 * rows, and runs sharing a left edge within a row are one cell. Returns the table as a Markdown
 * line placed at its top, and the runs it took.
 */
function tablesOf(runs: TextRun[], page: number, carry: OpenTable | null): { lines: Line[]; used: Set<TextRun>; open: OpenTable | null } {
  const used = new Set<TextRun>();
  const lines: Line[] = [];
  if (!carry && !runs.some((r) => r.cellStart)) return { lines, used, open: null };
  // (Page headers and footers, laid out like a table row too, were removed before: see furniture.)
  const sorted = [...runs].sort((a, b) => b.y - a.y);
  const rows: TextRun[][] = [];
  let rowBottom = -Infinity;
  for (const r of sorted) {
    const row = rows[rows.length - 1];
    // (A cell's lines are not always centred to the point: a run joins a row it comes within a
    // line's height of; rows and paragraph lines lie further apart than that.)
    if (row && r.y + r.size * 1.1 > rowBottom) {
      row.push(r);
      rowBottom = Math.min(rowBottom, r.y + r.size * 0.1);
    } else {
      rows.push([r]);
      rowBottom = r.y + r.size * 0.1;
    }
  }
  let table: string[][] = [];
  let tableTop = 0;
  let tableRuns: TextRun[] = [];
  /** The table's columns (its first row's, or the previous page's for a table carried over), and whether it was carried over. */
  let tableStarts: number[] = [];
  let continuing = false;
  let splitRow = false;
  /** The columns of the last row read: body rows, where a header's may be centred. */
  let lastStarts: number[] = [];
  let headerCells: string[] = [];
  let open: OpenTable | null = null;
  const flush = () => {
    open = null;
    if (table.length >= 2 || (continuing && table.length)) {
      for (const r of tableRuns) used.add(r);
      const width = Math.max(...table.map((r) => r.length));
      const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|');
      const md = table.map((r) => `| ${Array.from({ length: width }, (_, i) => cell(r[i])).join(' | ')} |`);
      const rows = [...md];
      md.splice(1, 0, `|${' --- |'.repeat(width)}`);
      lines.push({ page, text: md.join('\n'), ...(continuing ? { continuedRows: rows, splitRow } : {}), x0: Math.min(...tableRuns.map((r) => r.x)), x1: Math.max(...tableRuns.map((r) => r.x + r.width)), y: tableTop, size: tableRuns[0]!.size, mono: false, bold: false, level: 0, table: true });
      open = { starts: lastStarts, left: tableLeft, header: headerCells };
    }
    table = [];
    tableRuns = [];
    continuing = false;
    splitRow = false;
  };
  // Two rows have the same columns when every left edge of one is one of the other's.
  const sameColumns = (starts: number[], of: number[]) => starts.length >= 2 && starts.every((x) => of.some((o) => Math.abs(o - x) <= 3));
  const cellsOf = (row: TextRun[], starts: number[]) => {
    const cells: TextRun[][] = starts.map(() => []);
    for (const r of row) {
      let c = 0;
      for (let k = 0; k < starts.length; k++) if (starts[k]! <= r.x + 1) c = k;
      cells[c]!.push(r);
    }
    return cells.map(cellText);
  };
  // Rows without a wide blank, below a table's first row: cells that wrap (a narrow date column
  // over three lines beside one line of text) are printed with no blank between them. Such a
  // row is told by its columns instead: runs that start a line of their own at two or more left
  // edges. Its lines lie closer together than the rows do (cell padding and borders between rows).
  let tableLeft = Infinity;
  let lastBottom = 0;
  let aligned: TextRun[] | null = null;
  let alignedBottom = 0;
  const endAligned = () => {
    const row = aligned;
    aligned = null;
    if (!row) return;
    const starts = columnStarts(row);
    if (starts.length < 2) {
      flush();
      open = null;
      return;
    }
    // A table carried over from the previous page keeps that page's columns.
    lastStarts = continuing ? tableStarts : starts;
    table.push(cellsOf(row, lastStarts));
    tableRuns.push(...row);
  };
  const cellStarts = (row: TextRun[]) => [Math.min(...row.map((r) => r.x)), ...row.filter((r) => r.cellStart).map((r) => r.x)].sort((a, b) => a - b);
  for (const [index, printed] of rows.entries()) {
    let row = printed;
    const size = Math.max(...row.map((r) => r.size));
    const top = Math.max(...row.map((r) => r.y));
    const bottom = Math.min(...row.map((r) => r.y));
    // The page's first row goes on with the previous page's table when its columns are that
    // table's, or when it is that table's header printed again.
    const repeatedHeader = index === 0 && carry && row.some((r) => r.cellStart) && cellsOf(row, cellStarts(row)).join('\u0000') === carry.header.join('\u0000');
    if (index === 0 && carry && !row.some((r) => r.mono) && (repeatedHeader || sameColumns(row.some((r) => r.cellStart) ? cellStarts(row) : columnStarts(row), carry.starts))) {
      continuing = true;
      tableStarts = carry.starts;
      tableLeft = carry.left;
      headerCells = carry.header;
      tableTop = top;
      lastBottom = top;
      if (repeatedHeader) {
        lastBottom = bottom;
        for (const r of row) used.add(r);
        continue;
      }
    }
    if (row.some((r) => r.cellStart)) {
      // A cell's first line printed above the row's other cells (a row split by a page break is
      // not centred) belongs to this row, not to a row of its own.
      if (aligned && alignedBottom - top <= size * 1.7 && columnStarts(aligned).length < 2) {
        row = [...aligned, ...row];
        aligned = null;
      } else endAligned();
      if (!table.length && !continuing) {
        tableTop = top;
        tableLeft = Infinity;
        tableStarts = cellStarts(row);
        headerCells = cellsOf(row, tableStarts);
      }
      tableLeft = Math.min(tableLeft, ...row.map((r) => r.x));
      lastBottom = bottom;
      // A cell starts at the row's left edge and at every run printed after a wide blank.
      lastStarts = continuing ? tableStarts : cellStarts(row);
      table.push(cellsOf(row, lastStarts));
      tableRuns.push(...row);
      continue;
    }
    // (Code is never such a row: its indentation is blank runs too.)
    // The rest of a row that a page break split keeps the whole row's height: a wider gap follows it.
    const rowGap = continuing && table.length === 1 ? size * 3.5 : size * 2.3;
    if ((table.length || continuing) && !row.some((r) => r.mono) && lastBottom - top <= rowGap && Math.min(...row.map((r) => r.x)) >= tableLeft - 1) {
      if (continuing && table.length === 1 && !aligned && lastBottom - top > size * 2.3) splitRow = true;
      if (aligned && alignedBottom - top <= size * 1.7) aligned.push(...row);
      else {
        endAligned();
        if (!table.length && !continuing) continue;
        aligned = [...row];
      }
      alignedBottom = bottom;
      lastBottom = bottom;
      continue;
    }
    endAligned();
    flush();
    open = null;
  }
  endAligned();
  flush();
  // Only a table that reached the page's last row can go on overleaf.
  return { lines, used, open };
}

/**
 * Left edges where a row's columns start: runs that begin a line (first on their baseline, or
 * after more than a word space), clustered within a few points. A run that continues its line
 * (a bold word, a code span) starts no column.
 */
function columnStarts(row: TextRun[]): number[] {
  const sorted = [...row].sort((a, b) => (Math.abs(a.y - b.y) > a.size * 0.3 ? b.y - a.y : a.x - b.x));
  const starts: number[] = [];
  let prev: TextRun | null = null;
  for (const r of sorted) {
    const sameLine = prev && Math.abs(prev.y - r.y) <= r.size * 0.3;
    if (!sameLine || r.x - (prev!.x + prev!.width) >= r.size * 0.6) {
      if (!starts.some((x) => Math.abs(x - r.x) <= 3)) starts.push(r.x);
    }
    prev = r;
  }
  return starts.sort((a, b) => a - b);
}

/** A cell's runs read line by line, left to right. */
function cellText(runs: TextRun[]): string {
  const sorted = [...runs].sort((a, b) => (Math.abs(a.y - b.y) > Math.max(a.size, b.size) * 0.3 ? b.y - a.y : a.x - b.x));
  let text = '';
  let prev: TextRun | null = null;
  for (const r of sorted) {
    const sameLine = prev && Math.abs(prev.y - r.y) <= r.size * 0.3;
    const gap = prev ? r.x - (prev.x + prev.width) : 0;
    if (!prev) text = r.str;
    else if (sameLine && gap <= r.size * 0.12) text += r.str;
    // A word or date broken at its hyphen ("2021-" over "12-10") continues without a space.
    else if (!sameLine && /[\p{L}\p{N}]-$/u.test(text)) text += r.str;
    else text += ` ${r.str}`;
    prev = r;
  }
  return text.replace(/\s+/g, ' ').trim();
}

/** Runs on one baseline (within a fraction of the font size) form a line, read left to right. */
function linesOf(runs: TextRun[], page: number): Line[] {
  const sorted = [...runs].sort((a, b) => b.y - a.y || a.x - b.x);
  const groups: TextRun[][] = [];
  for (const r of sorted) {
    const g = groups[groups.length - 1];
    const ref = g?.[0];
    if (g && ref && Math.abs(ref.y - r.y) <= Math.max(ref.size, r.size) * 0.3) g.push(r);
    else groups.push([r]);
  }
  return groups.map((g) => {
    g.sort((a, b) => a.x - b.x);
    let text = '';
    let end = -Infinity;
    const allMono = g.every((r) => r.mono);
    let inCode = false;
    for (const r of g) {
      const gap = r.x - end;
      const needsSpace = text && gap > r.size * 0.12 && !/\s$/.test(text) && !/^\s/.test(r.str);
      // Inline monospace runs are code spans in the Markdown the page was printed from.
      const wantCode = !allMono && r.mono;
      if (inCode && (!wantCode || needsSpace)) {
        text += '`';
        inCode = false;
      }
      if (needsSpace) text += ' ';
      if (wantCode && !inCode) {
        text += '`';
        inCode = true;
      }
      text += r.str;
      end = Math.max(end, r.x + r.width);
    }
    if (inCode) text += '`';
    const textRuns = g.filter((r) => !r.mono);
    const size = Math.max(...(textRuns.length ? textRuns : g).map((r) => r.size));
    return {
      page,
      // pdf.js gives each word of monospace text its own run: adjacent spans are one span.
      text: text.replace(/\s+/g, ' ').replace(/``/g, '').replace(/` `/g, ' ').trim(),
      x0: g[0]!.x,
      x1: end,
      y: g[0]!.y,
      size,
      mono: allMono,
      bold: g.every((r) => r.bold),
      level: 0,
      runs: g,
    };
  });
}

/**
 * The left margin of body text: the leftmost left edge that carries a fair share of the text. Not
 * simply the commonest one: a document with more list text than paragraphs would then read its
 * paragraphs as outdented and its list items as paragraphs.
 */
function leftMargin(lines: Line[]): number {
  const weight = new Map<number, number>();
  for (const l of lines) weight.set(Math.round(l.x0), (weight.get(Math.round(l.x0)) ?? 0) + l.text.length);
  const most = Math.max(0, ...weight.values());
  const edges = [...weight].filter(([, w]) => w >= most * 0.15).map(([x]) => x);
  return edges.length ? Math.min(...edges) : 0;
}

/** The value that occurs most often (rounded to `step`), weighted. */
function mode(values: Array<[number, number]>, step = 0.5): number {
  const counts = new Map<number, number>();
  for (const [v, w] of values) {
    const k = Math.round(v / step) * step;
    counts.set(k, (counts.get(k) ?? 0) + w);
  }
  let best = 0;
  let most = -1;
  for (const [k, n] of counts) if (n > most) [best, most] = [k, n];
  return best;
}

const PAGE_NUMBER = /^(page\s+)?\d+(\s*(\/|of)\s*\d+)?$/i;

/**
 * The runs of each page without its furniture: lines in the top or bottom margin that repeat on
 * most pages at the same height (digits ignored, so "3/7" matches "4/7"), or that are page
 * numbers or the printing browser's own date/URL lines. Removed before tables are read, since a
 * header ("date    title") is laid out like a table row, while a table that runs into the
 * margin (wkhtmltopdf prints to the page edge) keeps its rows.
 */
function dropFurniture(pages: PageRuns[]): TextRun[][] {
  const runs = pages.map((p) => dropOverdrawn(p.runs));
  const body = mode(runs.flat().filter((r) => !r.mono).map((r) => [r.size, r.str.length]), 0.1);
  const lines = runs.map((r, i) => linesOf(r, i));
  const zone = (l: Line) => l.y > pages[l.page]!.height * 0.93 || l.y < pages[l.page]!.height * 0.07;
  const key = (l: Line) => l.text.replace(/\d+/g, '#').toLowerCase();
  // Furniture repeats at the same height: a table row that happens to start two pages does not.
  const at = new Map<string, Line[]>();
  for (const l of lines.flat()) if (zone(l)) (at.get(key(l)) ?? at.set(key(l), []).get(key(l))!).push(l);
  const repeated = (l: Line) => pages.length >= 2 && new Set(at.get(key(l))!.filter((o) => Math.abs(o.y - l.y) <= 3).map((o) => o.page)).size >= Math.max(2, Math.ceil(pages.length * 0.5));
  const chrome = (l: Line) => PAGE_NUMBER.test(l.text) || (l.size < body * 0.9 && /^(file:\/\/|https?:\/\/|\d{1,2}\/\d{1,2}\/\d{2,4},? \d{1,2}:\d{2})/i.test(l.text));
  const furniture = new Set(lines.flat().filter((l) => zone(l) && (repeated(l) || chrome(l))).flatMap((l) => l.runs ?? []));
  return runs.map((r) => r.filter((x) => !furniture.has(x)));
}

/**
 * Markdown of the pages: headings (by font size), paragraphs, list items, code blocks.
 * Returns the text and whether any heading was found from the fonts.
 */
export function pagesToMarkdown(pages: PageRuns[]): { markdown: string; headings: number } {
  let open: OpenTable | null = null;
  const lines = dropFurniture(pages).map((runs, i) => {
    const tables = tablesOf(runs, i, open);
    open = tables.open;
    return [...linesOf(runs.filter((r) => !tables.used.has(r)), i), ...tables.lines].sort((a, b) => b.y - a.y || a.x0 - b.x0);
  });
  const all = lines.flat().filter((l) => !l.table);
  const body = mode(all.filter((l) => !l.mono).map((l) => [l.size, l.text.length]), 0.1);
  const flat = lines.flat().filter((l) => l.text);
  // Heading levels: each clearly larger size is a level, largest first.
  const headingSizes = [...new Set(flat.filter((l) => body && l.size >= body * 1.15 && l.text.length <= 160).map((l) => Math.round(l.size * 2) / 2))].sort((a, b) => b - a);
  for (const l of flat) {
    const i = headingSizes.indexOf(Math.round(l.size * 2) / 2);
    if (i >= 0 && l.text.length <= 160) l.level = Math.min(6, i + 1);
  }
  // The left margin of body text, and the usual distance between its lines.
  const bodyLines = flat.filter((l) => !l.level && !l.mono && !l.table);
  const left = leftMargin(bodyLines);
  const steps: Array<[number, number]> = [];
  for (let i = 1; i < bodyLines.length; i++) {
    const a = bodyLines[i - 1]!;
    const b = bodyLines[i]!;
    if (a.page === b.page && a.y > b.y) steps.push([a.y - b.y, 1]);
  }
  const lineStep = mode(steps, 0.5) || body * 1.4;
  // The usual blank between paragraphs, and the widest line: what a paragraph's short last line falls short of.
  const blockGaps: Array<[number, number]> = steps.filter(([g]) => g > lineStep * 1.35).map(([g]) => [g, 1]);
  const paragraphGap = mode(blockGaps, 0.5) || lineStep * 1.7;
  const right = Math.max(0, ...bodyLines.map((l) => l.x1));
  boldHeadings(flat, body, headingSizes.length, paragraphGap, lineStep);
  const vocabulary = wordSet(flat.map((l) => l.text).join(' '));

  const out: string[] = [];
  let para: string[] = [];
  let listItem: string[] | null = null;
  /** How the item is written ("- ", "3. "), and where its continuation lines start (unknown after a printed marker). */
  let itemMarker = '- ';
  let itemX: number | null = null;
  let code: string[] | null = null;
  /** A blockquote's paragraphs, each its lines. */
  let quote: string[][] | null = null;
  const flushQuote = () => {
    if (quote) out.push(quote.map((p) => `> ${joinLines(p, vocabulary)}`).join('\n>\n'), '');
    quote = null;
  };
  // A line beside a vertical bar, set in from the margin, is quoted: HTML printers draw a
  // blockquote's left border and no marker, so by indentation alone it read as list items.
  const quoted = (l: Line) =>
    !l.mono && l.x0 > left + body * 0.5 &&
    (pages[l.page]?.bars ?? []).some((b) => b.x1 <= l.x0 + 1 && l.x0 - b.x1 < body * 2.5 && b.y0 <= l.y + l.size * 0.3 && b.y1 >= l.y + l.size * 0.5);
  // A line with a bullet just left of it starts a list item: HTML printers draw the bullet as a
  // small shape (a disc 0.3 em across, around the middle of the line's height), not as text.
  const dotted = (l: Line) =>
    !l.mono && (pages[l.page]?.dots ?? []).some((d) => d.x1 <= l.x0 + 0.5 && l.x0 - d.x1 < body * 1.5 && d.y0 >= l.y - l.size * 0.25 && d.y1 <= l.y + l.size * 0.9);
  /** Whether the printer drew this document's bullets as shapes: then a line without one starts no bulleted item. */
  const drawsBullets = flat.some((l) => !l.level && !l.table && dotted(l));
  /** Whether the open list item began at a drawn bullet (its lines without one go on with it). */
  let itemDotted = false;
  const flushPara = () => {
    if (para.length) out.push(joinLines(para, vocabulary), '');
    para = [];
  };
  const flushItem = () => {
    if (listItem) out.push(`${itemMarker}${joinLines(listItem, vocabulary)}`);
    listItem = null;
  };
  const flushCode = () => {
    if (code) out.push('```', ...code, '```', '');
    code = null;
  };
  const flushAll = () => {
    flushQuote();
    flushPara();
    if (listItem) {
      flushItem();
      out.push('');
    }
    flushCode();
  };

  let prev: Line | null = null;
  for (let i = 0; i < flat.length; i++) {
    const l = flat[i]!;
    const gap = prev && prev.page === l.page ? prev.y - l.y : lineStep;
    // Across a page break a paragraph ends where its last line fell short of the right margin.
    const newBlock = !prev || gap > lineStep * 1.35 || (prev.page !== l.page && prev.x1 < right - body * 6);
    const bullet = !l.table && !l.level && dotted(l);
    const marker = /^([•◦▪‣·●○■\-*]|\d{1,3}[.)])\s+/.exec(l.text);
    const indented = l.x0 > left + body * 0.8;
    // Set in from the margin with no marker, where this printer draws bullets, and not inside a
    // list item: a blockquote whose stylesheet gives it an indent and no border (a browser's
    // default style), not a list item.
    const plainQuote = drawsBullets && !l.table && !l.level && !l.mono && indented && !bullet && !marker && !listItem;
    if (!l.table && !l.level && (quoted(l) || plainQuote)) {
      flushPara();
      flushCode();
      if (listItem) {
        flushItem();
        out.push('');
      }
      if (!quote) quote = [[l.text]];
      else if (newBlock) quote.push([l.text]);
      else quote.at(-1)!.push(l.text);
      prev = l;
      continue;
    }
    flushQuote();
    if (l.table) {
      flushAll();
      // A table carried over a page break goes on in the table above it; a header the printer
      // repeated at the top of the page (Chromium repeats <thead>) is not a row.
      const above = out.length >= 2 && prev?.table ? out[out.length - 2]! : '';
      if (l.continuedRows && above.startsWith('|')) {
        const kept = above.split('\n');
        let rows = l.continuedRows[0] === kept[0] ? l.continuedRows.slice(1) : l.continuedRows;
        if (l.splitRow && rows.length) {
          kept.push(joinRows(kept.pop()!, rows[0]!, vocabulary));
          rows = rows.slice(1);
        }
        out[out.length - 2] = [...kept, ...rows].join('\n');
      } else out.push(l.text, '');
      prev = l;
      continue;
    }
    if (l.level) {
      flushAll();
      // A heading that wraps onto a second line continues the same heading.
      const last = out.length >= 2 ? out[out.length - 2]! : '';
      if (prev?.level === l.level && gap <= l.size * 1.8 && last.startsWith('#')) {
        out[out.length - 2] = /\p{L}-$/u.test(last) ? `${last}${l.text}` : `${last} ${l.text}`;
      } else out.push(`${'#'.repeat(l.level)} ${l.text}`, '');
      prev = l;
      continue;
    }
    if (l.mono) {
      flushPara();
      if (listItem) {
        flushItem();
        out.push('');
      }
      if (!code) code = [];
      // Indentation inside a code block is kept relative to its left edge.
      const indent = Math.max(0, Math.round((l.x0 - left) / (l.size * 0.6)));
      code.push(' '.repeat(Math.min(indent, 40)) + l.text);
      prev = l;
      continue;
    }
    flushCode();
    if (marker || bullet || indented) {
      // List items: markers are drawn as shapes, so a new item is a line that starts where the
      // previous item ended (sentence end, or a line well short of the block's width).
      flushPara();
      const text = marker ? l.text.slice(marker[0].length) : l.text;
      // Continuation lines start where the item's text does: after a printed marker ("1."), a
      // little right of the line that held it.
      const aligned = itemX !== null ? Math.abs(l.x0 - itemX) <= body * 0.5 : l.x0 > prev!.x0 && l.x0 - prev!.x0 < body * 3;
      // Where bullets are drawn, they say where a bulleted item starts, whatever its lines' lengths.
      const continues = itemDotted && !bullet && !marker && !newBlock && aligned;
      const startsNew = !continues && (marker || bullet || !listItem || newBlock || endsItem(prev!, flat, i) || !aligned);
      if (startsNew) {
        flushItem();
        listItem = [text];
        itemMarker = marker && /\d/.test(marker[1]!) ? `${/\d+/.exec(marker[1]!)![0]}. ` : '- ';
        itemX = marker ? null : l.x0;
        itemDotted = bullet;
      } else {
        listItem!.push(text);
        itemX ??= l.x0;
      }
      prev = l;
      continue;
    }
    if (listItem) {
      flushItem();
      out.push('');
    }
    if (newBlock) flushPara();
    para.push(l.text);
    prev = l;
  }
  flushAll();
  return { markdown: out.join('\n').replace(/\n{3,}/g, '\n\n').trim(), headings: headingSizes.length };
}

/**
 * Headings of body size told by weight (a browser prints H4 as bold body text, H5 and H6 smaller
 * and bold): a line that is bold throughout, stands alone, and is set off by more than the blank
 * between paragraphs (a heading's margins are wider than a paragraph's: 1.33em against 1em), so
 * that a bold paragraph ("**Do I need to upgrade?**") stays a paragraph. Its level follows the
 * size levels found above it.
 */
function boldHeadings(lines: Line[], body: number, sizeLevels: number, paragraphGap: number, lineStep: number): void {
  const gapAt = (a: Line | undefined, b: Line | undefined) => (a && b && a.page === b.page ? a.y - b.y : Infinity);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.level || !l.bold || l.mono || l.table || l.text.length > 120 || Math.abs(l.size - body) > body * 0.08) continue;
    const before = gapAt(lines[i - 1], l);
    const after = gapAt(l, lines[i + 1]);
    if (before <= lineStep * 1.35 || after <= lineStep * 1.35) continue;
    // One side may be a page break or a heading's wider margin; the measured side must exceed a paragraph's blank.
    const measured = [before, after].filter((g) => Number.isFinite(g) && !(lines[i - 1]?.level && g === before));
    if (measured.length && measured.every((g) => g > paragraphGap + body * 0.15)) l.level = Math.min(6, sizeLevels + 1);
  }
}

/**
 * Whether the line before `i` ended its list item: a sentence end, or a line that stopped
 * short — a browser breaks a line only where the next word does not fit, so when the next
 * line's first word would have fitted after the previous line, that line ended its item.
 */
function endsItem(prev: Line, lines: Line[], i: number): boolean {
  if (/[.!?:;)]$|[.!?]["'”’]$/.test(prev.text)) return true;
  // The widest line near here shows where the right edge of full lines is.
  let right = prev.x1;
  for (let k = Math.max(0, i - 8); k < Math.min(lines.length, i + 8); k++) if (!lines[k]!.level && !lines[k]!.table) right = Math.max(right, lines[k]!.x1);
  const next = lines[i]!;
  const word = /^\S+/.exec(next.text)?.[0] ?? '';
  const perChar = (next.x1 - next.x0) / Math.max(1, next.text.length);
  return prev.x1 + (word.length + 1) * perChar < right - perChar * 0.5;
}

/** Two halves of a table row that a page break split, cell by cell, as the lines of a paragraph join. */
function joinRows(top: string, rest: string, vocabulary: Set<string>): string {
  const cells = (row: string) => row.slice(2, -2).split(/(?<!\\) \| /);
  const a = cells(top);
  const b = cells(rest);
  const joined = Array.from({ length: Math.max(a.length, b.length) }, (_, i) => joinLines([a[i], b[i]].filter((c): c is string => !!c), vocabulary));
  return `| ${joined.join(' | ')} |`;
}

function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu) ?? []);
}

/**
 * Lines of one paragraph joined with spaces. A line ending in a hyphen joins the next word
 * without a space; the hyphen stays unless the document spells the word without it elsewhere
 * (browsers break at real hyphens; a soft hyphen shows up as a word the text uses unbroken).
 */
function joinLines(lines: string[], vocabulary: Set<string>): string {
  let text = '';
  for (const line of lines) {
    if (!text) {
      text = line;
      continue;
    }
    // A code span broken at its hyphen ("`parcel-`" + "`events`") is one span.
    if (/-`$/.test(text) && line.startsWith('`')) {
      text = text.slice(0, -1) + line.slice(1);
      continue;
    }
    // A URL broken across lines continues without a space.
    if (/https?:\/\/\S+$/.test(text) && /^[\w/%?=&#.-]*[\d/][\w/%?=&#.-]*(\s|$)/.test(line) && !/[.,;)]$/.test(text)) {
      text += line;
      continue;
    }
    const m = /([\p{L}]+)-$/u.exec(text);
    const next = /^([\p{L}]+)/u.exec(line);
    if (m && next) {
      const joined = (m[1]! + next[1]!).toLowerCase();
      const hyphenated = `${m[1]!}-${next[1]!}`.toLowerCase();
      text = vocabulary.has(joined) && !vocabulary.has(hyphenated) ? text.slice(0, -1) + line : text + line;
    } else text += ` ${line}`;
  }
  return text;
}
