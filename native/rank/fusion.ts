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

/** Ids by descending score, ties by id (stable rankings make evaluations repeatable). */
export function ranked(scores: ReadonlyMap<number, number>, exclude?: ReadonlySet<number>): Array<{ id: number; score: number }> {
  const out: Array<{ id: number; score: number }> = [];
  for (const [id, score] of scores) if (!exclude?.has(id)) out.push({ id, score });
  return out.sort((a, b) => b.score - a.score || a.id - b.id);
}
