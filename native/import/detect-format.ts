import { extname } from 'node:path';

export type FileFormat = 'markdown' | 'text' | 'html' | 'docx' | 'pdf' | 'zip' | 'unknown';

/** Extensions a folder walk picks up; a file named explicitly is always tried. */
export const IMPORTABLE_EXTENSIONS = new Set(['.md', '.markdown', '.mdown', '.txt', '.text', '.html', '.htm', '.docx', '.pdf']);

/**
 * The format of a file, from its first bytes before its name: exports are often renamed or come
 * without an extension, and a wrong extension must not send a PDF to the text parser.
 */
export function detectFormat(name: string, head: Uint8Array): FileFormat {
  const ext = extname(name).toLowerCase();
  const ascii = Buffer.from(head.subarray(0, 512)).toString('latin1');
  if (ascii.startsWith('%PDF-')) return 'pdf';
  if (ascii.startsWith('PK\x03\x04') || ascii.startsWith('PK\x05\x06')) return ext === '.docx' ? 'docx' : 'zip';
  if (ascii.startsWith('\xd0\xcf\x11\xe0')) return ext === '.docx' ? 'docx' : 'unknown';
  // A .docx that is not a ZIP is still reported as a broken Word file, not as unknown.
  if (ext === '.docx') return 'docx';
  const text = ascii.replace(/^\xef\xbb\xbf/, '').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || (/<(body|h1|h2|div|p|table)[\s>]/.test(text) && ext !== '.md')) return 'html';
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.md' || ext === '.markdown' || ext === '.mdown') return 'markdown';
  if (ext === '.txt' || ext === '.text') return 'text';
  if (text.startsWith('---\n') || /^#{1,6} /m.test(text)) return 'markdown';
  if (ext === '' || ext === '.log') return 'text';
  return 'unknown';
}
