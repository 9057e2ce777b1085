/**
 * Jira's two rich-text forms to Markdown: Atlassian Document Format (Cloud, JSON) and wiki
 * markup (Data Center). Both render to readable text; exotic nodes keep their text content.
 */

interface AdfNode {
  type?: string;
  text?: string;
  content?: AdfNode[];
  attrs?: Record<string, unknown>;
  marks?: Array<{ type?: string; attrs?: Record<string, unknown> }>;
}

const MAX_DEPTH = 64;

export function adfToMarkdown(doc: unknown): string {
  return render(doc as AdfNode, 0, '').replace(/\n{3,}/g, '\n\n').trim();
}

function render(node: AdfNode | undefined, depth: number, indent: string): string {
  if (!node || typeof node !== 'object' || depth > MAX_DEPTH) return '';
  const kids = (sep = '') => (Array.isArray(node.content) ? joinInline(node.content, node.content.map((c) => render(c, depth + 1, indent)), sep) : '');
  const a = node.attrs ?? {};
  switch (node.type) {
    case 'doc':
      return kids();
    case 'paragraph':
      return `${kids()}\n\n`;
    case 'heading':
      return `${'#'.repeat(Math.min(6, Math.max(2, Number(a.level) || 2)))} ${kids()}\n\n`;
    case 'text': {
      let t = node.text ?? '';
      for (const m of node.marks ?? []) {
        if (m.type === 'code') t = `\`${t}\``;
        else if (m.type === 'strong') t = `**${t}**`;
        else if (m.type === 'em') t = `_${t}_`;
        else if (m.type === 'link' && typeof m.attrs?.href === 'string') t = `[${t}](${m.attrs.href})`;
      }
      return t;
    }
    case 'hardBreak':
      return '\n';
    case 'bulletList':
    case 'orderedList':
      return `${(node.content ?? []).map((li, i) => `${indent}${node.type === 'orderedList' ? `${i + 1}.` : '-'} ${render(li, depth + 1, `${indent}  `).trim()}`).join('\n')}\n\n`;
    case 'listItem':
      return kids().replace(/\n\n+/g, '\n');
    case 'codeBlock':
      return `\`\`\`${typeof a.language === 'string' ? a.language : ''}\n${kids()}\n\`\`\`\n\n`;
    case 'blockquote':
      return `${kids().trim().split('\n').map((l) => `> ${l}`).join('\n')}\n\n`;
    case 'rule':
      return '---\n\n';
    case 'mention':
      return `@${String(a.text ?? a.id ?? 'someone').replace(/^@/, '')}`;
    case 'emoji':
      return String(a.text ?? a.shortName ?? '');
    case 'inlineCard':
    case 'blockCard':
    case 'embedCard':
      return String(a.url ?? '');
    case 'status':
      return `[${String(a.text ?? '')}]`;
    case 'date':
      return a.timestamp ? new Date(Number(a.timestamp)).toISOString().slice(0, 10) : '';
    case 'table':
      return `${(node.content ?? []).map((row, i) => {
        const cells = (row.content ?? []).map((c) => render(c, depth + 1, '').replace(/\s+/g, ' ').trim());
        return `| ${cells.join(' | ')} |${i === 0 ? `\n|${cells.map(() => ' --- |').join('')}` : ''}`;
      }).join('\n')}\n\n`;
    case 'panel':
    case 'expand':
    case 'nestedExpand':
      return `${a.title ? `**${String(a.title)}**\n\n` : ''}${kids()}`;
    default:
      return kids();
  }
}

/** Nodes that stand alone in a sentence: a URL or @name glued to the word beside it reads as one word. */
const INLINE_ATOMS = new Set(['inlineCard', 'mention', 'status', 'date']);

function joinInline(nodes: AdfNode[], parts: string[], sep: string): string {
  if (sep) return parts.join(sep);
  let out = '';
  parts.forEach((part, i) => {
    const atom = INLINE_ATOMS.has(nodes[i]?.type ?? '');
    const afterAtom = i > 0 && INLINE_ATOMS.has(nodes[i - 1]?.type ?? '');
    if (part && out && !/[\s([]$/.test(out) && (atom || (afterAtom && !/^[\s.,;:!?)\]]/.test(part)))) out += ' ';
    out += part;
  });
  return out;
}

/** Jira wiki markup to Markdown: headings, code/noformat blocks, lists, links, emphasis, mentions. */
export function wikiToMarkdown(text: string): string {
  const out: string[] = [];
  let inCode = false;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = raw;
    const fence = /^\s*\{(code|noformat)(?::([^}]*))?\}(.*)$/.exec(line);
    if (fence || /\{(code|noformat)\}\s*$/.test(line) && inCode) {
      if (!inCode) {
        const lang = fence?.[2]?.split('|')[0]?.replace(/^language=/, '') ?? '';
        out.push('```' + (/^[a-z]+$/i.test(lang) ? lang : ''));
        const rest = fence?.[3]?.replace(/\{(code|noformat)\}\s*$/, '') ?? '';
        if (rest.trim()) out.push(rest);
        inCode = !/\{(code|noformat)\}\s*$/.test(fence?.[3] ?? '');
        if (!inCode) out.push('```');
      } else {
        const before = line.replace(/\{(code|noformat)\}\s*$/, '');
        if (before.trim()) out.push(before);
        out.push('```');
        inCode = false;
      }
      continue;
    }
    if (inCode) {
      out.push(line);
      continue;
    }
    // Lists first: wiki '#' is a numbered list, Markdown '#' a heading.
    line = line
      .replace(/^(\*+|#+)\s+/, (m) => `${'  '.repeat(m.trim().length - 1)}${m.startsWith('#') ? '1.' : '-'} `)
      .replace(/^h([1-6])\.\s+/, (_m, n: string) => `${'#'.repeat(Math.max(2, Number(n)))} `)
      .replace(/^bq\.\s+/, '> ')
      .replace(/\{quote\}/g, '')
      .replace(/\[~([^\]]+)\]/g, '@$1')
      .replace(/\[([^|\]]+)\|([^\]]+)\]/g, (_m, label: string, url: string) => `[${label}](${url})`)
      .replace(/\{\{([^}]+)\}\}/g, '`$1`')
      .replace(/(^|\s)\*([^*\n]+)\*(?=\s|$|[.,;:])/g, '$1**$2**')
      .replace(/\{color(?::[^}]*)?\}/g, '');
    out.push(line);
  }
  if (inCode) out.push('```');
  return out.join('\n').trim();
}
