import { decodeText } from '../decode-text.js';
import { splitFrontMatter } from '../front-matter.js';
import type { ParsedDocument } from '../parsed-document.js';
import { postmortemDocument } from './postmortem.js';

export function parseMarkdown(path: string, bytes: Uint8Array): ParsedDocument[] {
  const { data, body } = splitFrontMatter(decodeText(bytes, path));
  return [postmortemDocument(path, 'markdown', body, data)];
}
