import { Fragment, type ReactNode } from 'react';
import { parseBlocks } from './markdown-blocks';

/**
 * A small Markdown renderer for document bodies: headings, paragraphs, lists, block quotes,
 * fenced code, tables, and inline code, bold, italics and links. It builds React elements only
 * (never HTML strings), so a hostile document cannot inject markup. Links open through the
 * shell (`onLink`), never by navigating the window.
 */
const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(__[^_]+__)|(\*[^*\s][^*]*\*)|(_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+(?:\s+"[^"]*")?\))|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?])/g;

export function renderInline(text: string, onLink: (href: string) => void, key = 'i'): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  let n = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    const t = m[0];
    const k = `${key}-${n++}`;
    if (m[1]) out.push(<code key={k}>{t.slice(1, -1)}</code>);
    else if (m[2] || m[3]) out.push(<strong key={k}>{renderInline(t.slice(2, -2), onLink, k)}</strong>);
    else if (m[4] || m[5]) out.push(<em key={k}>{renderInline(t.slice(1, -1), onLink, k)}</em>);
    else if (m[6]) {
      const lm = /^\[([^\]]+)\]\(([^)\s]+)/.exec(t)!;
      out.push(link(lm[2]!, renderInline(lm[1]!, onLink, k), onLink, k));
    } else if (m[7]) out.push(link(t, t, onLink, k));
    at = m.index + t.length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function link(href: string, children: ReactNode, onLink: (href: string) => void, key: string): ReactNode {
  if (!/^https?:\/\//i.test(href)) return <Fragment key={key}>{children}</Fragment>;
  return (
    <a
      key={key}
      href={href}
      onClick={(e) => {
        e.preventDefault();
        onLink(href);
      }}
    >
      {children}
    </a>
  );
}

export function Markdown({ text, onLink }: { text: string; onLink: (href: string) => void }) {
  return (
    <div className="markdown">
      {parseBlocks(text).map((b, i) => {
        const k = `b${i}`;
        switch (b.type) {
          case 'heading': {
            const Tag = `h${Math.min(6, b.level + 1)}` as 'h2';
            return <Tag key={k} id={`sec-${b.offset}`}>{renderInline(b.text, onLink, k)}</Tag>;
          }
          case 'paragraph':
            return <p key={k}>{renderInline(b.text, onLink, k)}</p>;
          case 'list': {
            const items = b.items.map((it, j) => <li key={j}>{renderInline(it, onLink, `${k}-${j}`)}</li>);
            return b.ordered ? <ol key={k}>{items}</ol> : <ul key={k}>{items}</ul>;
          }
          case 'quote':
            return <blockquote key={k}>{renderInline(b.text, onLink, k)}</blockquote>;
          case 'code':
            return (
              <pre key={k}>
                <code>{b.text}</code>
              </pre>
            );
          case 'table':
            return (
              <div className="table-wrap" key={k}>
                <table>
                  <tbody>
                    {b.rows.map((r, j) => (
                      <tr key={j}>{r.map((c, x) => (j === 0 ? <th key={x}>{renderInline(c, onLink)}</th> : <td key={x}>{renderInline(c, onLink)}</td>))}</tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          case 'rule':
            return <hr key={k} />;
        }
      })}
    </div>
  );
}
