/**
 * Text helpers for extraction: Markdown to plain words, units (sentences, list items, table rows)
 * with their offsets in the body, and the tests that tell a written value from template
 * boilerplate. Extraction never fills a field from text these tests reject.
 */

/** A piece of the body: a sentence of a paragraph, a list item, or a table row. */
export interface Unit {
  start: number;
  end: number;
  /** Plain text (Markdown removed). */
  text: string;
  kind: 'sentence' | 'item' | 'row';
  /** For list items: the checkbox state when there is one. */
  checkbox?: 'open' | 'done';
  /** For list items: leading spaces, to tell nested items from top-level ones. */
  indent?: number;
  /** For table rows: the plain cells. */
  cells?: string[];
  /** For table rows: the header cells of the table it belongs to. */
  header?: string[];
  /** Units of one paragraph share a block number. */
  block: number;
}

const FENCE = /^\s*(```|~~~)/;
const LIST_ITEM = /^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(?:\[([ xX✓✔]?)\]\s*)?/;
const ATX = /^\s{0,3}#{1,6}\s/;
const SETEXT = /^\s*(=+|-{2,})\s*$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;
/** A bold label alone on a line ("**Resolution**:", "- **Key events**"): a heading in all but name. */
export const BOLD_ALONE = /^\s*(?:[-*+]\s+)?(?:\*\*|__)([^*_\n]{2,80}?)(?:\*\*|__)\s*:?\s*(?::\s*)?\s*$/;

/** Markdown inline syntax to plain words. */
export function plain(md: string): string {
  // Most sentences have no Markdown at all.
  if (!/[*_`[\]<>!\\#|]/.test(md)) return md.replace(/\s+/g, ' ').trim();
  return md
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/<img\b[^>]*>/gi, ' ')
    .replace(/\[([^\]\n]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+"[^"]*")?\)/g, '$1')
    .replace(/\[([^\]\n]+)\]\[[^\]\n]*\]/g, '$1')
    .replace(/<(https?:\/\/[^>\s]+)>/g, '$1')
    .replace(/<\/?[a-z][^>]*>/gi, ' ')
    .replace(/\[([^\]\n]+)\](?!\()/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[\s(])[*_]([^*_\n]+?)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1')
    .replace(/^\s*>+\s?/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function cellsOf(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => plain(c));
}

/** Abbreviations whose full stop does not end a sentence. */
const ABBREVIATION = /\b(e\.g|i\.e|etc|approx|vs|incl|esp|resp|mr|mrs|ms|dr|no|fig|cf|al|ca|st|ft|min|max|sec|hr|hrs|mins|ver|v)\.$/i;

/** Sentence spans of one paragraph's raw text, as [start, end) relative to it. */
function sentenceSpans(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  const re = /[.!?]+["')\]]*(\s+)(?=["'([`*_]*[A-Z0-9@#])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const end = m.index + m[0].length - m[1]!.length;
    if (ABBREVIATION.test(text.slice(Math.max(start, end - 8), end))) continue;
    out.push([start, end]);
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push([start, text.length]);
  return out.filter(([a, b]) => text.slice(a, b).trim());
}

/**
 * The units of body[start, end): paragraphs split into sentences, list items (with their nested
 * lines folded in), table rows. Headings, code fences, comments and images are skipped.
 */
export function units(body: string, start: number, end: number): Unit[] {
  // Every field reads the same sections: remember the last body's units (callers never mutate them).
  if (cachedBody !== body) {
    cachedBody = body;
    unitCache.clear();
  }
  const key = `${start}:${end}`;
  const hit = unitCache.get(key);
  if (hit) return hit;
  const computed = computeUnits(body, start, end);
  unitCache.set(key, computed);
  return computed;
}

let cachedBody: string | null = null;
const unitCache = new Map<string, Unit[]>();

function computeUnits(body: string, start: number, end: number): Unit[] {
  const out: Unit[] = [];
  let offset = start;
  const lines = body.slice(start, end).split('\n');
  let inFence = false;
  let inComment = false;
  let para: { start: number; end: number } | null = null;
  let item: { start: number; end: number; indent: number; numbered: boolean; absorbing: boolean; checkbox?: 'open' | 'done' } | null = null;
  let header: string[] | undefined;
  let block = 0;
  const flushPara = () => {
    if (!para) return;
    const raw = body.slice(para.start, para.end);
    for (const [a, b] of sentenceSpans(raw)) {
      const text = plain(raw.slice(a, b));
      if (text) out.push({ start: para.start + a, end: para.start + b, text, kind: 'sentence', block });
    }
    block++;
    para = null;
  };
  const flushItem = () => {
    if (!item) return;
    const raw = body.slice(item.start, item.end);
    const text = plain(raw.split('\n').map((l, i) => (i === 0 ? l.replace(LIST_ITEM, '') : l)).join(' '));
    out.push({ start: item.start, end: item.end, text, kind: 'item', indent: item.indent, block: block++, ...(item.checkbox ? { checkbox: item.checkbox } : {}) });
    item = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineStart = offset;
    const lineEnd = offset + line.length;
    offset = lineEnd + 1;
    if (FENCE.test(line)) {
      flushPara();
      flushItem();
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    if (/<!--(?![\s\S]*-->)/.test(line)) {
      // A comment that runs over several lines is a template's note to its writer.
      flushPara();
      inComment = true;
      continue;
    }
    const next = lines[i + 1];
    if (!line.trim()) {
      flushPara();
      // A blank line ends an item unless the next line is indented under it.
      const cur = item as { start: number; end: number; numbered: boolean; absorbing: boolean } | null;
      const indentedNext = next !== undefined && /^\s{2,}\S/.test(next);
      const detailBullets = !!cur && cur.numbered && next !== undefined && /^\s*[-*+•]\s/.test(next) && (cur.absorbing || /:\s*$/.test(body.slice(cur.start, cur.end)));
      if (item && !indentedNext && !detailBullets) flushItem();
      header = undefined;
      continue;
    }
    const setext = next !== undefined && SETEXT.test(next) && !LIST_ITEM.test(line) && !line.includes('|') && !ATX.test(line);
    if (ATX.test(line) || BOLD_ALONE.test(line) || setext) {
      flushPara();
      flushItem();
      if (setext) {
        // The underline belongs to the heading.
        i++;
        offset += next!.length + 1;
      }
      continue;
    }
    if (SETEXT.test(line) && /^\s*-{3,}\s*$/.test(line)) {
      flushPara();
      flushItem();
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(line) || (header && /^\s*\|/.test(line)) || (line.includes('|') && next !== undefined && TABLE_SEPARATOR.test(next))) {
      flushPara();
      flushItem();
      if (TABLE_SEPARATOR.test(line)) continue;
      const cells = cellsOf(line);
      if (next !== undefined && TABLE_SEPARATOR.test(next)) {
        header = cells.map((c) => c.toLowerCase());
        continue;
      }
      const text = cells.filter(Boolean).join(' — ');
      if (text) out.push({ start: lineStart, end: lineEnd, text, kind: 'row', cells, block: block++, ...(header ? { header } : {}) });
      continue;
    }
    const li = LIST_ITEM.exec(line);
    if (li) {
      const indent = li[1]!.length;
      const numbered = /^\s*\d/.test(line);
      // Nested items stay part of their parent item: one action item with its details. Bullets
      // written flush under a numbered item that ends with ":" are its details too.
      if (item && (indent > item.indent || (item.numbered && !numbered && (item.absorbing || /:\s*$/.test(body.slice(item.start, item.end)))))) {
        if (indent <= item.indent) item.absorbing = true;
        item.end = lineEnd;
        continue;
      }
      flushPara();
      flushItem();
      const box = li[2];
      item = { start: lineStart, end: lineEnd, indent, numbered, absorbing: false, ...(box !== undefined ? { checkbox: box.trim() ? 'done' : 'open' } : {}) };
      continue;
    }
    if (item) {
      // A lazy continuation line belongs to the item above it.
      item.end = lineEnd;
      continue;
    }
    if (/^\s*!\[[^\]]*\]\([^)]*\)\s*$/.test(line) || /^\s*<img\b/i.test(line)) continue;
    // A quote under a line (an alert's text, a chat message) is a paragraph of its own.
    if (para && /^\s*>/.test(line) && !/^\s*>/.test(body.slice(para.start, para.end).split('\n').pop() ?? '')) flushPara();
    if (!para) para = { start: lineStart, end: lineEnd };
    else para.end = lineEnd;
  }
  flushPara();
  flushItem();
  return out.filter((u) => u.text || u.kind === 'item');
}

/** Latin filler of templates ("Lorem ipsum dolor", "Sit amet, consectetur"). */
const LOREM = new Set(
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum etiam dapibus curabitur vulputate felis vestibulum ante primis faucibus orci luctus ultrices posuere cubilia curae donec nec mauris pellentesque habitant morbi tristique senectus netus malesuada fames turpis egestas maecenas'.split(' '),
);

const PLACEHOLDER_WORDS =
  /^(tbd|tba|tbc|todo|to ?do|fixme|n\/?a|na|none|nil|null|nothing|pending|unknown|unk|not known|not applicable|not yet known|to be (determined|decided|confirmed|defined|added|filled( in)?|done|written|completed)|coming soon|placeholder|xxx+|yyy+|zzz+|\?+|-+|—+|–+|\.{2,}|…|_+|see (above|below)|same as above|ongoing|in progress|wip)$/i;

/** Template prompts: "[Describe the root cause]", "<name>", "{{TITLE}}", "YYYY-MM-DD". */
const BRACKETED = /^\s*(\[[^\]]{1,120}\]|<[^>]{1,120}>|\{\{?[^}]{1,120}\}\}?|\([^)]{1,80}\))\s*[.:]?\s*$/;
const DATE_TEMPLATE = /\b(yyyy|dd\/mm|mm\/dd|hh:mm|20xx|19xx)\b/i;
const INSTRUCTION =
  /^(please\s+)?(describe|explain|list|add|insert|enter|write|summari[sz]e|provide|document|fill in|give|include|copy|outline|detail)\b.{0,120}\b(here|below|above|this section|pre-meeting|in the meeting|the (root cause|impact|summary|timeline|resolution|mitigation|trigger|incident|issue)|what (happened|caused|went|was)|how (it|the|you|we))\b/i;

