import type { SectionRole } from '../contract.js';
import { roleOfHeading } from './section-roles.js';
import { estimateTokens } from './tokens.js';

export interface Chunk {
  ord: number;
  /** Heading path, " > " separated ("Root Cause > Database"). */
  heading: string;
  role: SectionRole;
  text: string;
  start: number;
  end: number;
  tokens: number;
}

export interface ChunkOptions {
  /** Upper bound per chunk, in estimated tokens; leaves room under the model's 512. */
  maxTokens: number;
  /** Sections smaller than this are merged with the next one of the same role. */
  minTokens: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxTokens: 320, minTokens: 24 };

/**
 * A passage is never longer than this, whatever its whitespace: text with no spaces (a base64
 * blob, a minified line) would otherwise become one passage of megabytes. 320 estimated tokens
 * of prose are about 1,300 characters; the model reads 512 tokens at most.
 */
export const MAX_PASSAGE_CHARS = 2_000;

/**
 * A line longer than this is text, not a heading, whatever marks it: every passage of a section
 * carries its heading path, so a text file that is one 1 MB line (read as its own title line)
 * gave 500 passages of 2,000 characters each under the same 1 MB heading — a 511 MB database,
 * in time that grew with the square of the line.
 */
export const MAX_HEADING_CHARS = 300;

interface Section {
  path: string[];
  role: SectionRole;
  start: number;
  end: number;
}

