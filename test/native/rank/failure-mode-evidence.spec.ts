/**
 * The failure-mode share: which documents an input's failure modes reach, and how much each mode
 * counts (its confidence in the input, its rarity among incidents).
 */
import { describe, expect, it } from 'vitest';
import { failureModeShare } from '../../../native/rank/failure-mode-evidence.js';
import type { IncidentMember, Store } from '../../../native/store/store.js';

/** The three incident operations the share reads, over a fixed table: incident → (documents, modes). */
function storeOf(incidents: Record<number, { documents: number[]; modes: string[] }>): Store {
  const withMode = (facet: string, key: string) => (facet === 'failure-mode' ? Object.entries(incidents).filter(([, i]) => i.modes.includes(key)).map(([id]) => Number(id)) : []);
  const incidentStore = {
    count: async () => Object.keys(incidents).length,
    withFacet: async (facet: string, key: string, limit?: number) => withMode(facet, key).sort((a, b) => b - a).slice(0, limit),
    facetCount: async (facet: string, key: string) => withMode(facet, key).length,
    membersOf: async (ids: readonly number[]) => new Map<number, IncidentMember[]>(ids.map((id) => [id, incidents[id]!.documents.map((documentId) => ({ documentId, role: 'primary' as IncidentMember['role'] }))])),
  };
  return { incidents: incidentStore } as unknown as Store;
}

// Ten incidents: "dns" in one, "deploy-regression" in six; incident 2 has two records.
const store = storeOf({
  1: { documents: [10], modes: ['dns'] },
  2: { documents: [20, 21], modes: ['deploy-regression'] },
  3: { documents: [30], modes: ['deploy-regression'] },
  4: { documents: [40], modes: ['deploy-regression'] },
  5: { documents: [50], modes: ['deploy-regression'] },
  6: { documents: [60], modes: ['deploy-regression'] },
  7: { documents: [70], modes: ['deploy-regression', 'dns'] },
  8: { documents: [80], modes: [] },
  9: { documents: [90], modes: ['memory-oom'] },
  10: { documents: [100], modes: [] },
});

describe('failureModeShare', () => {
  it('reaches every record of the incidents with a shared mode, and nothing else', async () => {
    const share = await failureModeShare(store, [{ id: 'deploy-regression', score: 1.2 }]);
    expect([...share.keys()].sort((a, b) => a - b)).toEqual([20, 21, 30, 40, 50, 60, 70]);
    for (const v of share.values()) expect(v).toBeCloseTo(1);
  });

  it('weighs a rare mode over a common one, and a document with both modes the most', async () => {
    const share = await failureModeShare(store, [
      { id: 'dns', score: 1 },
      { id: 'deploy-regression', score: 1 },
    ]);
    const dnsOnly = share.get(10)!;
    const deployOnly = share.get(30)!;
    expect(dnsOnly).toBeGreaterThan(deployOnly);
    // idf: ln(1 + 10/2) against ln(1 + 10/6)
    expect(dnsOnly / deployOnly).toBeCloseTo(Math.log(6) / Math.log(1 + 10 / 6), 5);
    expect(share.get(70)).toBeCloseTo(1);
    expect(share.has(90)).toBe(false);
  });

  it('counts an input mode by its evidence, up to one strong cue', async () => {
    const weak = await failureModeShare(store, [{ id: 'dns', score: 0.5 }, { id: 'memory-oom', score: 3 }]);
    const sure = await failureModeShare(store, [{ id: 'dns', score: 1 }, { id: 'memory-oom', score: 1 }]);
    // memory-oom is capped at 1, so its share grows when dns's evidence halves.
    expect(weak.get(90)!).toBeGreaterThan(sure.get(90)!);
    expect(weak.get(10)!).toBeLessThan(sure.get(10)!);
    expect(weak.get(10)! + weak.get(90)!).toBeCloseTo(1);
  });

  it('reaches the newest incidents of a mode held by more than its cap, weighed by its rarity among all of them', async () => {
    const capped = await failureModeShare(store, [{ id: 'dns', score: 1 }, { id: 'deploy-regression', score: 1 }], 2);
    const full = await failureModeShare(store, [{ id: 'dns', score: 1 }, { id: 'deploy-regression', score: 1 }]);
    // deploy-regression's newest two incidents (7, 6), dns's two (7, 1).
    expect([...capped.keys()].sort((a, b) => a - b)).toEqual([10, 60, 70]);
    for (const id of [10, 60, 70]) expect(capped.get(id)).toBeCloseTo(full.get(id)!, 10);
  });

  it('is empty for an input without failure modes', async () => {
    expect((await failureModeShare(store, [])).size).toBe(0);
    expect((await failureModeShare(store, [{ id: 'not-in-any-incident', score: 1 }])).size).toBe(0);
  });
});
