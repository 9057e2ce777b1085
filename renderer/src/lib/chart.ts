/** Every month from the first to the last key ("2023-11" … "2024-02"), gaps included. */
export function monthRange(keys: string[]): string[] {
  const sorted = [...keys].filter((k) => /^\d{4}-\d{2}$/.test(k)).sort();
  if (!sorted.length) return [];
  const out: string[] = [];
  let [y, m] = sorted[0]!.split('-').map(Number) as [number, number];
  const last = sorted[sorted.length - 1]!;
  for (let i = 0; i < 600; i++) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export interface StackedBar {
  month: string;
  total: number;
  parts: Array<{ series: number; count: number; y0: number; y1: number }>;
}

/** Incidents per month, stacked by series (theme), with cumulative offsets for drawing. */
export function stackMonths(series: Array<Record<string, number>>): { bars: StackedBar[]; max: number } {
  const months = monthRange(series.flatMap((s) => Object.keys(s)));
  let max = 0;
  const bars = months.map((month) => {
    let y = 0;
    const parts = series.map((s, i) => {
      const count = s[month] ?? 0;
      const part = { series: i, count, y0: y, y1: y + count };
      y += count;
      return part;
    });
    max = Math.max(max, y);
    return { month, total: y, parts: parts.filter((p) => p.count > 0) };
  });
  return { bars, max };
}