const ATX = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^\s*(```|~~~)/;
/** A bold label alone on a line or opening a list item ("- **Impact**:") acts as a heading when it names a role. */
const BOLD_LABEL = /^\s*(?:[-*+]\s+)?\*\*([^*\n]{2,60}?)\*\*\s*:?\s*(?::\s*)?$/;

/**
 * Splits a Markdown body into passages that follow its sections. Each passage keeps its heading
 * path and the role of its nearest heading that names one; long sections split on paragraph
 * boundaries (then sentences) to fit the token budget.
 */
export function chunkMarkdown(body: string, options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): Chunk[] {
  const sections = splitSections(body);
  const pieces: Array<Omit<Chunk, 'ord'>> = [];
  for (const s of sections) {
    for (const p of splitByBudget(body, s.start, s.end, options.maxTokens)) {
      for (const q of capLength(body, p)) pieces.push({ heading: s.path.join(' > '), role: s.role, ...q });
    }
  }
  return mergeSmall(body, pieces, options).map((c, ord) => ({ ...c, ord }));
}

function splitSections(body: string): Section[] {
  const sections: Section[] = [];
  const stack: Array<{ level: number; title: string; role: SectionRole | null }> = [];
  let inFence = false;
  let current: Section = { path: [], role: 'summary', start: 0, end: 0 };
  let offset = 0;
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineStart = offset;
    offset += line.length + 1;
    if (FENCE.test(line)) inFence = !inFence;
    if (inFence) continue;
    let level = 0;
    let title = '';
    const atx = ATX.exec(line);
    const next = lines[i + 1];
    if (atx) {
      level = atx[1]!.length;
      title = atx[2]!;
    } else if (next !== undefined && line.trim() && /^\s*(=+|-+)\s*$/.test(next) && !/^\s*[-*+]\s/.test(line)) {
      level = next.trim().startsWith('=') ? 1 : 2;
      title = line.trim();
    } else {
      const bold = BOLD_LABEL.exec(line);
      if (bold && roleOfHeading(bold[1]!)) {
        // Deeper than any real heading so that it nests under the current section.
        level = 7;
        title = bold[1]!.trim();
      }
    }
    if (!level || title.length > MAX_HEADING_CHARS) continue;
    current.end = lineStart;
    sections.push(current);
    while (stack.length && stack[stack.length - 1]!.level >= level) stack.pop();
    const own = roleOfHeading(title);
    stack.push({ level, title: title.replace(/\*\*/g, '').trim(), role: own });
    // A top-level title (H1) names the document, not a section: its words ("... issue",
    // "... outage") say nothing about the role of the sections under it.
    const inherited = [...stack].reverse().find((h) => h.role && h.level > 1)?.role;
    const role: SectionRole = own ?? inherited ?? (level === 1 ? 'summary' : 'other');
    current = { path: stack.filter((h) => h.level > 1 || stack.length === 1).map((h) => h.title), role, start: lineStart, end: 0 };
  }
  current.end = body.length;
  sections.push(current);
  // A heading with nothing under it (a document title right before its first section) joins
  // the next section instead of becoming a passage of one line.
  const out: Section[] = [];
  let carry: number | null = null;
  for (const s of sections) {
    const text = body.slice(s.start, s.end);
    if (!text.trim()) continue;
    const start: number = carry ?? s.start;
    carry = null;
    if (!text.replace(/^[^\n]*\n?/, '').trim() && s !== sections[sections.length - 1]) {
      carry = start;
      continue;
    }
    out.push({ ...s, start });
  }
  return out;
}

/** Splits [start, end) on blank lines (never inside a code fence), then sentences, to fit maxTokens. */
function splitByBudget(body: string, start: number, end: number, maxTokens: number): Array<Pick<Chunk, 'text' | 'start' | 'end' | 'tokens'>> {
  const text = body.slice(start, end);
  const total = estimateTokens(text);
  if (total <= maxTokens) return [{ text: text.trim(), start, end, tokens: total }];
  const paragraphs = paragraphRanges(text).flatMap(([a, b]) => {
    const t = estimateTokens(text.slice(a, b));
    return t <= maxTokens ? [[a, b, t] as const] : sentenceRanges(text, a, b, maxTokens);
  });
  const out: Array<Pick<Chunk, 'text' | 'start' | 'end' | 'tokens'>> = [];
  let curStart = -1;
  let curEnd = -1;
  let curTokens = 0;
  for (const [a, b, t] of paragraphs) {
    if (curStart >= 0 && curTokens + t > maxTokens) {
      out.push({ text: text.slice(curStart, curEnd).trim(), start: start + curStart, end: start + curEnd, tokens: curTokens });
      curStart = -1;
      curTokens = 0;
    }
    if (curStart < 0) curStart = a;
    curEnd = b;
    curTokens += t;
  }
  if (curStart >= 0) out.push({ text: text.slice(curStart, curEnd).trim(), start: start + curStart, end: start + curEnd, tokens: curTokens });
  return out.filter((c) => c.text.length > 0);
}

/** Cuts a passage longer than MAX_PASSAGE_CHARS, at the last space before the limit when there is one. */
function capLength(body: string, p: Pick<Chunk, 'text' | 'start' | 'end' | 'tokens'>): Array<Pick<Chunk, 'text' | 'start' | 'end' | 'tokens'>> {
  if (p.end - p.start <= MAX_PASSAGE_CHARS && p.text.length <= MAX_PASSAGE_CHARS) return [p];
  const out: Array<Pick<Chunk, 'text' | 'start' | 'end' | 'tokens'>> = [];
  let at = p.start;
  while (at < p.end) {
    let cut = Math.min(p.end, at + MAX_PASSAGE_CHARS);
    if (cut < p.end) {
      const space = body.lastIndexOf(' ', cut);
      if (space > at + MAX_PASSAGE_CHARS / 2) cut = space + 1;
    }
    const text = body.slice(at, cut).trim();
    if (text) out.push({ text, start: at, end: cut, tokens: estimateTokens(text) });
    at = cut;
  }
  return out;
}

function paragraphRanges(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let inFence = false;
  let paraStart = 0;
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineEnd = offset + line.length + 1;
    if (FENCE.test(line)) inFence = !inFence;
    if (!inFence && line.trim() === '' && offset > paraStart) {
      out.push([paraStart, offset]);
      paraStart = lineEnd;
    } else if (!inFence && line.trim() === '') {
      paraStart = lineEnd;
    }
    offset = lineEnd;
  }
  if (paraStart < text.length) out.push([paraStart, text.length]);
  return out;
}

/** Sentence (or line) boundaries inside one long paragraph; words as a last resort. */
function sentenceRanges(text: string, a: number, b: number, maxTokens: number): Array<readonly [number, number, number]> {
  const out: Array<readonly [number, number, number]> = [];
  const re = /[^.!?\n]+(?:[.!?]+|\n|$)\s*/g;
  re.lastIndex = a;
  const slice = text.slice(0, b);
  let m: RegExpExecArray | null;
  while ((m = re.exec(slice)) && m.index < b) {
    if (!m[0].length) break;
    const s = m.index;
    const e = s + m[0].length;
    const t = estimateTokens(m[0]);
    if (t <= maxTokens) out.push([s, e, t]);
    else out.push(...wordRanges(text, s, e, maxTokens));
    if (e >= b) break;
  }
  return out;
}

function wordRanges(text: string, a: number, b: number, maxTokens: number): Array<readonly [number, number, number]> {
  const out: Array<readonly [number, number, number]> = [];
  const step = Math.max(1, Math.floor(maxTokens / 2));
  const words = [...text.slice(a, b).matchAll(/\S+\s*/g)];
  for (let i = 0; i < words.length; i += step) {
    const group = words.slice(i, i + step);
    const s = a + group[0]!.index;
    const last = group[group.length - 1]!;
    const e = a + last.index + last[0].length;
    out.push([s, e, Math.min(maxTokens, estimateTokens(text.slice(s, e)))]);
  }
  return out;
}

/** Merges a too-small passage into the next one when both share a role and fit the budget together. */
function mergeSmall(body: string, pieces: Array<Omit<Chunk, 'ord'>>, options: ChunkOptions): Array<Omit<Chunk, 'ord'>> {
  const out: Array<Omit<Chunk, 'ord'>> = [];
  for (const p of pieces) {
    const prev = out[out.length - 1];
    if (prev && prev.tokens < options.minTokens && prev.role === p.role && prev.tokens + p.tokens <= options.maxTokens) {
      out[out.length - 1] = {
        heading: prev.heading || p.heading,
        role: p.role,
        text: body.slice(prev.start, p.end).trim(),
        start: prev.start,
        end: p.end,
        tokens: prev.tokens + p.tokens,
      };
    } else {
      out.push(p);
    }
  }
  return out;
}
