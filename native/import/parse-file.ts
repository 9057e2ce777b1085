import { open, stat } from 'node:fs/promises';
import { HindsightError } from '../common/errors.js';
import { detectFormat, type FileFormat } from './detect-format.js';
import { parseDocx } from './formats/docx.js';
import { parseHtml } from './formats/html.js';
import { parseMarkdown } from './formats/markdown.js';
import { parsePdf } from './formats/pdf.js';
import { parseText } from './formats/plain-text.js';
import { IMPORT_LIMITS } from './limits.js';
import type { ParsedDocument } from './parsed-document.js';

export interface ParsedFile {
  format: FileFormat;
  documents: ParsedDocument[];
}

/** Reads one file (within the size limit), detects its format and parses it into documents. */
export async function parseFile(path: string): Promise<ParsedFile> {
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new HindsightError('not-found', `${path} does not exist or is not a file.`);
  if (st.size > IMPORT_LIMITS.maxDocumentBytes) {
    throw new HindsightError(
      'too-large',
      `${path} is ${(st.size / 1048576).toFixed(0)} MB; documents over ${IMPORT_LIMITS.maxDocumentBytes / 1048576} MB are not imported.`,
    );
  }
  if (st.size === 0) throw new HindsightError('empty', `${path} is empty.`);
  const bytes = await readAll(path, st.size);
  const format = detectFormat(path, bytes.subarray(0, 512));
  switch (format) {
    case 'markdown':
      return { format, documents: parseMarkdown(path, bytes) };
    case 'text':
      return { format, documents: parseText(path, bytes) };
    case 'html':
      return { format, documents: parseHtml(path, bytes) };
    case 'docx':
      return { format, documents: await parseDocx(path, bytes) };
    case 'pdf':
      return { format, documents: await parsePdf(path, bytes) };
    case 'zip':
      throw new HindsightError('unsupported', `${path} is a ZIP archive that is not a Word document; Hindsight cannot import it.`);
    default:
      throw new HindsightError('unsupported', `${path} is not a format Hindsight imports (Markdown, text, HTML, DOCX, PDF).`);
  }
}

async function readAll(path: string, size: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    // Read no more than was stat'ed (and allowed), even if the file grows meanwhile.
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (!bytesRead) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } catch (err) {
    throw new HindsightError('unreadable', `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  } finally {
    await fh.close();
  }
}
