import TurndownService from 'turndown';
import { createRequire } from 'node:module';
import { decodeText } from '../decode-text.js';
import type { ParsedDocument } from '../parsed-document.js';
import { postmortemDocument } from './postmortem.js';
import { looksLikeStorageFormat, storageToHtml } from './confluence-storage.js';
import { googleDocsToHtml, googleListLevel, isGoogleDocsHtml } from './google-docs.js';

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
  addConfluenceRules(service);
  addTableRule(service);
  // A Google Docs list nested by class, not by markup: indent its items to their level.
  service.addRule('google-nested-list-item', {
    filter: (node) => node.nodeName === 'LI' && googleListLevel((node.parentNode as unknown as Element | null)?.getAttribute?.('class') ?? '') > 0,
    replacement: (content, node) => {
      const parent = node.parentNode as unknown as Element;
      const level = googleListLevel(parent.getAttribute('class') ?? '');
      const ordered = parent.nodeName === 'OL';
      const index = Array.prototype.indexOf.call(parent.children, node) + Number(parent.getAttribute('start') ?? 1);
      const marker = ordered ? `${index}. ` : '- ';
      const text = content.replace(/^\n+/, '').replace(/\n+$/, '\n').replace(/\n/gm, `\n${' '.repeat(level * 2 + marker.length)}`);
      return `${' '.repeat(level * 2)}${marker}${text.trimEnd()}\n`;
    },
  });
  // <pre> without <code> (Confluence's syntax highlighter, many exporters) is still code.
  service.addRule('bare-pre', {
    filter: (node) => node.nodeName === 'PRE' && node.firstChild?.nodeName !== 'CODE',
    replacement: (_content, node) => fence(node.textContent ?? '', ''),
  });
  return service;
}

/**
 * Every table as a Markdown table (the GFM plugin keeps tables with merged or block cells as raw
 * HTML, which the chunker and the field extraction cannot read). A one-cell table, Confluence's
 * way to put a banner or heading in a box, is just its content.
 */
function addTableRule(s: TurndownService): void {
  s.addRule('table-any', {
    filter: 'table',
    replacement: (content, node) => {
      const rows = Array.from((node as unknown as { querySelectorAll(sel: string): ArrayLike<Element> }).querySelectorAll('tr')).filter((tr) => closestTable(tr) === node);
      const grid = rows.map((tr) =>
        Array.from(tr.children as ArrayLike<Element>)
          .filter((c) => c.nodeName === 'TD' || c.nodeName === 'TH')
          .flatMap((c) => {
            const text = s.turndown((c as unknown as { innerHTML: string }).innerHTML).replace(/\n+/g, ' <br> ').replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
            const span = Math.min(20, Math.max(1, Number(c.getAttribute('colspan') ?? 1) || 1));
            return [text, ...Array<string>(span - 1).fill('')];
          }),
      );
      const cells = grid.flat();
      if (cells.length <= 1) return `\n\n${content.trim()}\n\n`;
      const width = Math.max(...grid.map((r) => r.length));
      const line = (r: string[]) => `| ${Array.from({ length: width }, (_, i) => r[i] ?? '').join(' | ')} |`;
      return `\n\n${[line(grid[0]!), `|${' --- |'.repeat(width)}`, ...grid.slice(1).map(line)].join('\n')}\n\n`;
    },
  });
}

function closestTable(el: unknown): unknown {
  let n = (el as { parentNode: unknown }).parentNode;
  while (n && (n as Element).nodeName !== 'TABLE') n = (n as { parentNode: unknown }).parentNode;
  return n;
}

function fence(code: string, lang: string): string {
  const body = code.replace(/^\n/, '').replace(/\s+$/, '');
  const ticks = body.includes('```') ? '~~~~' : '```';
  return `\n\n${ticks}${lang}\n${body}\n${ticks}\n\n`;
}

type Element = { getAttribute(name: string): string | null; nodeName: string; textContent: string | null; children: ArrayLike<unknown>; querySelector(sel: string): Element | null };
const cls = (node: unknown) => ` ${(node as Element).getAttribute?.('class') ?? ''} `;
const has = (node: unknown, ...names: string[]) => names.every((n) => cls(node).includes(` ${n} `));

/**
 * Confluence pages rendered to HTML (space export, "export_view"/"view" bodies): macros arrive as
 * classed divs and spans. Each rule keeps what the macro means and drops its chrome.
 */
