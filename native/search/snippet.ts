import type { Snippet, SectionRole } from '../contract.js';
import { stem } from './terms.js';

const WORDS = /[\p{L}\p{N}]+/gu;

/**
 * The most query-dense window of a passage, with the matching words marked. Falls back to the
 * passage's opening when no word matches (a purely semantic hit).
 */
export function makeSnippet(text: string, terms: string[], heading: string, role: SectionRole, width = 260): Snippet {
  const clean = plainText(text.replace(/^(#{1,6}\s+[^\n]*\n+)+/, ''));
  const stems = terms.map(stem).filter((s) => s.length >= 2);
  const hits: Array<[number, number]> = [];
  if (stems.length) {
    for (const m of clean.matchAll(WORDS)) {
      const w = m[0].toLowerCase();
      if (stems.some((s) => w.startsWith(s) && w.length - s.length <= 4)) hits.push([m.index, m.index + m[0].length]);
    }
  }
  let start = 0;
  if (hits.length && clean.length > width) {
    // Slide a window over the hits and keep the one covering the most.
    let best = 0;
    let j = 0;
    for (let i = 0; i < hits.length; i++) {
      while (hits[j]![0] < hits[i]![0] - width * 0.8) j++;
      if (i - j + 1 > best) {
        best = i - j + 1;
        start = hits[j]![0];
      }
    }
    start = Math.max(0, start - Math.floor(width * 0.15));
    const space = clean.lastIndexOf(' ', start);
    start = space > 0 && start - space < 20 ? space + 1 : start;
  }
  const end = Math.min(clean.length, start + width);
  const prefix = start > 0 ? '… ' : '';
  const suffix = end < clean.length ? ' …' : '';
  const body = clean.slice(start, end);
  const highlights = hits
    .filter(([a, b]) => a >= start && b <= end)
    .map(([a, b]) => [a - start + prefix.length, b - start + prefix.length] as [number, number]);
  return { text: prefix + body + suffix, highlights, heading, role };
}

/**
 * Markdown to the plain text a snippet shows: no heading marks, emphasis, code ticks, quote
 * marks or table rules; links keep their label. List items are set apart by " · " (a ticket's
 * field list read "- Key: LF-247 - Type: Task - Status: Done" once its lines were joined).
 * Whitespace collapses to single spaces.
 */
export function plainText(md: string): string {
  return md
    .replace(/^\s*#{1,6}\s+/gm, '')
    .replace(/^\s*>\s?/gm, '')
    .replace(/^\s*(?:[-*+]|\d{1,3}[.)])\s+/gm, '\u2029')
    .replace(/^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*$/gm, '')
    .replace(/\[([^\]]+)\]\((?:[^)\s]+)(?:\s+"[^"]*")?\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    // Fences before inline code: run after it, the inline rule eats one tick of each fence.
    .replace(/```[a-z]*\n?/g, '')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\s*\|\s*/g, ' | ')
    // (U+2029 marks where an item began; \s matches it, so it is placed before the collapse.)
    .replace(/\s*\u2029\s*/g, ' \u00b7 ')
    .replace(/\s+/g, ' ')
    .replace(/^\s*(?:\||\u00b7)\s*|\s*\|\s*$/g, '')
    .trim();
}
