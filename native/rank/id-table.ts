/**
 * Scores by id for one scoring call, in typed arrays that are kept from call to call.
 *
 * Why not a Map: a ranking at 100,000 passages accumulates 4,000–6,000 documents or passages per
 * pass, and a V8 Map past 4,096 entries moves its table to the large-object space — a fresh
 * allocation per Map (measured on the bench machine: 2.1 ms to fill 4,097 entries against 0.13 ms
 * for 4,096), about ten of them per `similar` call. This table is an open-addressing hash of
 * the ids to dense slots (in the order ids were first added, as a Map iterates) with one score
 * and one tag (a passage's document) per slot; `reset()` empties it in O(1) by generation.
 * One table serves one scorer at a time: a caller copies out what it keeps (`columns()`) before
 * the next reset. `slot()` may replace the column arrays: read `scores`/`tags` after calling it
 * (`const k = t.slot(id); t.scores[k] += x`, not `t.scores[t.slot(id)] += x`).
 */
export class IdTable {
  /** Hash slots: the id held, its dense index, and the generation that wrote it. */
  private keys = new Int32Array(1024);
  private index = new Int32Array(1024);
  private stamp = new Uint32Array(1024);
  private mask = 1023;
  private generation = 1;
  /** Dense columns, slot k for the k-th id added: the id, a tag, a score. */
  ids = new Int32Array(512);
  tags = new Int32Array(512);
  scores = new Float64Array(512);
  size = 0;

  /** Empties the table (its arrays are kept). */
  reset(): void {
    this.size = 0;
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }

  /** The dense slot of `id`, added (score 0, tag `tag`) when the table does not hold it yet. */
  slot(id: number, tag = 0): number {
    if ((id | 0) !== id) throw new RangeError(`IdTable holds 32-bit integer ids, not ${id}`);
    let h = Math.imul(id, 0x9e3779b1) & this.mask;
    const { keys, stamp, generation } = this;
    for (;;) {
      if (stamp[h] !== generation) break;
      if (keys[h] === id) return this.index[h]!;
      h = (h + 1) & this.mask;
    }
    const k = this.size++;
    if (k >= this.ids.length) this.growColumns();
    this.ids[k] = id;
    this.tags[k] = tag;
    this.scores[k] = 0;
    // Half full at most: probes stay short.
    if (this.size * 2 > keys.length) this.rehash();
    else {
      stamp[h] = generation;
      keys[h] = id;
      this.index[h] = k;
    }
    return k;
  }

  /** The dense slot of `id`, or −1. */
  find(id: number): number {
    let h = Math.imul(id, 0x9e3779b1) & this.mask;
    for (;;) {
      if (this.stamp[h] !== this.generation) return -1;
      if (this.keys[h] === id) return this.index[h]!;
      h = (h + 1) & this.mask;
    }
  }

  /** Copies of the filled part of the columns (what outlives the next reset). */
  columns(): { size: number; ids: Int32Array; tags: Int32Array; scores: Float64Array } {
    return { size: this.size, ids: this.ids.slice(0, this.size), tags: this.tags.slice(0, this.size), scores: this.scores.slice(0, this.size) };
  }

  private growColumns(): void {
    const n = this.ids.length * 2;
    const ids = new Int32Array(n);
    ids.set(this.ids);
    const tags = new Int32Array(n);
    tags.set(this.tags);
    const scores = new Float64Array(n);
    scores.set(this.scores);
    this.ids = ids;
    this.tags = tags;
    this.scores = scores;
  }

  /** Twice the hash slots, every id placed again (the dense columns do not move). */
  private rehash(): void {
    const n = this.keys.length * 2;
    this.keys = new Int32Array(n);
    this.index = new Int32Array(n);
    this.stamp = new Uint32Array(n);
    this.mask = n - 1;
    this.generation = 1;
    for (let k = 0; k < this.size; k++) {
      const id = this.ids[k]!;
      let h = Math.imul(id, 0x9e3779b1) & this.mask;
      while (this.stamp[h] === 1) h = (h + 1) & this.mask;
      this.stamp[h] = 1;
      this.keys[h] = id;
      this.index[h] = k;
    }
  }
}
