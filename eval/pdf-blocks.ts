/**
 * The block structure of a Markdown document — headings with their level, paragraphs, list items,
 * table rows, code blocks — to compare a PDF's reconstruction with the Markdown it was printed
 * from more strictly than by the words of each section: a list read as one paragraph, a table
 * read as paragraphs or an H4 read as text all show here. Parsed by mdast (micromark with GFM,
 * the parser remark-gfm builds on), so setext headings, lazy list lines and tables read as a
 * Markdown renderer reads them.
 */
import type { Nodes, Parents } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';
import { tokens } from '../test/support/sections.js';

export type BlockKind = 'heading' | 'paragraph' | 'item' | 'row' | 'code';
export interface Block {
  kind: BlockKind;
  /** Heading level (1–6), else 0. */
  level: number;
  text: string;
}

/** Text as printed: link targets and images are not on the page. */
function printed(node: Nodes): string {
  if (node.type === 'image' || node.type === 'imageReference' || node.type === 'html') return '';
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  if ('children' in node) return (node as Parents).children.map((c) => printed(c as Nodes)).join(node.type === 'tableRow' ? ' | ' : '');
  return toString(node);
}

export function blocksOf(markdown: string): Block[] {
  const out: Block[] = [];
  const walk = (node: Nodes) => {
    switch (node.type) {
      case 'heading':
        out.push({ kind: 'heading', level: node.depth, text: printed(node) });
        return;
      case 'paragraph':
        out.push({ kind: 'paragraph', level: 0, text: printed(node) });
        return;
      case 'code':
        out.push({ kind: 'code', level: 0, text: node.value });
        return;
      case 'tableRow':
        out.push({ kind: 'row', level: 0, text: printed(node) });
        return;
      case 'listItem': {
        // An item is its first paragraph; nested lists and later paragraphs are blocks of their own.
        const [first, ...rest] = node.children;
        if (first?.type === 'paragraph') out.push({ kind: 'item', level: 0, text: printed(first) });
        else if (first) walk(first);
        for (const c of rest) walk(c);
        return;
      }
      default:
        if ('children' in node) for (const c of (node as Parents).children) walk(c as Nodes);
    }
  };
  walk(fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }));
  return out.filter((b) => tokens(b.text).length > 0);
}

/** Blocks as comparable lines: kind, level and words ("item: the words"), for a readable diff. */
export function blockLines(markdown: string): string[] {
  return blocksOf(markdown).map((b) => `${b.kind}${b.level ? b.level : ''}: ${tokens(b.text).join(' ')}`);
}

/** Share of the blocks two documents have in common, in order (longest common subsequence over the longer). */
export function blockAgreement(want: string[], got: string[]): number {
  if (!want.length && !got.length) return 1;
  let row = new Array<number>(got.length + 1).fill(0);
  for (const w of want) {
    const next = [0];
    for (let j = 0; j < got.length; j++) next.push(w === got[j] ? row[j]! + 1 : Math.max(row[j + 1]!, next[j]!));
    row = next;
  }
  return row[got.length]! / Math.max(want.length, got.length);
}
