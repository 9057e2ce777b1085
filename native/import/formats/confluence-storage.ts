import { XMLParser } from 'fast-xml-parser';
import { HindsightError } from '../../common/errors.js';
import { assertNoEntityDeclarations } from '../tickets/jira-xml.js';

/**
 * Confluence storage format (XHTML with `ac:` macros and `ri:` resources, what the REST API's
 * `body.storage.value` and the editor hold) to plain HTML that the HTML path turns into
 * Markdown. Every macro is rendered by what it means: code keeps its CDATA body verbatim in a
 * fenced block, panels keep their title, status lozenges become "[RESOLVED]", Jira macros their
 * issue key; macro parameters never reach the text.
 */

type XmlNode = Record<string, unknown>;

/** Macros whose output is navigation or decoration, not content. */
const DROPPED_MACROS = new Set([
  'toc', 'toc-zone-marker', 'anchor', 'children', 'pagetree', 'pagetreesearch', 'recently-updated', 'livesearch', 'contributors',
  'contributors-summary', 'attachments', 'gallery', 'create-from-template', 'blog-posts', 'content-by-label', 'profile-picture',
  'excerpt-include', 'include', 'space-details', 'viewfile', 'view-file', 'drawio', 'gliffy', 'roadmap', 'change-history', 'listlabels',
]);
const PANEL_MACROS = new Set(['info', 'note', 'warning', 'tip', 'panel', 'success', 'error', 'callout']);
const CODE_MACROS = new Set(['code', 'noformat', 'code-block', 'sourcecode']);
/** Attributes worth keeping on plain HTML elements (the rest is styling). */
const KEPT_ATTRIBUTES = new Set(['href', 'colspan', 'rowspan', 'datetime', 'alt']);

export function looksLikeStorageFormat(text: string): boolean {
  return /<ac:(structured-macro|macro|layout|link|image|task-list|emoticon|rich-text-body|plain-text-body)\b/.test(text) || /<ri:(page|attachment|user)\b/.test(text);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  cdataPropName: '__cdata',
  htmlEntities: true,
  processEntities: true,
  trimValues: false,
  // Storage format is fragments of XHTML; tags like <br> are written as <br />.
  unpairedTags: ['br', 'hr', 'col', 'img'],
});

export function storageToHtml(storage: string, what: string): string {
  assertNoEntityDeclarations(storage, what);
  let tree: XmlNode[];
  try {
    // A page body is a fragment: give it one root (and the namespaces it assumes).
    tree = parser.parse(`<storage-root>${storage.replace(/^\s*<\?xml[^>]*>/, '')}</storage-root>`) as XmlNode[];
  } catch (err) {
    throw new HindsightError('bad-format', `${what} is not well-formed Confluence storage format (${(err as Error).message}).`);
  }
  return render(children(tree[0] ?? {}));
}

function tagOf(node: XmlNode): string | null {
  for (const k of Object.keys(node)) if (k !== ':@') return k;
  return null;
}

