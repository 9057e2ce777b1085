/** A snippet split into plain and highlighted runs, for rendering without HTML injection. */
export function segments(text: string, highlights: ReadonlyArray<readonly [number, number]>): Array<{ text: string; mark: boolean }> {
  const out: Array<{ text: string; mark: boolean }> = [];
  let at = 0;
  for (const [a, b] of [...highlights].sort((x, y) => x[0] - y[0])) {
    if (a < at || b <= a || b > text.length) continue;
    if (a > at) out.push({ text: text.slice(at, a), mark: false });
    out.push({ text: text.slice(a, b), mark: true });
    at = b;
  }
  if (at < text.length) out.push({ text: text.slice(at), mark: false });
  return out;
}

/** Ranges of whole-word occurrences of `terms` in `text` (case-insensitive), for highlighting shared words. */
export function termHighlights(text: string, terms: readonly string[]): Array<[number, number]> {
  const words = [...new Set(terms.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 1))];
  if (!words.length) return [];
  const escaped = words.sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return [...text.matchAll(re)].map((m) => [m.index, m.index + m[0].length] as [number, number]);
}
