import { describe, expect, it } from 'vitest';
import { IdTable } from '../../../native/rank/id-table.js';
import { kthSmallest } from '../../../native/store/sqlite/term-postings.js';

/** A seeded sequence of ids with repeats (a posting list's documents come back often). */
function ids(n: number, range: number, seed = 7): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % range;
  });
}

describe('IdTable', () => {
  it('gives each id one dense slot, in the order first added, with its tag, as a Map would', () => {
    const t = new IdTable();
    const seq = ids(30_000, 12_000);
    const map = new Map<number, { slot: number; tag: number; sum: number }>();
    for (const [i, id] of seq.entries()) {
      const k = t.slot(id, id * 3);
      t.scores[k]! += i;
      const e = map.get(id) ?? { slot: map.size, tag: id * 3, sum: 0 };
      e.sum += i;
      map.set(id, e);
      expect(k).toBe(e.slot);
    }
    // Past its first arrays (1,024 hash slots, 512 columns): rehashed and grown on the way.
    expect(t.size).toBe(map.size);
    expect(map.size).toBeGreaterThan(5_000);
    const c = t.columns();
    expect([...c.ids]).toEqual([...map.keys()]);
    expect([...c.tags]).toEqual([...map.values()].map((e) => e.tag));
    expect([...c.scores]).toEqual([...map.values()].map((e) => e.sum));
    for (const id of [...map.keys()].slice(0, 200)) expect(t.find(id)).toBe(map.get(id)!.slot);
    expect(t.find(12_001)).toBe(-1);
  });

  it('is empty after reset, its slots starting at 0 again with a zero score', () => {
    const t = new IdTable();
    for (const id of ids(3_000, 100_000)) {
      const k = t.slot(id);
      t.scores[k]! += 1;
    }
    const copy = t.columns();
    t.reset();
    expect(t.size).toBe(0);
    expect(t.find(copy.ids[0]!)).toBe(-1);
    expect(t.slot(42)).toBe(0);
    expect(t.scores[0]).toBe(0);
    expect(t.slot(copy.ids[1]!)).toBe(1);
    // What was copied out before the reset is unchanged by it.
    expect(copy.size).toBeGreaterThan(2_900);
    expect(copy.scores.every((v) => v >= 1)).toBe(true);
  });

  it('holds negative and large 32-bit ids, and refuses what is not a 32-bit integer', () => {
    const t = new IdTable();
    for (const id of [0, -1, 2 ** 31 - 1, -(2 ** 31), 1]) t.slot(id);
    expect([...t.columns().ids]).toEqual([0, -1, 2 ** 31 - 1, -(2 ** 31), 1]);
    expect(() => t.slot(2 ** 31)).toThrow(/32-bit integer/);
    expect(() => t.slot(1.5)).toThrow(/32-bit integer/);
  });
});

describe('kthSmallest (a posting list\'s top, by frequency)', () => {
  it('is the k-th value of the sorted array, with ties and every k', () => {
    for (const n of [1, 2, 7, 100, 2_001]) {
      const values = Float64Array.from(ids(n, 9, n), (v) => v / 2);
      const sorted = values.slice().sort();
      for (const k of new Set([0, 1, Math.floor(n / 3), n - 2, n - 1].filter((k) => k >= 0 && k < n))) {
        expect(kthSmallest(values.slice(), k)).toBe(sorted[k]);
      }
    }
  });
});
