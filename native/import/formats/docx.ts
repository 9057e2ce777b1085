import mammoth from 'mammoth';
import { HindsightError } from '../../common/errors.js';
import type { ParsedDocument } from '../parsed-document.js';
import { ZipArchive } from '../zip-archive.js';
import { htmlToMarkdown } from './html.js';
import { postmortemDocument } from './postmortem.js';

/** DOCX via mammoth (semantic HTML: headings, lists, tables) and then the HTML path. */
export async function parseDocx(path: string, bytes: Buffer): Promise<ParsedDocument[]> {
  if (bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    // OLE container: either a password-protected DOCX or a legacy .doc.
    throw new HindsightError('encrypted', `${path} is password-protected or a legacy .doc file; save it as an unprotected .docx and import it again.`);
  }
  // mammoth inflates the whole package in memory: check it is a sane ZIP first.
  const zip = await ZipArchive.fromBuffer(bytes, path);
  const isDocx = zip.has('word/document.xml');
  zip.close();
  if (!isDocx) throw new HindsightError('bad-format', `${path} is a ZIP but not a Word document (no word/document.xml).`);
  let html: string;
  try {
    // Google Docs (and Word) write the document title as a "Title" paragraph, not a heading.
    html = (await mammoth.convertToHtml({ buffer: bytes }, { styleMap: ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => p:fresh"] })).value;
  } catch (err) {
    throw new HindsightError('bad-format', `${path} could not be read as a Word document (${(err as Error).message}).`);
  }
  return [postmortemDocument(path, 'docx', htmlToMarkdown(html))];
}
