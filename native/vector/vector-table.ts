import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * Every vector of the index in one Float32Array, by chunk id: what exact search scans and what
 * similar scores candidates with, without a row-by-row read of SQLite. hnswlib keeps its own copy
 * inside its graph but hands points back one JS array at a time (~60 µs each), too slow for
 * either use. It is saved beside the index file as a flat file that loads in one read.
 */
export class VectorTable {
  private data: Float32Array;
  private ids: Int32Array;
  private slots = new Map<number, number>();
  /** Slots in use, dead ones (removed vectors) included until `compact`. */
  private used = 0;

  constructor(
    readonly dims: number,
    capacity = 1024,
  ) {
    this.data = new Float32Array(capacity * dims);
    this.ids = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.slots.size;
  }

  has(id: number): boolean {
    return this.slots.has(id);
  }

  /** The stored vector (a view: do not modify it). */
  get(id: number): Float32Array | undefined {
    const s = this.slots.get(id);
    return s === undefined ? undefined : this.data.subarray(s * this.dims, (s + 1) * this.dims);
  }

  set(id: number, v: Float32Array): void {
    let s = this.slots.get(id);
    if (s === undefined) {
      if (this.used === this.ids.length) this.grow(Math.ceil(this.ids.length * 1.5) + 1024);
      s = this.used++;
      this.slots.set(id, s);
      this.ids[s] = id;
    }
    this.data.set(v.subarray(0, this.dims), s * this.dims);
  }

  delete(id: number): void {
    const s = this.slots.get(id);
    if (s === undefined) return;
    this.slots.delete(id);
    this.ids[s] = -1;
    if (this.used > 4096 && this.slots.size < this.used / 2) this.compact();
  }

  /**
   * The `k` ids whose vectors have the highest dot product with `q` (cosine, since all vectors
   * are unit length), best first; `allow` restricts the ids considered.
   */
  nearest(q: Float32Array, k: number, allow?: (id: number) => boolean): Array<{ id: number; score: number }> {
    const d = this.dims;
    const data = this.data;
    // A bounded min-heap would be asymptotically better; with k ≤ a few hundred a sorted
    // insertion into a small array costs less than the dot products it follows.
    const top: Array<{ id: number; score: number }> = [];
    let floor = -Infinity;
    for (let s = 0; s < this.used; s++) {
      const id = this.ids[s]!;
      if (id < 0 || (allow && !allow(id))) continue;
      const o = s * d;
      // Four accumulators: V8 keeps them in registers and the adds no longer wait on each other.
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let i = 0;
      for (; i + 3 < d; i += 4) {
        a0 += q[i]! * data[o + i]!;
        a1 += q[i + 1]! * data[o + i + 1]!;
        a2 += q[i + 2]! * data[o + i + 2]!;
        a3 += q[i + 3]! * data[o + i + 3]!;
      }
      for (; i < d; i++) a0 += q[i]! * data[o + i]!;
      const dot = a0 + a1 + a2 + a3;
      if (top.length < k || dot > floor) {
        let at = top.length;
        while (at > 0 && top[at - 1]!.score < dot) at--;
        top.splice(at, 0, { id, score: dot });
        if (top.length > k) top.pop();
        floor = top[top.length - 1]!.score;
      }
    }
    return top;
  }

  private grow(capacity: number): void {
    const data = new Float32Array(capacity * this.dims);
    data.set(this.data.subarray(0, this.used * this.dims));
    const ids = new Int32Array(capacity).fill(-1);
    ids.set(this.ids.subarray(0, this.used));
    this.data = data;
    this.ids = ids;
  }

  private compact(): void {
    let w = 0;
    for (let s = 0; s < this.used; s++) {
      const id = this.ids[s]!;
      if (id < 0) continue;
      if (w !== s) {
        this.data.copyWithin(w * this.dims, s * this.dims, (s + 1) * this.dims);
        this.ids[w] = id;
        this.slots.set(id, w);
      }
      w++;
    }
    this.ids.fill(-1, w, this.used);
    this.used = w;
  }

  /** Writes `[dims u32][count u32][ids i32 × count][vectors f32 × count × dims]`. */
  save(path: string): void {
    this.compact();
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, new Uint8Array(new Uint32Array([this.dims, this.used]).buffer));
      writeSync(fd, new Uint8Array(this.ids.buffer, 0, this.used * 4));
      const bytes = this.used * this.dims * 4;
      // In slices: one write of more than 2 GB fails.
      for (let off = 0; off < bytes; off += 1 << 28) writeSync(fd, new Uint8Array(this.data.buffer, off, Math.min(1 << 28, bytes - off)));
    } finally {
      closeSync(fd);
    }
  }

  /** Reads a file written by `save`; null when it is not one (or not of these dims). */
  static load(path: string, dims: number): VectorTable | null {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return null;
    }
    try {
      const head = new Uint32Array(2);
      if (readSync(fd, new Uint8Array(head.buffer), 0, 8, 0) !== 8 || head[0] !== dims) return null;
      const count = head[1]!;
      const t = new VectorTable(dims, Math.max(1024, count));
      const readAll = (into: Uint8Array, at: number) => {
        for (let off = 0; off < into.length; ) {
          const n = readSync(fd, into, off, Math.min(1 << 28, into.length - off), at + off);
          if (n <= 0) return false;
          off += n;
        }
        return true;
      };
      if (!readAll(new Uint8Array(t.ids.buffer, 0, count * 4), 8)) return null;
      if (!readAll(new Uint8Array(t.data.buffer, 0, count * dims * 4), 8 + count * 4)) return null;
      t.used = count;
      for (let s = 0; s < count; s++) t.slots.set(t.ids[s]!, s);
      return t;
    } finally {
      closeSync(fd);
    }
  }

  /** Live ids, ascending. */
  idList(): number[] {
    return [...this.slots.keys()].sort((a, b) => a - b);
  }
}