/** True when text is template boilerplate or says nothing: never a field value. */
export function isPlaceholder(raw: string): boolean {
  // Emphasis markers of a sentence cut out of an italic paragraph ("_To be done pre-meeting.").
  const text = plain(raw).replace(/^[\s:;,.\-–—*_]+|[\s:;,.*_]+$/g, '');
  if (!text) return true;
  if (PLACEHOLDER_WORDS.test(text)) return true;
  if (BRACKETED.test(raw.trim()) || BRACKETED.test(text)) return true;
  if (/^(short event description|event description|description|thing \d+ happened|action item \d+|incident title|issue name|incident name|title|untitled|summary|details?|name|your name|someone( \w+)?)$/i.test(text)) return true;
  if (DATE_TEMPLATE.test(text) && text.length < 40) return true;
  if (INSTRUCTION.test(text) && text.length < 260) return true;
  if (/^to be done\b/i.test(text)) return true;
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  if (words.length && words.filter((w) => LOREM.has(w)).length / words.length >= 0.6) return true;
  // A prompt left unanswered: nothing but questions.
  const sentences = text.split(/(?<=[.!?])\s+/).filter(Boolean);
  if (sentences.length && sentences.every((s) => /\?\s*$/.test(s))) return true;
  return false;
}

/** A statement that the value is not known yet ("The source ... is still unknown at this time."). */
export function isUnknownStatement(text: string): boolean {
  return (
    text.length < 200 &&
    /\b(is|are|was|remains?|remain)\s+(still\s+|currently\s+|yet\s+)?(unknown|unclear|undetermined|under investigation|being investigated|not (yet )?(known|determined|identified|understood|clear))\b/i.test(text)
  );
}

/** Words of a text for token overlap (lower case, punctuation dropped). */
export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:[-_.'][\p{L}\p{N}]+)*/gu) ?? [];
}

/** Cuts a value to a readable length at a word boundary. */
export function clip(text: string, max = 400): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const at = cut.lastIndexOf(' ');
  return `${cut.slice(0, at > max * 0.6 ? at : max).trimEnd()}…`;
}
