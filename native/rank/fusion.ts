/**
 * Fusing evidence measured on different scales (document BM25, passage BM25, latent similarity):
 * each signal is divided by its best value among the candidates, then the signals are weighted
 * and summed. Max-normalisation keeps a signal's gaps (a clear winner stays clear), which rank
 * fusion throws away, and needs no training data beyond the weights.
 */
import { IdTable } from './id-table.js';

/**
 * Scores of ids in flat arrays (`ids[k]` scored `scores[k]`, k < size), in the order the ids
 * were first reached: what the scorers and fusion hand each other, with no Map per pass (see
 * id-table.ts for why). `get` builds a Map on first use: for a few lookups, not the hot path.
 */
export class Scored {
  private lookup: Map<number, number> | null = null;

  constructor(
    readonly size: number,
    readonly ids: Int32Array,
    readonly scores: Float64Array,
  ) {}

  get(id: number): number | undefined {
    if (!this.lookup) {
      this.lookup = new Map();
      for (let k = 0; k < this.size; k++) this.lookup.set(this.ids[k]!, this.scores[k]!);
    }
    return this.lookup.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  *keys(): IterableIterator<number> {
    for (let k = 0; k < this.size; k++) yield this.ids[k]!;
  }

  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (let k = 0; k < this.size; k++) yield [this.ids[k]!, this.scores[k]!];
  }

  /** The scores of the given ids (those it holds), in one pass over the columns. */
  pick(ids: Iterable<number>): Map<number, number> {
    const out = new Map<number, number>();
    const wanted = new Set(ids);
    if (!wanted.size) return out;
    for (let k = 0; k < this.size; k++) if (wanted.has(this.ids[k]!)) out.set(this.ids[k]!, this.scores[k]!);
    return out;
  }

  /** The largest score (0 for none or none positive). */
  max(): number {
    let m = 0;
    for (let k = 0; k < this.size; k++) if (this.scores[k]! > m) m = this.scores[k]!;
    return m;
  }
}

export type SignalScores = ReadonlyMap<number, number> | Scored;

export interface Signal {
  scores: SignalScores;
  weight: number;
}

/** Calls `f` for each (id, score) of either form, in its order. */
function each(scores: SignalScores, f: (id: number, score: number) => void): void {
  if (scores instanceof Scored) for (let k = 0; k < scores.size; k++) f(scores.ids[k]!, scores.scores[k]!);
  // forEach, not for…of: no [id, score] pair allocated per entry.
  else scores.forEach((v, id) => f(id, v));
}

/** One table for every fusion (fuse is synchronous and copies its result out). */
const fusing = new IdTable();

export function fuse(signals: readonly Signal[]): Scored {
  const t = fusing;
  t.reset();
  for (const { scores, weight } of signals) {
    if (!weight) continue;
    let max = 0;
    each(scores, (_, v) => {
      if (v > max) max = v;
    });
    if (max <= 0) continue;
    // Summed per id in signal order, as the Map it replaces did (0 + the first share, then the next).
    each(scores, (id, v) => {
      if (v <= 0) return;
      // Slot first: adding an id may grow the columns, and `t.scores` must be read after.
      const k = t.slot(id);
      t.scores[k]! += (weight * v) / max;
    });
  }
  const c = t.columns();
  return new Scored(c.size, c.ids, c.scores);
}

/**
 * Ids by descending score, ties by id (stable rankings make evaluations repeatable). With `top`,
 * only the first `top` of that order — the same ones, found without sorting every candidate as
 * an object: the scores are sorted as plain numbers to find the `top`-th, and only the candidates
 * at or above it are sorted (a ranking at 100,000 passages has ~12,000 candidates and keeps 40).
 */
export function ranked(scores: SignalScores, exclude?: ReadonlySet<number>, top?: number): Array<{ id: number; score: number }> {
  const order = (a: { id: number; score: number }, b: { id: number; score: number }) => b.score - a.score || a.id - b.id;
  if (top !== undefined && scores.size > top) {
    const values = new Float64Array(scores.size);
    let n = 0;
    each(scores, (id, score) => {
      if (!exclude?.has(id)) values[n++] = score;
    });
    if (n > top) {
      const threshold = values.subarray(0, n).sort()[n - Math.max(1, top)]!;
      const out: Array<{ id: number; score: number }> = [];
      each(scores, (id, score) => {
        if (score >= threshold && !exclude?.has(id)) out.push({ id, score });
      });
      return out.sort(order).slice(0, Math.max(0, top));
    }
  }
  const out: Array<{ id: number; score: number }> = [];
  each(scores, (id, score) => {
    if (!exclude?.has(id)) out.push({ id, score });
  });
  const sorted = out.sort(order);
  return top === undefined ? sorted : sorted.slice(0, Math.max(0, top));
}
