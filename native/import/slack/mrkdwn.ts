/**
 * Slack's mrkdwn to readable Markdown: mentions to names, channel links, `<url|label>` links,
 * special mentions, HTML entities. Unknown ids stay visible rather than vanish.
 */
export interface SlackNames {
  user(id: string): string;
  channel(id: string): string;
}

export function renderMrkdwn(text: string, names: SlackNames): string {
  return text
    .replace(/<([^<>\n]{1,2000})>/g, (_m, inner: string) => {
      const [target, label] = splitOnce(inner, '|');
      if (target.startsWith('@')) return `@${label || names.user(target.slice(1))}`;
      if (target.startsWith('#')) return `#${label || names.channel(target.slice(1))}`;
      if (target.startsWith('!subteam^')) return label || '@group';
      if (target.startsWith('!date^')) return label || '';
      if (target.startsWith('!')) return `@${label || target.slice(1)}`;
      if (target.startsWith('mailto:')) return label || target.slice(7);
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return label && label !== target ? `[${label}](${target})` : target;
      return inner;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

interface RichElement {
  type?: string;
  text?: string;
  url?: string;
  user_id?: string;
  channel_id?: string;
  name?: string;
  elements?: RichElement[];
  style?: string;
}

/** Text of rich-text and section blocks, for messages whose `text` is empty. */
export function renderBlocks(blocks: unknown, names: SlackNames): string {
  if (!Array.isArray(blocks)) return '';
  const out: string[] = [];
  const inline = (els: RichElement[] | undefined): string =>
    (els ?? [])
      .map((e) => {
        switch (e.type) {
          case 'text':
            return e.text ?? '';
          case 'link':
            return e.text && e.text !== e.url ? `[${e.text}](${e.url})` : (e.url ?? '');
          case 'user':
            return `@${names.user(e.user_id ?? '')}`;
          case 'channel':
            return `#${names.channel(e.channel_id ?? '')}`;
          case 'emoji':
            return `:${e.name}:`;
          case 'broadcast':
            return '@here';
          default:
            return e.elements ? inline(e.elements) : (e.text ?? '');
        }
      })
      .join('');
  type Block = { type?: string; elements?: RichElement[]; text?: { text?: string }; fields?: Array<{ text?: string }> };
  for (const b of blocks as Block[]) {
    if (b.type === 'rich_text') {
      for (const el of b.elements ?? []) {
        if (el.type === 'rich_text_list') out.push(...(el.elements ?? []).map((li) => `- ${inline(li.elements)}`));
        else if (el.type === 'rich_text_preformatted') out.push('```\n' + inline(el.elements) + '\n```');
        else if (el.type === 'rich_text_quote') out.push(`> ${inline(el.elements)}`);
        else out.push(inline(el.elements));
      }
    } else if (b.type === 'section' || b.type === 'header') {
      const t = b.text?.text;
      if (t) out.push(renderMrkdwn(t, names));
      for (const f of b.fields ?? []) if (f.text) out.push(renderMrkdwn(f.text, names));
    }
  }
  return out.join('\n').trim();
}
