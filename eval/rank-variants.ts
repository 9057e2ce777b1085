/** The variants eval/rank-experiments.ts scores (each a general change to the engine ranker). */
import type { EngineRankerOptions } from '../native/rank/engine-ranker.js';

export type Variant = { name: string; options: EngineRankerOptions };

export function variants(ctx: { failureModes: NonNullable<EngineRankerOptions['failureModes']> }): Variant[] {
  const fm = (w: number, wd = w): EngineRankerOptions => ({ failureModes: ctx.failureModes, engineWeights: { short: { semantic: 1, entities: 0, failureModes: w }, document: { semantic: 1, entities: 0, failureModes: wd } } });
  return [
    { name: 'shipped', options: {} },
    ...[0.05, 0.1, 0.2, 0.3, 0.5].map((w) => ({ name: `failure modes ${w} (document ${w / 2})`, options: fm(w, w / 2) })),
  ];
}
