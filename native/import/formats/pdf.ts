import { HindsightError } from '../../common/errors.js';
import { IMPORT_LIMITS } from '../limits.js';
import type { ParsedDocument } from '../parsed-document.js';
import { textToMarkdown } from './plain-text.js';
import { pagesToMarkdown, type Bar, type PageRuns, type TextRun } from './pdf-layout.js';
import { postmortemDocument } from './postmortem.js';

interface TextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  fontName: string;
}

/**
 * PDF text via pdf.js (no rendering, no eval, no fonts), its layout rebuilt by `pdf-layout.ts`:
 * lines, paragraphs, headings from font sizes, lists, code, without page headers and footers.
 */
export async function parsePdf(path: string, bytes: Uint8Array): Promise<ParsedDocument[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc;
  try {
    doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
      verbosity: 0,
    }).promise;
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'PasswordException') {
      throw new HindsightError('encrypted', `${path} is password-protected; export it without a password and import it again.`);
    }
    throw new HindsightError('bad-format', `${path} is not a readable PDF (${(err as Error).message}).`);
  }
  try {
    const pages: PageRuns[] = [];
    const count = Math.min(doc.numPages, IMPORT_LIMITS.maxPdfPages);
    for (let p = 1; p <= count; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      // Font names (…-Bold) are known once the page's fonts are loaded, which the operator list
      // does; pdf.js's text content gives only a generic family. Weight tells an H4 from its text.
      const ops = await page.getOperatorList();
      const bold = new Map<string, boolean>();
      const isBold = (fontName: string) => {
        let b = bold.get(fontName);
        if (b === undefined) {
          let name = '';
          try {
            name = String((page.commonObjs.get(fontName) as { name?: unknown } | null)?.name ?? '');
          } catch {
            // A font that did not load has no name: its weight is unknown, taken as regular.
          }
          b = /bold|black|heavy|semibold|demi/i.test(name);
          bold.set(fontName, b);
        }
        return b;
      };
      const [x0 = 0, y0 = 0, x1 = 612, y1 = 792] = page.view;
      const runs: TextRun[] = [];
      // Browsers print the space between table cells as one wide blank run: it marks a cell start.
      let wideGap = false;
      for (const raw of content.items) {
        if (!('str' in raw)) continue;
        const item = raw as unknown as TextItem;
        if (!item.str.trim()) {
          if (item.str && item.width > Math.abs(item.transform[3] ?? 10) * 2.5) wideGap = true;
          continue;
        }
        const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = item.transform;
        const size = Math.hypot(c, d) || Math.hypot(a, b) || item.height;
        const family = content.styles[item.fontName]?.fontFamily ?? '';
        runs.push({ str: item.str, x: e - x0, y: f - y0, width: item.width, size, mono: /mono|courier/i.test(family), bold: isBold(item.fontName), cellStart: wideGap });
        wideGap = false;
      }
      pages.push({ width: x1 - x0, height: y1 - y0, runs, ...shapesOf(ops, pdfjs.OPS, x0, y0) });
      page.cleanup();
    }
    const { markdown, headings } = pagesToMarkdown(pages);
    if (!markdown.trim()) {
      throw new HindsightError('no-text', `${path} has no extractable text (it may be a scanned image); Hindsight does not run OCR.`);
    }
    // Without font-size headings the plain-text rules still find "Root cause"-style sections.
    const body = headings ? promoteTitle(markdown) : textToMarkdown(markdown);
    return [postmortemDocument(path, 'pdf', body)];
  } finally {
    await doc.destroy();
  }
}

/**
 * The shapes of a page that stand for structure, in page units: thin, tall filled rectangles (a
 * blockquote's left border as HTML printers draw it) and small, roughly square marks (list bullets:
 * wkhtmltopdf and Chromium draw a disc, circle or square, never a "•" character). Each path's
 * bounding box (pdf.js gives it with the path) goes through the current transformation matrix,
 * followed across save/restore.
 */
function shapesOf(ops: { fnArray: number[]; argsArray: unknown[] }, OPS: Record<string, number>, x0: number, y0: number): { bars: Bar[]; dots: Bar[] } {
  const fills = new Set([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
  // A nested list's hollow circle is stroked, not filled.
  const strokes = new Set([OPS.stroke, OPS.closeStroke]);
  const bars: Bar[] = [];
  const dots: Bar[] = [];
  let ctm = [1, 0, 0, 1, 0, 0];
  const stack: number[][] = [];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[] | null;
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform && args) {
      const [a, b, c, d, e, f] = args as number[];
      const [A, B, C, D, E, F] = ctm as [number, number, number, number, number, number];
      ctm = [a! * A + b! * C, a! * B + b! * D, c! * A + d! * C, c! * B + d! * D, e! * A + f! * C + E, e! * B + f! * D + F];
    } else if (fn === OPS.constructPath && args && (fills.has(args[0] as number) || strokes.has(args[0] as number))) {
      const box = args[2] as ArrayLike<number> | null;
      if (!box || box.length < 4) continue;
      const [A, B, C, D, E, F] = ctm as [number, number, number, number, number, number];
      const xs: number[] = [];
      const ys: number[] = [];
      for (const [px, py] of [[box[0]!, box[1]!], [box[2]!, box[3]!], [box[0]!, box[3]!], [box[2]!, box[1]!]] as const) {
        xs.push(A * px + C * py + E - x0);
        ys.push(B * px + D * py + F - y0);
      }
      const bar = { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
      const w = bar.x1 - bar.x0;
      const h = bar.y1 - bar.y0;
      if (fills.has(args[0] as number) && w <= 4 && h >= 8) bars.push(bar);
      // A bullet is 2–8 units across (about a third of the text size) and about as wide as tall.
      else if (w >= 1.5 && w <= 8 && h >= 1.5 && h <= 8 && w / h > 0.7 && w / h < 1.4) dots.push(bar);
    }
  }
  return { bars, dots };
}

/** The largest heading becomes the title (H1) when the document has none. */
function promoteTitle(markdown: string): string {
  if (/^# /m.test(markdown)) return markdown;
  const m = /^(#{2,6}) /m.exec(markdown);
  if (!m) return markdown;
  const shift = m[1]!.length - 1;
  return markdown.replace(/^(#{2,6}) /gm, (_h, hashes: string) => `${'#'.repeat(Math.max(1, hashes.length - shift))} `);
}
