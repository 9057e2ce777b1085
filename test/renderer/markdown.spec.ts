import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from '../../renderer/src/lib/markdown.js';

const render = (text: string, skipTitle?: string) => renderToStaticMarkup(createElement(Markdown, { text, onLink: () => {}, skipTitle }));

describe('document bodies through react-markdown + remark-gfm', () => {
  it('renders what postmortems use: headings one level under the page title, GFM tables, task lists, code', () => {
    const html = render('# Title\n\nSome *text*.\n\n## Root cause\n\n| h1 | h2 |\n| --- | --- |\n| x | y |\n\n- [x] done\n- [ ] open\n\n```\ncode <b>\n```\n\n~~old~~');
    expect(html).toContain('<h2 id="at-0" data-offset="0" tabindex="-1">Title</h2>');
    expect(html).toMatch(/<h3 id="at-\d+" data-offset="\d+" tabindex="-1">Root cause<\/h3>/);
    expect(html).toContain('<th>h1</th>');
    expect(html).toContain('<td>y</td>');
    expect(html).toContain('type="checkbox"');
    expect(html).toContain('<del>old</del>');
    expect(html).toContain('code &lt;b&gt;');
  });

  it('keeps raw HTML as text and never renders it', () => {
    const html = render('Hello <script>alert(1)</script> <img src=x onerror=alert(1)> <b>bold</b>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('links only to http(s), loads no image, and drops a first heading that repeats the title', () => {
    const html = render('# Same title\n\n[ok](https://example.com/x) [bad](javascript:alert(1)) ![diagram](https://example.com/d.png)', 'Same title');
    expect(html).toContain('href="https://example.com/x"');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<img');
    expect(html).toContain('[image: diagram]');
    expect(html).not.toContain('Same title</h2>');
  });
});
