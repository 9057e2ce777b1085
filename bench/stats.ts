/** Order statistics the benchmark sections print. */
import { rng } from './synthetic.js';

/** The p-th percentile of values already sorted ascending (nearest rank, no interpolation). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export const median = (xs: readonly number[]) => percentile([...xs].sort((a, b) => a - b), 50);
export const p95 = (xs: readonly number[]) => percentile([...xs].sort((a, b) => a - b), 95);

/**
 * How far a ratio of medians (a / b over paired samples) can be trusted: the 2.5th and 97.5th
 * percentiles of the same ratio over pairs drawn again with replacement (a seeded bootstrap, so
 * that a re-run on the same figures prints the same interval).
 */
export function ratioInterval(a: readonly number[], b: readonly number[], draws = 1000, seed = 1): [number, number] {
  const n = Math.min(a.length, b.length);
  const next = rng(seed);
  const ratios: number[] = [];
  const ra = new Array<number>(n);
  const rb = new Array<number>(n);
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(next() * n);
      ra[i] = a[k]!;
      rb[i] = b[k]!;
    }
    ratios.push(median(ra) / median(rb));
  }
  ratios.sort((x, y) => x - y);
  return [percentile(ratios, 2.5), percentile(ratios, 97.5)];
}
