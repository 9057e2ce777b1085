import TurndownService from 'turndown';
import { createRequire } from 'node:module';
import { decodeText } from '../decode-text.js';
import type { ParsedDocument } from '../parsed-document.js';
import { postmortemDocument } from './postmortem.js';

const require = createRequire(import.meta.url);
// The GFM plugin ships CommonJS only; it adds tables, strikethrough and task lists.
const { gfm } = require('@joplin/turndown-plugin-gfm') as { gfm: TurndownService.Plugin };

let service: TurndownService | null = null;

function turndown(): TurndownService {
  if (service) return service;
  service = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '_' });
  service.use(gfm);
  // Page chrome of Confluence / Google Docs exports that is not part of the document.
  service.remove(['script', 'style', 'noscript', 'iframe', 'object', 'embed', 'head', 'nav', 'footer', 'form', 'svg', 'canvas']);
  // Images carry no searchable text beyond their alt text.
  service.addRule('image', {
    filter: 'img',
    replacement: (_content, node) => {
      const alt = (node as unknown as { getAttribute(name: string): string | null }).getAttribute('alt')?.trim();
      return alt ? `[image: ${alt}]` : '';
    },
  });
  return service;
}

/** HTML (a string) to Markdown that keeps headings, lists, tables and code. */
export function htmlToMarkdown(html: string): string {
  // Only the body is content (the <head> holds the <title>, which parseHtml handles itself).
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html.replace(/<head[\s\S]*?<\/head>/i, '');
  return turndown()
    .turndown(body)
    .replace(/^(\s*)([-*+]|\d+\.)[ \t]{2,}/gm, '$1$2 ');
}

export function parseHtml(path: string, bytes: Uint8Array): ParsedDocument[] {
  const html = decodeText(bytes, path);
  const title = /<title[^>]*>([^<]{1,300})<\/title>/i.exec(html)?.[1]?.trim();
  let md = htmlToMarkdown(html);
  // Use the <title> when the body has no H1 of its own (Confluence puts the page title there).
  if (title && !/^#\s/m.test(md)) md = `# ${decodeEntities(title)}\n\n${md}`;
  return [postmortemDocument(path, 'html', md)];
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
