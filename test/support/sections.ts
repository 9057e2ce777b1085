/**
 * Sections of a Markdown document (heading text and the words under it) and a token-overlap score
 * between two texts, to measure how well a PDF's reconstructed structure matches the Markdown it
 * was printed from.
 */
export interface Section {
  heading: string;
  text: string;
}

export function sectionsOf(markdown: string): Section[] {
  const out: Section[] = [{ heading: '', text: '' }];
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const h = !fence && /^(#{1,6})\s+(.+?)\s*#*$/.exec(line);
    if (h) out.push({ heading: normalise(h[2]!), text: '' });
    else out[out.length - 1]!.text += `${line}\n`;
  }
  return out.filter((s, i) => i > 0 || s.text.trim());
}

export function normalise(s: string): string {
  return tokens(s).join(' ');
}

export function tokens(s: string): string[] {
  return s.toLowerCase().replace(/[`*_|>#[\]()]/g, ' ').match(/[\p{L}\p{N}]+(?:[.:/-][\p{L}\p{N}]+)*/gu) ?? [];
}

/** F1 of the two token multisets: 1 when both hold the same words the same number of times. */
export function tokenOverlap(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  if (!ta.length && !tb.length) return 1;
  const counts = new Map<string, number>();
  for (const t of ta) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of tb) {
    const n = counts.get(t) ?? 0;
    if (n > 0) {
      common++;
      counts.set(t, n - 1);
    }
  }
  return (2 * common) / (ta.length + tb.length);
}