function addConfluenceRules(s: TurndownService): void {
  s.addRule('confluence-code-panel', {
    filter: (node) => node.nodeName === 'DIV' && has(node, 'code', 'panel'),
    replacement: (_content, node) => {
      const el = node as unknown as Element;
      const header = el.querySelector('.codeHeader')?.textContent?.trim();
      const pre = el.querySelector('pre');
      const lang = /brush:\s*([\w+#-]+)/.exec(pre?.getAttribute('data-syntaxhighlighter-params') ?? '')?.[1] ?? '';
      return `${header ? `\n\n**${header}**` : ''}${fence(pre?.textContent ?? '', lang)}`;
    },
  });
  s.addRule('confluence-macro-title', {
    filter: (node) => (node.nodeName === 'P' && has(node, 'title') && /confluence-information-macro/.test(cls(node.parentNode))) || has(node, 'confluence-information-macro-title') || has(node, 'panelHeader') || has(node, 'expand-control'),
    replacement: (_content, node) => {
      const text = ((node as unknown as Element).querySelector('.expand-control-text')?.textContent ?? node.textContent ?? '').trim();
      return text ? `\n\n**${text}**\n\n` : '';
    },
  });
  s.addRule('confluence-panel', {
    filter: (node) => node.nodeName === 'DIV' && (has(node, 'confluence-information-macro') || (has(node, 'panel') && !has(node, 'code'))),
    replacement: (content) => `\n\n${content.trim().split('\n').map((l) => (l ? `> ${l}` : '>')).join('\n')}\n\n`,
  });
  s.addRule('confluence-status', {
    filter: (node) => node.nodeName === 'SPAN' && (has(node, 'status-macro') || has(node, 'aui-lozenge')),
    replacement: (_content, node) => {
      const text = (node.textContent ?? '').trim();
      return text ? ` [${text.toUpperCase()}] ` : '';
    },
  });
  s.addRule('confluence-jira-issue', {
    filter: (node) => node.nodeName === 'SPAN' && has(node, 'jira-issue'),
    replacement: (_content, node) => {
      const key = (node as unknown as Element).getAttribute('data-jira-key') ?? /[A-Z][A-Z0-9]+-\d+/.exec(node.textContent ?? '')?.[0] ?? '';
      return key ? ` ${key} ` : '';
    },
  });
  s.addRule('confluence-chrome', {
    filter: (node) =>
      has(node, 'toc-macro') || has(node, 'page-metadata') || has(node, 'confluence-anchor-link') || has(node, 'aui-icon') || has(node, 'expand-control-icon') ||
      ['breadcrumb-section', 'footer', 'likes-and-labels-container', 'comments-section'].includes((node as unknown as Element).getAttribute?.('id') ?? ''),
    replacement: () => '',
  });
  s.addRule('confluence-title-heading', {
    filter: (node) => node.nodeName === 'H1' && (node as unknown as Element).getAttribute('id') === 'title-heading',
    replacement: (_content, node) => `\n\n# ${stripSpace((node.textContent ?? '').trim())}\n\n`,
  });
}

/** "Engineering : Incident 42" (space : page, how Confluence titles exported pages) → "Incident 42". */
export function stripSpace(title: string): string {
  return title.replace(/\s+/g, ' ').replace(/^[^:]{1,80}? : /, '');
}

export function isConfluenceHtml(html: string): boolean {
  return /Document generated by Confluence|confluence-information-macro|class="[^"]*wiki-content|confluenceTable|data-macro-name=/.test(html);
}

/** HTML (a string) to Markdown that keeps headings, lists, tables and code. */
export function htmlToMarkdown(html: string): string {
  // Only the body is content (the <head> holds the <title>, which parseHtml handles itself).
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html.replace(/<head[\s\S]*?<\/head>/i, '');
  // A line break inside a heading is layout, not a second line of Markdown.
  const cleaned = body.replace(/<(h[1-6])(\s[^>]*)?>([\s\S]*?)<\/\1>/gi, (_m, tag: string, at: string | undefined, inner: string) => `<${tag}${at ?? ''}>${inner.replace(/<br\s*\/?>/gi, ' ')}</${tag}>`);
  return turndown()
    .turndown(cleaned)
    .replace(/^(\s*)([-*+]|\d+\.)[ \t]{2,}/gm, '$1$2 ')
    // Status lozenges ("[RESOLVED]") are text, not link syntax to escape.
    .replace(/\\\[([A-Z][A-Z0-9 _-]{0,40})\\\]/g, '[$1]')
    .replace(/^(\s*- \[[ x]\]) {2,}/gm, '$1 ')
    // Bold wrapped around a whole heading adds nothing to it.
    .replace(/^(#{1,6}) \*\*(.+?)\*\*\s*$/gm, '$1 $2')
    .replace(/^[ \t]+$/gm, '');
}

export function parseHtml(path: string, bytes: Uint8Array): ParsedDocument[] {
  return [htmlDocument(path, decodeText(bytes, path))];
}

/**
 * One HTML page (or Confluence storage-format page) as a document. Confluence exports name the
 * author and last editor in the page metadata; they are kept as people.
 */
export function htmlDocument(path: string, source: string, extra: { title?: string; metadata?: Record<string, unknown>; people?: string[] } = {}): ParsedDocument {
  let html = source;
  let format = 'html';
  if (looksLikeStorageFormat(source) && !/<html[\s>]/i.test(source.slice(0, 2000))) {
    html = storageToHtml(source, path);
    format = 'confluence-storage';
  } else if (isGoogleDocsHtml(source)) {
    html = googleDocsToHtml(source);
    format = 'google-docs';
  }
  const confluence = format === 'confluence-storage' || isConfluenceHtml(source);
  if (confluence && format === 'html') format = 'confluence-html';
  const rawTitle = extra.title ?? /<title[^>]*>([^<]{1,300})<\/title>/i.exec(source)?.[1]?.trim();
  const title = rawTitle ? (confluence ? stripSpace(decodeEntities(rawTitle)) : decodeEntities(rawTitle)) : undefined;
  let md = htmlToMarkdown(html);
  // Use the <title> when the body has no H1 of its own (Confluence puts the page title there).
  if (title && !/^#\s/m.test(md)) md = `# ${title}\n\n${md}`;
  const metadata: Record<string, unknown> = { ...extra.metadata };
  const people = [...(extra.people ?? [])];
  if (confluence) {
    const author = /class='author'>\s*(?:<a[^>]*>)?([^<]+)/.exec(source)?.[1]?.trim();
    const editor = /class='editor'>\s*(?:<a[^>]*>)?([^<]+)/.exec(source)?.[1]?.trim();
    if (author) metadata.author = author;
    if (editor) metadata.lastEditor = editor;
    for (const p of [author, editor]) if (p && !people.includes(p)) people.push(p);
  }
  const doc = postmortemDocument(path, format, md, extra.title ? { title: extra.title } : {});
  doc.metadata = { ...doc.metadata, ...metadata };
  for (const name of people) if (!doc.fields.some((f) => f.type === 'person' && f.name === name)) doc.fields.push({ type: 'person', name });
  return doc;
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
