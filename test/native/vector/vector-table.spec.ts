import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PassageStore } from '../../../native/store/store.js';
import { VectorIndex } from '../../../native/vector/vector-index.js';
import { VectorTable } from '../../../native/vector/vector-table.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const DIMS = 24;

/** Seeded unit vectors in a few clusters (real embeddings are clustered too). */
function vectors(n: number, seed = 3): Float32Array[] {
  let a = seed;
  const r = () => ((a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const centres = Array.from({ length: 8 }, () => Float32Array.from({ length: DIMS }, r));
  return Array.from({ length: n }, (_, i) => {
    const c = centres[i % centres.length]!;
    const v = Float32Array.from({ length: DIMS }, (_, d) => c[d]! + 0.6 * r());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

function bruteForce(all: Float32Array[], q: Float32Array, k: number, allow: (id: number) => boolean = () => true): number[] {
  return all.map((v, i) => ({ id: i + 1, s: dot(q, v) })).filter((x) => allow(x.id)).sort((x, y) => y.s - x.s).slice(0, k).map((x) => x.id);
}

describe('the vector table (exact search and candidate vectors from memory)', () => {
  const all = vectors(3000);
  const table = new VectorTable(DIMS, 16);
  all.forEach((v, i) => table.set(i + 1, v));

  it('finds exactly the nearest vectors, best first, with filters', () => {
    for (const q of vectors(5, 99)) {
      expect(table.nearest(q, 10).map((h) => h.id)).toEqual(bruteForce(all, q, 10));
      const even = (id: number) => id % 2 === 0;
      expect(table.nearest(q, 7, even).map((h) => h.id)).toEqual(bruteForce(all, q, 7, even));
    }
  });

  it('forgets deleted vectors, compacting as it goes, and round-trips through its file', () => {
    const t = new VectorTable(DIMS);
    all.forEach((v, i) => t.set(i + 1, v));
    for (let id = 1; id <= 2500; id++) t.delete(id);
    expect(t.size).toBe(500);
    expect(t.get(10)).toBeUndefined();
    expect(Array.from(t.get(2600)!)).toEqual(Array.from(all[2599]!));
    const path = join(dir, 'table.vectors');
    t.save(path);
    const back = VectorTable.load(path, DIMS)!;
    expect(back.idList()).toEqual(t.idList());
    expect(Array.from(back.get(2999)!)).toEqual(Array.from(all[2998]!));
    expect(VectorTable.load(path, DIMS + 1)).toBeNull();
  });
});

describe('exact search below the crossover, HNSW above', () => {
  const none = { embeddedIds: async () => [], vectors: async () => new Map() } as unknown as PassageStore;
  const all = vectors(2000, 11);
  const queries = vectors(20, 12);

  it('answers exactly while the index is small', async () => {
    const index = await VectorIndex.open(none, join(dir, 'small.hnsw'), 'm', DIMS, { params: { exactBelow: 5000, m: 4, efConstruction: 8, ef: 4 } });
    all.forEach((v, i) => index.add(i + 1, v));
    // A deliberately poor graph: only the exact scan can get every query right.
    for (const q of queries) expect(index.search(q, 10).map((h) => h.chunkId)).toEqual(bruteForce(all, q, 10));
  });

  it('reaches recall@10 ≥ 0.98 with the default HNSW parameters when it is above the crossover', async () => {
    const index = await VectorIndex.open(none, join(dir, 'big.hnsw'), 'm', DIMS, { params: { exactBelow: 0 } });
    all.forEach((v, i) => index.add(i + 1, v));
    let hit = 0;
    for (const q of queries) {
      const want = new Set(bruteForce(all, q, 10));
      hit += index.search(q, 10).filter((h) => want.has(h.chunkId)).length;
    }
    expect(hit / (queries.length * 10)).toBeGreaterThanOrEqual(0.98);
  });

  it('hands out the vectors it holds', async () => {
    const index = await VectorIndex.open(none, join(dir, 'mem.hnsw'), 'm', DIMS);
    all.slice(0, 10).forEach((v, i) => index.add(i + 1, v));
    const got = index.vectorsOf([3, 7, 99]);
    expect([...got.keys()]).toEqual([3, 7]);
    expect(dot(got.get(7)!, all[6]!)).toBeCloseTo(1, 5);
  });
});
