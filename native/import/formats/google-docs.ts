/**
 * Google Docs' "Download as HTML" markup, made semantic before the HTML path reads it: Google
 * styles everything with generated classes (.c3 {font-weight:700}), writes the document title as
 * <p class="title">, flattens nested lists into sibling lists whose class ends in the level
 * (lst-kix_abc-1), and wraps every link in a google.com/url redirect.
 */
export function isGoogleDocsHtml(html: string): boolean {
  return /<body[^>]*class="[^"]*\bdoc-content\b/.test(html) || /class="[^"]*\blst-kix_/.test(html) || /id="h\.[a-z0-9]{8,14}"/.test(html.slice(0, 200_000));
}

export function googleDocsToHtml(html: string): string {
  const css = /<style[^>]*>([\s\S]*?)<\/style>/i.exec(html)?.[1] ?? '';
  const bold = new Set<string>();
  const italic = new Set<string>();
  for (const m of css.matchAll(/\.(c\d+)\{([^}]*)\}/g)) {
    if (/font-weight:\s*(700|bold)/.test(m[2]!)) bold.add(m[1]!);
    if (/font-style:\s*italic/.test(m[2]!)) italic.add(m[1]!);
  }
  return html
    .replace(/<p class="([^"]*\btitle\b[^"]*)"[^>]*>([\s\S]*?)<\/p>/g, '<h1>$2</h1>')
    .replace(/<p class="([^"]*\bsubtitle\b[^"]*)"[^>]*>([\s\S]*?)<\/p>/g, '<p><em>$2</em></p>')
    .replace(/<span class="([^"]+)">([^<]*)<\/span>/g, (whole, cls: string, text: string) => {
      if (!text.trim()) return whole;
      const classes = cls.split(/\s+/);
      let inner = text;
      if (classes.some((c) => italic.has(c))) inner = `<em>${inner}</em>`;
      if (classes.some((c) => bold.has(c))) inner = `<strong>${inner}</strong>`;
      return `<span>${inner}</span>`;
    })
    .replace(/href="https:\/\/www\.google\.com\/url\?q=([^"&]+)[^"]*"/g, (_m, q: string) => `href="${decodeURIComponent(q.replace(/&amp;/g, '&'))}"`);
}

/** The nesting level Google writes into a list's class (lst-kix_abc-2 → 2). */
export function googleListLevel(className: string): number {
  const m = /\blst-kix_\w+-(\d+)\b/.exec(className);
  return m ? Number(m[1]) : 0;
}
