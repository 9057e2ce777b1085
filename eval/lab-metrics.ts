/** Judgements and the measures of ../shared/eval/README.md, shared by the ranking lab's tables. */
import { readFileSync } from 'node:fs';

export interface Judged {
  qid: string;
  set: string;
  style?: string;
  query?: string;
  query_doc?: string;
  relevant: Record<string, number>;
  exclude?: string[];
}

export function readJsonl(path: string): Judged[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l) as Judged;
    } catch (e) {
      throw new Error(`${path} line ${i + 1}: not JSON (${(e as Error).message})`, { cause: e });
    }
  });
}

/** A query is novel exactly when no document is graded 2. */
export const isNovel = (q: Judged) => !Object.values(q.relevant).some((g) => g === 2);

export interface Measures {
  ndcg: number;
  recall: number;
  mrr: number;
}

/** nDCG@10 (gain 2^g − 1, ideal from all judged documents), recall@10 over grade ≥ 1, MRR of the first grade 2. */
export function measure(ranking: readonly string[], relevant: Record<string, number>): Measures {
  const top = ranking.slice(0, 10);
  const dcg = top.reduce((s, p, i) => s + (2 ** (relevant[p] ?? 0) - 1) / Math.log2(i + 2), 0);
  const ideal = Object.values(relevant).sort((a, b) => b - a).slice(0, 10).reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  const judged = Object.keys(relevant).filter((p) => relevant[p]! > 0);
  const found = top.filter((p) => (relevant[p] ?? 0) > 0).length;
  const first = ranking.findIndex((p) => relevant[p] === 2);
  return { ndcg: ideal ? dcg / ideal : 0, recall: judged.length ? found / judged.length : 0, mrr: first >= 0 ? 1 / (first + 1) : 0 };
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

export function meanMeasures(ms: readonly Measures[]): Measures {
  return { ndcg: mean(ms.map((m) => m.ndcg)), recall: mean(ms.map((m) => m.recall)), mrr: mean(ms.map((m) => m.mrr)) };
}

/**
 * Area under the ROC curve of `score` separating the negatives (novel queries: should score low)
 * from the positives; ties count half. 1 = every novel query below every other one.
 */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  if (!positives.length || !negatives.length) return NaN;
  let s = 0;
  for (const p of positives) for (const n of negatives) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (positives.length * negatives.length);
}

/** Share of `values` strictly below x. */
export function percentile(values: readonly number[], x: number): number {
  return values.length ? values.filter((v) => v < x).length / values.length : 0;
}
