import { HindsightError } from '../../common/errors.js';
import { IMPORT_LIMITS } from '../limits.js';
import type { ParsedDocument } from '../parsed-document.js';
import { textToMarkdown } from './plain-text.js';
import { postmortemDocument } from './postmortem.js';

interface TextItem {
  str: string;
  transform: number[];
  height: number;
  hasEOL: boolean;
}

/**
 * PDF text via pdf.js (no rendering, no eval, no fonts). Lines in a clearly larger font than the
 * body become headings; the rest goes through the plain-text heading rules.
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
    const lines: Array<{ text: string; height: number; gapBefore: number }> = [];
    const pages = Math.min(doc.numPages, IMPORT_LIMITS.maxPdfPages);
    for (let p = 1; p <= pages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      let text = '';
      let height = 0;
      let lastY: number | null = null;
      let lineY: number | null = null;
      for (const raw of content.items) {
        if (!('str' in raw)) continue;
        const item = raw as unknown as TextItem;
        const y = item.transform[5] ?? 0;
        if (lineY === null) lineY = y;
        text += item.str;
        // End-of-line markers are empty items that carry the next line's font: skip their size.
        if (item.str.trim()) height = Math.max(height, item.height || Math.abs(item.transform[3] ?? 0));
        if (item.hasEOL) {
          lines.push({ text, height, gapBefore: lastY === null ? 0 : Math.abs(lastY - lineY) });
          lastY = lineY;
          lineY = null;
          text = '';
          height = 0;
        }
      }
      if (text.trim()) lines.push({ text, height, gapBefore: lastY === null || lineY === null ? 0 : Math.abs(lastY - lineY) });
      lines.push({ text: '', height: 0, gapBefore: 0 });
      page.cleanup();
    }
    const body = bodyFontSize(lines);
    const out: string[] = [];
    for (const l of lines) {
      const t = l.text.trim();
      if (!t) {
        out.push('');
        continue;
      }
      if (body && l.gapBefore > body * 1.8) out.push('');
      const isHeading = body > 0 && l.height >= body * 1.2 && t.length <= 100 && !/[.,;]$/.test(t);
      out.push(isHeading ? `## ${t}` : t);
    }
    const text = out.join('\n');
    if (!text.trim()) {
      throw new HindsightError('no-text', `${path} has no extractable text (it may be a scanned image); Hindsight does not run OCR.`);
    }
    return [postmortemDocument(path, 'pdf', textToMarkdown(text))];
  } finally {
    await doc.destroy();
  }
}

/** The font size that carries the most characters is the body text's. */
function bodyFontSize(lines: Array<{ text: string; height: number }>): number {
  const chars = new Map<number, number>();
  for (const l of lines) {
    const h = Math.round(l.height * 10) / 10;
    if (h > 0) chars.set(h, (chars.get(h) ?? 0) + l.text.trim().length);
  }
  let best = 0;
  let most = 0;
  for (const [h, n] of chars) if (n > most) [best, most] = [h, n];
  return best;
}
