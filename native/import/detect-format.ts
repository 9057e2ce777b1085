import { extname } from 'node:path';

export type FileFormat = 'markdown' | 'text' | 'html' | 'docx' | 'pdf' | 'zip' | 'json' | 'csv' | 'xml' | 'jsonl' | 'unknown';

/** Extensions a folder walk picks up; a file named explicitly is always tried. */
export const IMPORTABLE_EXTENSIONS = new Set(['.md', '.markdown', '.mdown', '.txt', '.text', '.html', '.htm', '.docx', '.pdf', '.json', '.ndjson', '.jsonl', '.csv', '.xml', '.zip']);

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
  // A .docx or .pdf that is not one is reported as a broken file of that kind, not as unknown.
  if (ext === '.docx') return 'docx';
  if (ext === '.pdf') return 'pdf';
  const text = ascii.replace(/^\xef\xbb\xbf/, '').replace(/^\xff\xfe|^\xfe\xff/, '').replaceAll('\x00', '').trimStart().toLowerCase();
  // A Jira XML saved from the browser's XML view starts with the browser's notice line.
  if (text.startsWith('this xml file does not appear to have any style information') && /<rss|<\?xml/.test(text)) return 'xml';
  // Mattermost bulk exports are JSON Lines that open with a version record.
  if (/^\{\s*"type"\s*:\s*"version"/.test(text)) return 'jsonl';
  // Confluence storage format (a page body saved as .xml or .html) is XHTML with ac: macros.
  if (/^<(ac:|p[\s>]|h[1-6][\s>]|table[\s>])/.test(text) && /<ac:|<ri:/.test(text)) return 'html';
  if (text.startsWith('<?xml') || text.startsWith('<rss') || (text.startsWith('<!--') && /<rss|jira/.test(text)) || ext === '.xml') return 'xml';
  if (ext === '.json' || ext === '.ndjson' || ext === '.jsonl' || ((text.startsWith('{') || text.startsWith('[')) && ext !== '.md' && ext !== '.txt')) return 'json';
  if (ext === '.csv') return 'csv';
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || (/<(body|h1|h2|div|p|table)[\s>]/.test(text) && ext !== '.md')) return 'html';
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.md' || ext === '.markdown' || ext === '.mdown') return 'markdown';
  if (ext === '.txt' || ext === '.text') return 'text';
  if (text.startsWith('---\n') || /^#{1,6} /m.test(text)) return 'markdown';
  if (ext === '' || ext === '.log') return 'text';
  return 'unknown';
}
