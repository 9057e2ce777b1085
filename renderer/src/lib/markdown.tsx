import type { ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * Document bodies through react-markdown + remark-gfm (tables, task lists, strikethrough,
 * autolinks). Raw HTML stays off: react-markdown shows it as text and never renders it, so a
 * hostile document cannot inject markup. Links leave through the shell (`onLink`), never by
 * navigating the window; images are not loaded (the page may load nothing remote) but named.
 *
 * Headings carry their offset in the body (`data-offset`), so that a section of the document (a
 * passage's start) can be scrolled to.
 */
export function Markdown({ text, onLink, skipTitle }: { text: string; onLink: (href: string) => void; skipTitle?: string }) {
  const heading =
    (level: number) =>
    ({ node, children }: { node?: { position?: { start: { offset?: number } } }; children?: ReactNode }) => {
      const offset = node?.position?.start.offset ?? 0;
      // The title is in the page's header already: the body's own first H1 repeating it goes.
      if (level === 1 && skipTitle !== undefined && offset === 0 && plainText(children).trim() === skipTitle.trim()) return null;
      // The page's h1 is the title: body headings start one level below it.
      const Tag = `h${Math.min(6, level + 1)}` as 'h2';
      return (
        <Tag id={`at-${offset}`} data-offset={offset} tabIndex={-1}>
          {children}
        </Tag>
      );
    };
  const components: Components = {
    h1: heading(1),
    h2: heading(2),
    h3: heading(3),
    h4: heading(4),
    h5: heading(5),
    h6: heading(6),
    a: ({ href, children }) =>
      href && /^https?:\/\//i.test(href) ? (
        <a
          href={href}
          onClick={(e) => {
            e.preventDefault();
            onLink(href);
          }}
        >
          {children}
        </a>
      ) : (
        <>{children}</>
      ),
    img: ({ alt, src }) => <span className="image-placeholder" title={src ?? undefined}>[image{alt ? `: ${alt}` : ''}]</span>,
    // Wide tables and code scroll inside the page; keyboard users reach them too.
    table: ({ children }) => (
      <div className="table-wrap" tabIndex={0}>
        <table>{children}</table>
      </div>
    ),
    pre: ({ children }) => (
      <pre tabIndex={0}>{children}</pre>
    ),
  };
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
}

function plainText(children: ReactNode): string {
  if (typeof children === 'string' || typeof children === 'number') return String(children);
  if (Array.isArray(children)) return children.map(plainText).join('');
  if (children && typeof children === 'object' && 'props' in children) return plainText((children as { props: { children?: ReactNode } }).props.children);
  return '';
}