function children(node: XmlNode): XmlNode[] {
  const tag = tagOf(node);
  const value = tag ? node[tag] : null;
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

function attrs(node: XmlNode): Record<string, string> {
  return (node[':@'] as Record<string, string> | undefined) ?? {};
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The text of a node and everything in it (CDATA included), as written. */
function textOf(nodes: XmlNode[]): string {
  let out = '';
  for (const n of nodes) {
    const tag = tagOf(n);
    if (tag === '#text') out += String(n['#text'] ?? '');
    else if (tag === '__cdata') out += textOf(children(n));
    else if (tag) out += textOf(children(n));
  }
  return out;
}

function render(nodes: XmlNode[]): string {
  return nodes.map(renderNode).join('');
}

function renderNode(node: XmlNode): string {
  const tag = tagOf(node);
  if (!tag) return '';
  if (tag === '#text') return escapeHtml(String(node['#text'] ?? ''));
  if (tag === '__cdata') return escapeHtml(textOf(children(node)));
  const kids = children(node);
  const a = attrs(node);
  switch (tag) {
    case 'ac:structured-macro':
    case 'ac:macro':
      return renderMacro(a['ac:name'] ?? '', kids);
    case 'ac:link':
      return renderLink(kids);
    case 'ac:image': {
      const file = kids.find((k) => tagOf(k) === 'ri:attachment' || tagOf(k) === 'ri:url');
      const name = a['ac:alt'] || a['ac:title'] || (file ? attrs(file)['ri:filename'] ?? attrs(file)['ri:value'] : '');
      return name ? ` [image: ${escapeHtml(name)}] ` : '';
    }
    case 'ac:emoticon':
      return escapeHtml(a['ac:emoji-fallback'] ?? '');
    case 'ac:task-list':
      return `<ul>${kids.filter((k) => tagOf(k) === 'ac:task').map(renderTask).join('')}</ul>`;
    case 'ac:placeholder':
    case 'ac:parameter':
    case 'ac:adf-fallback':
      return '';
    case 'ac:adf-extension':
      return render(kids.filter((k) => tagOf(k) === 'ac:adf-fallback').flatMap(children));
    case 'time':
      return escapeHtml(a.datetime ?? textOf(kids));
    default:
      if (tag.startsWith('ri:')) return '';
      // Layouts, comment markers, rich-text bodies and unknown ac: wrappers keep only their content.
      if (tag.startsWith('ac:')) return render(kids);
      if (tag === 'storage-root') return render(kids);
      return element(tag, a, render(kids));
  }
}

function element(tag: string, a: Record<string, string>, inner: string): string {
  const kept = Object.entries(a)
    .filter(([k]) => KEPT_ATTRIBUTES.has(k))
    .map(([k, v]) => ` ${k}="${escapeHtml(v)}"`)
    .join('');
  if (['br', 'hr', 'col', 'img'].includes(tag)) return `<${tag}${kept}>`;
  return `<${tag}${kept}>${inner}</${tag}>`;
}

function params(kids: XmlNode[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const k of kids) if (tagOf(k) === 'ac:parameter') out.set((attrs(k)['ac:name'] ?? '').toLowerCase(), textOf(children(k)).trim());
  return out;
}

function body(kids: XmlNode[]): { rich: string | null; plain: string | null } {
  const rich = kids.find((k) => tagOf(k) === 'ac:rich-text-body');
  const plain = kids.find((k) => tagOf(k) === 'ac:plain-text-body');
  return { rich: rich ? render(children(rich)) : null, plain: plain ? textOf(children(plain)) : null };
}

function renderMacro(rawName: string, kids: XmlNode[]): string {
  const name = rawName.toLowerCase();
  const p = params(kids);
  const { rich, plain } = body(kids);
  if (DROPPED_MACROS.has(name)) return '';
  if (CODE_MACROS.has(name)) {
    const code = (plain ?? textOf(kids.filter((k) => tagOf(k) === 'ac:rich-text-body'))).replace(/^\n/, '').replace(/\s+$/, '');
    const lang = (p.get('language') ?? p.get('lang') ?? '').replace(/[^\w+#.-]/g, '');
    const title = p.get('title');
    return `${title ? `<p><strong>${escapeHtml(title)}</strong></p>` : ''}<pre><code${lang ? ` class="language-${lang}"` : ''}>${escapeHtml(code)}</code></pre>`;
  }
  if (PANEL_MACROS.has(name)) {
    const title = p.get('title');
    return `<blockquote>${title ? `<p><strong>${escapeHtml(title)}</strong></p>` : ''}${rich ?? (plain ? `<p>${escapeHtml(plain)}</p>` : '')}</blockquote>`;
  }
  switch (name) {
    case 'expand':
      return `<p><strong>${escapeHtml(p.get('title') || 'Details')}</strong></p>${rich ?? ''}`;
    case 'status': {
      const title = p.get('title') || p.get('colour') || p.get('color') || '';
      return title ? ` [${escapeHtml(title.toUpperCase())}] ` : '';
    }
    case 'jira':
    case 'jiraissues': {
      // The key is what links the page to the ticket; a JQL table has no single key.
      const key = p.get('key') ?? (/^[A-Z][A-Z0-9]+-\d+$/.test(p.get('') ?? '') ? p.get('') : undefined);
      return key ? ` ${escapeHtml(key)} ` : '';
    }
    case 'mention':
      return '';
    default:
      // Any other macro: its body is content (details, section, column, excerpt...); its
      // parameters are settings.
      if (rich !== null) return rich;
      if (plain !== null) return `<pre><code>${escapeHtml(plain)}</code></pre>`;
      return '';
  }
}

function renderLink(kids: XmlNode[]): string {
  const label = kids.find((k) => tagOf(k) === 'ac:plain-text-link-body' || tagOf(k) === 'ac:link-body');
  if (label) return tagOf(label) === 'ac:link-body' ? render(children(label)) : escapeHtml(textOf(children(label)));
  const target = kids.find((k) => tagOf(k)?.startsWith('ri:'));
  if (!target) return '';
  const a = attrs(target);
  const text = a['ri:content-title'] ?? a['ri:filename'] ?? a['ri:username'] ?? a['ri:space-key'] ?? '';
  return escapeHtml(text);
}

function renderTask(task: XmlNode): string {
  const kids = children(task);
  const status = textOf(kids.filter((k) => tagOf(k) === 'ac:task-status')).trim();
  const b = kids.find((k) => tagOf(k) === 'ac:task-body');
  return `<li><input type="checkbox"${status === 'complete' ? ' checked' : ''}> ${b ? render(children(b)) : ''}</li>`;
}
