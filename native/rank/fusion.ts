/**
 * Fusing evidence measured on different scales (document BM25, passage BM25, latent similarity):
 * each signal is divided by its best value among the candidates, then the signals are weighted
 * and summed. Max-normalisation keeps a signal's gaps (a clear winner stays clear), which rank
 * fusion throws away, and needs no training data beyond the weights.
 */

export interface Signal {
  scores: ReadonlyMap<number, number>;
  weight: number;
}

export function fuse(signals: readonly Signal[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const { scores, weight } of signals) {
    if (!weight) continue;
    let max = 0;
    for (const v of scores.values()) if (v > max) max = v;
    if (max <= 0) continue;
    for (const [id, v] of scores) if (v > 0) out.set(id, (out.get(id) ?? 0) + (weight * v) / max);
  }
  return out;
}

/**
 * Ids by descending score, ties by id (stable rankings make evaluations repeatable). With `top`,
 * only the first `top` of that order — the same ones, found without sorting every candidate as
 * an object: the scores are sorted as plain numbers to find the `top`-th, and only the candidates
 * at or above it are sorted (a ranking at 100,000 passages has ~12,000 candidates and keeps 40).
 */
export function ranked(scores: ReadonlyMap<number, number>, exclude?: ReadonlySet<number>, top?: number): Array<{ id: number; score: number }> {
  const order = (a: { id: number; score: number }, b: { id: number; score: number }) => b.score - a.score || a.id - b.id;
  if (top !== undefined && scores.size > top) {
    const values = new Float64Array(scores.size);
    let n = 0;
    for (const [id, score] of scores) if (!exclude?.has(id)) values[n++] = score;
    if (n > top) {
      const threshold = values.subarray(0, n).sort()[n - Math.max(1, top)]!;
      const out: Array<{ id: number; score: number }> = [];
      for (const [id, score] of scores) if (score >= threshold && !exclude?.has(id)) out.push({ id, score });
      return out.sort(order).slice(0, Math.max(0, top));
    }
  }
  const out: Array<{ id: number; score: number }> = [];
  for (const [id, score] of scores) if (!exclude?.has(id)) out.push({ id, score });
  const sorted = out.sort(order);
  return top === undefined ? sorted : sorted.slice(0, Math.max(0, top));
}
