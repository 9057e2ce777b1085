/**
 * Failure-mode evidence for ranking: the share of the input's failure modes (found by the
 * taxonomy, config/failure-modes.yaml, in the input text) that a document's incident has too,
 * each mode weighted by the input's confidence in it and by its rarity among incidents. It
 * bridges what words cannot: "your connection is not private" and "the chain's intermediate
 * expired" are both certificate expiry to the taxonomy, and share few words.
 *
 * A small weight (rank.ts's profiles, tuned in eval/rank-experiments.ts): modes are coarse
 * ("deploy regression" covers many mechanisms), so the signal can order candidates the words
 * found but must not dominate them.
 */
import type { Store } from '../store/store.js';

export interface InputFailureMode {
  /** The taxonomy's mode id. */
  id: string;
  /** Evidence the input's text gave it (≥ the taxonomy's threshold; 1 = one strong cue). */
  score: number;
}

/**
 * Incidents a mode lends its share to at most, the newest first: a coarse mode is held by a
 * share of every incident, and each one it reaches becomes a candidate to score. A mode held by
 * more (in a large corpus) still counts at its rarity among all of them.
 */
export const MODE_INCIDENTS = 1000;

/**
 * Per document (a record of an incident with a shared mode), in [0, 1]: Σ shared modes
 * min(1, input score) · idf / Σ input modes min(1, input score) · idf, where idf = ln(1 + N / df)
 * over the N incidents. A document's incident counts a mode fully once it has it at all: its
 * score was already over the taxonomy's threshold.
 */
export async function failureModeShare(store: Store, modes: readonly InputFailureMode[], perMode = MODE_INCIDENTS): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!modes.length) return out;
  const incidents = Math.max(1, await store.incidents.count());
  const counts = await Promise.all(modes.map((m) => store.incidents.facetCount('failure-mode', m.id)));
  const withMode = await Promise.all(modes.map((m) => store.incidents.withFacet('failure-mode', m.id, perMode)));
  const weights = modes.map((m, i) => Math.min(1, m.score) * Math.log(1 + incidents / Math.max(1, counts[i]!)));
  const total = weights.reduce((s, w) => s + w, 0);
  if (!total) return out;
  const members = await store.incidents.membersOf([...new Set(withMode.flat())]);
  for (const [i, ids] of withMode.entries()) {
    for (const incident of ids) {
      for (const r of members.get(incident) ?? []) out.set(r.documentId, (out.get(r.documentId) ?? 0) + weights[i]! / total);
    }
  }
  return out;
}
