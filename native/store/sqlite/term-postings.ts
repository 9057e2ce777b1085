/**
 * The posting lists the scorers read (native/rank/term-index.ts), held in memory by the SQLite
 * store: built once from the per-document and per-passage rows of migration 0100 and kept in
 * step with every write after it commits. Observably the same as MemoryTermIndex (document
 * frequencies, lengths, postings capped by frequency; test/native/store/term-statistics.spec.ts
 * compares them), but compact enough for a large corpus: a posting is an int32 id and three
 * uint16 frequencies (plus a float32 expansion weight at document level), about 10 bytes, where
 * MemoryTermIndex spends objects and maps. At 100,000 passages that is ~130 MB.
 *
 * Why memory and not an index in the file: see the header of migrations/0100-term-statistics.ts.
 */
import type { FieldValues } from '../../rank/analyse.js';
import { blockFor, type Level, type PostingBlock } from '../../rank/term-index.js';
import type { TermRows, WeightRows } from './term-blobs.js';

/**
 * Frequencies are held as uint16: a term more often than this in one field of one document is
 * saturated by BM25 long before (k1 = 2), so the cap changes no score that can be told apart.
 */
const MAX_TF = 0xffff;

/** Terms and their stable ids (rank_vocabulary). */
export class Vocabulary {
  private readonly byTerm = new Map<string, number>();
  private readonly byId: string[] = [];

  get size(): number {
    return this.byTerm.size;
  }

  id(term: string): number | undefined {
    return this.byTerm.get(term);
  }

  term(id: number): string | undefined {
    return this.byId[id];
  }

  /** The highest id known (0 when empty: ids start at 1). */
  highestId = 0;

  add(id: number, term: string): void {
    this.byTerm.set(term, id);
    this.byId[id] = term;
    if (id > this.highestId) this.highestId = id;
  }
}

/**
 * One term's postings at one level: parallel typed arrays sorted by id. A removed posting keeps
 * its place as a tombstone (the id's complement, ~id < 0) until the list is compacted, so that
 * the order, and with it binary search, survives removals.
 */
class TermList {
  /** A list over arrays read from a snapshot (views into its buffer: nothing is copied). */
  static over(ids: Int32Array<ArrayBuffer>, tf: Uint16Array<ArrayBuffer>, exp: Float32Array<ArrayBuffer> | null, df: number): TermList {
    const l = new TermList();
    l.ids = ids;
    l.tf = tf;
    l.exp = exp;
    l.size = ids.length;
    l.df = df;
    return l;
  }

  ids = new Int32Array(2);
  tf = new Uint16Array(6);
  /** Expansion pseudo-frequencies (document level), allocated when the first one is set. */
  exp: Float32Array | null = null;
  size = 0;
  dead = 0;
  /** Live postings with a frequency in the item's own fields (expansion does not count). */
  df = 0;
  private top: { limit: number; positions: Int32Array } | null = null;

  get live(): number {
    return this.size - this.dead;
  }

  private idAt(i: number): number {
    const v = this.ids[i]!;
    return v >= 0 ? v : ~v;
  }

  /** First position whose id is at least `id`. */
  private lowerBound(id: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.idAt(mid) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(id: number, t: number, h: number, x: number, e: number): void {
    if (this.size === this.ids.length) this.grow(this.size * 2);
    // Imports append (new ids are the highest); a replaced document keeps its id and is put back in place.
    let i = this.size;
    if (i > 0 && this.idAt(i - 1) > id) {
      i = this.lowerBound(id + 1);
      this.ids.copyWithin(i + 1, i, this.size);
      this.tf.copyWithin((i + 1) * 3, i * 3, this.size * 3);
      this.exp?.copyWithin(i + 1, i, this.size);
    }
    this.size++;
    this.ids[i] = id;
    this.tf[i * 3] = Math.min(MAX_TF, t);
    this.tf[i * 3 + 1] = Math.min(MAX_TF, h);
    this.tf[i * 3 + 2] = Math.min(MAX_TF, x);
    if (e) this.expansion()[i] = e;
    else if (this.exp) this.exp[i] = 0;
    if (t + h + x > 0) this.df++;
    this.top = null;
  }

  private expansion(): Float32Array {
    if (!this.exp) this.exp = new Float32Array(this.ids.length);
    return this.exp;
  }

  /** Room for `capacity` postings at once (loading knows each list's size: no doubling copies). */
  reserve(capacity: number): void {
    if (capacity > this.ids.length) this.grow(capacity);
  }

  private grow(capacity: number): void {
    const ids = new Int32Array(capacity);
    ids.set(this.ids);
    const tf = new Uint16Array(capacity * 3);
    tf.set(this.tf);
    this.ids = ids;
    this.tf = tf;
    if (this.exp) {
      const exp = new Float32Array(capacity);
      exp.set(this.exp);
      this.exp = exp;
    }
  }

  own(i: number): number {
    return this.tf[i * 3]! + this.tf[i * 3 + 1]! + this.tf[i * 3 + 2]!;
  }

  total(i: number): number {
    return this.own(i) + (this.exp ? this.exp[i]! : 0);
  }

  /** Position of the live posting of `id`, or −1. */
  find(id: number): number {
    for (let i = this.lowerBound(id); i < this.size && this.idAt(i) === id; i++) if (this.ids[i]! >= 0) return i;
    return -1;
  }

  kill(i: number): void {
    if (this.own(i) > 0) this.df--;
    this.ids[i] = ~this.ids[i]!;
    this.dead++;
    this.top = null;
  }

  /** Removes the live postings with ids in [from, to] that pass the test. */
  removeRange(from: number, to: number, test: (id: number) => boolean): void {
    for (let i = this.lowerBound(from); i < this.size && this.idAt(i) <= to; i++) {
      const id = this.ids[i]!;
      if (id >= 0 && test(id)) this.kill(i);
    }
    this.compactIfSparse();
  }

  setExpansion(i: number, e: number): void {
    this.expansion()[i] = e;
    this.top = null;
  }

  compactIfSparse(): void {
    if (this.dead * 2 <= this.size) return;
    let j = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.ids[i]! < 0) continue;
      this.ids[j] = this.ids[i]!;
      this.tf[j * 3] = this.tf[i * 3]!;
      this.tf[j * 3 + 1] = this.tf[i * 3 + 1]!;
      this.tf[j * 3 + 2] = this.tf[i * 3 + 2]!;
      if (this.exp) this.exp[j] = this.exp[i]!;
      j++;
    }
    this.size = j;
    this.dead = 0;
    if (this.ids.length > 16 && j * 4 < this.ids.length) this.shrink(Math.max(4, j * 2));
  }

  private shrink(capacity: number): void {
    this.ids = this.ids.slice(0, capacity);
    this.tf = this.tf.slice(0, capacity * 3);
    if (this.exp) this.exp = this.exp.slice(0, capacity);
  }

  /**
   * The positions to read for at most `limit` postings: every live one, or the `limit` with the
   * highest total frequency (ties by id), computed once per change of the list.
   */
  positions(limit: number): Int32Array {
    if (this.top && this.top.limit === limit) return this.top.positions;
    const live = new Int32Array(this.live);
    let n = 0;
    for (let i = 0; i < this.size; i++) if (this.ids[i]! >= 0) live[n++] = i;
    let chosen = live;
    if (n > limit) {
      // The limit-th highest total is the threshold: everything above it, then ties by id.
      const totals = new Float64Array(n);
      for (let k = 0; k < n; k++) totals[k] = this.total(live[k]!);
      // Selected, not sorted: a common term's list has tens of thousands of postings (O(n), once per list).
      const threshold = kthSmallest(totals.slice(), n - limit);
      const picked: number[] = [];
      const ties: number[] = [];
      for (let k = 0; k < n; k++) {
        if (totals[k]! > threshold) picked.push(live[k]!);
        else if (totals[k] === threshold) ties.push(live[k]!);
      }
      // Ties are already in id order (the list is sorted by id).
      for (const i of ties) {
        if (picked.length >= limit) break;
        picked.push(i);
      }
      chosen = Int32Array.from(picked);
    }
    this.top = { limit, positions: chosen };
    return chosen;
  }
}

/** Where a list not read yet lies in a snapshot file, and its df (known without reading it). */
interface ListPlace {
  at: number;
  size: number;
  /** Position in the level's expansion weights, −1 without them. */
  expAt: number;
  df: number;
}

/** Reads one list's postings from a snapshot file on first use (postings-snapshot.ts). */
export interface ListSource {
  read(level: Level, place: { at: number; size: number; expAt: number }): { ids: Int32Array<ArrayBuffer>; tf: Uint16Array<ArrayBuffer>; exp: Float32Array<ArrayBuffer> | null };
  /** Releases the file (every list read, or the lists dropped). */
  close(): void;
}

/** What one level (documents or passages) holds besides its lists. */
class LevelState {
  /** Lists in memory, by term id; get() reads the others from `source` when first asked. */
  private readonly lists: Array<TermList | undefined> = [];
  /** Lists still in the snapshot file (none without a source). */
  readonly unread = new Map<number, ListPlace>();
  source: { level: Level; lists: ListSource } | null = null;
  /** Field lengths by id (4 per id: title, headings, text, expansion). */
  lengths = new Float32Array(0);
  present = new Uint8Array(0);
  count = 0;
  sums: FieldValues = [0, 0, 0, 0];
  /** Items with a nonempty expansion field (its mean length is over them). */
  expanded = 0;

  ensure(id: number): void {
    if (id < this.present.length) return;
    const capacity = Math.max(1024, id + 1, this.present.length * 2);
    const present = new Uint8Array(capacity);
    present.set(this.present);
    const lengths = new Float32Array(capacity * 4);
    lengths.set(this.lengths);
    this.present = present;
    this.lengths = lengths;
  }

  /** A term's list, read from the snapshot the first time it is asked for (a write reads it too). */
  get(term: number): TermList | undefined {
    const l = this.lists[term];
    if (l || !this.unread.size) return l;
    const place = this.unread.get(term);
    if (!place) return undefined;
    // Read first: a read that fails leaves the term unread (asked again, it fails again) rather
    // than silently empty.
    const r = this.source!.lists.read(this.source!.level, place);
    const read = TermList.over(r.ids, r.tf, r.exp, place.df);
    this.unread.delete(term);
    this.lists[term] = read;
    return read;
  }

  /** The df of a term's list without reading its postings. */
  df(term: number): number {
    return this.lists[term]?.df ?? this.unread.get(term)?.df ?? 0;
  }

  set(term: number, list: TermList | undefined): void {
    this.unread.delete(term);
    this.lists[term] = list;
  }

  /** Every list (read from the snapshot first), by term id. */
  forEach(f: (list: TermList, term: number) => void): void {
    for (const term of [...this.unread.keys()]) this.get(term);
    this.lists.forEach((l, term) => l && f(l, term));
  }

  list(term: number): TermList {
    let l = this.get(term);
    if (!l) this.lists[term] = l = new TermList();
    return l;
  }

  has(id: number): boolean {
    return id >= 0 && id < this.present.length && this.present[id] === 1;
  }

  setLength(id: number, length: readonly number[]): void {
    this.ensure(id);
    if (!this.present[id]) {
      this.present[id] = 1;
      this.count++;
    }
    for (let f = 0; f < 3; f++) {
      this.lengths[id * 4 + f] = length[f]!;
      this.sums[f]! += length[f]!;
    }
  }

  dropLength(id: number): void {
    if (!this.has(id)) return;
    for (let f = 0; f < 4; f++) this.sums[f]! -= this.lengths[id * 4 + f]!;
    if (this.lengths[id * 4 + 3]! > 0) this.expanded--;
    this.lengths.fill(0, id * 4, id * 4 + 4);
    this.present[id] = 0;
    this.count--;
  }

  dropIfEmpty(term: number): void {
    const l = this.get(term);
    if (l && l.live === 0) this.lists[term] = undefined;
  }
}

export interface PassageRows {
  id: number;
  rows: TermRows;
  /** Title, headings, text. */
  length: readonly number[];
}

/** One level of TermPostings as flat arrays (postings-snapshot.ts writes and reads them). */
export interface LevelParts {
  /** Term ids that have a list, ascending; then per list its live size, df and whether it has expansion weights. */
  terms: Int32Array<ArrayBuffer>;
  sizes: Int32Array<ArrayBuffer>;
  dfs: Int32Array<ArrayBuffer>;
  withExpansion: Uint8Array<ArrayBuffer>;
  /** The lists' live postings, concatenated in the order of `terms` (ids ascending within each). */
  ids: Int32Array<ArrayBuffer>;
  tf: Uint16Array<ArrayBuffer>;
  /** Expansion weights of the lists that have them, concatenated (a list's size each). */
  exp: Float32Array<ArrayBuffer>;
  lengths: Float32Array<ArrayBuffer>;
  present: Uint8Array<ArrayBuffer>;
  count: number;
  sums: number[];
  expanded: number;
}

/** A level of a snapshot without its postings (the lists' ids, frequencies and expansion weights). */
export type LevelDirectory = Omit<LevelParts, 'ids' | 'tf' | 'exp'>;

/** A snapshot as read: every level's directory, and where its lists are read from. */
export interface SnapshotParts extends Omit<PostingParts, 'document' | 'passage'> {
  document: LevelDirectory;
  passage: LevelDirectory;
  lists: ListSource;
}

export interface PostingParts {
  generation: number;
  document: LevelParts;
  passage: LevelParts;
  passageDoc: Int32Array<ArrayBuffer>;
  expansionDocs: Int32Array<ArrayBuffer>;
  expansionSizes: Int32Array<ArrayBuffer>;
  expansionIds: Int32Array<ArrayBuffer>;
  expansionValues: Float32Array<ArrayBuffer>;
}

function levelParts(s: LevelState): LevelParts {
  const terms: number[] = [];
  let postings = 0;
  let withExp = 0;
  s.forEach((l, term) => {
    if (l.live === 0) return;
    terms.push(term);
    postings += l.live;
    if (l.exp) withExp += l.live;
  });
  const out: LevelParts = {
    terms: Int32Array.from(terms),
    sizes: new Int32Array(terms.length),
    dfs: new Int32Array(terms.length),
    withExpansion: new Uint8Array(terms.length),
    ids: new Int32Array(postings),
    tf: new Uint16Array(postings * 3),
    exp: new Float32Array(withExp),
    lengths: s.lengths.subarray(0, s.present.length * 4),
    present: s.present,
    count: s.count,
    sums: [...s.sums],
    expanded: s.expanded,
  };
  let at = 0;
  let expAt = 0;
  terms.forEach((term, k) => {
    const l = s.get(term)!;
    out.sizes[k] = l.live;
    out.dfs[k] = l.df;
    out.withExpansion[k] = l.exp ? 1 : 0;
    // Tombstones are left out: the lists are read back compacted, in the same (id) order.
    for (let i = 0; i < l.size; i++) {
      const id = l.ids[i]!;
      if (id < 0) continue;
      out.ids[at] = id;
      out.tf[at * 3] = l.tf[i * 3]!;
      out.tf[at * 3 + 1] = l.tf[i * 3 + 1]!;
      out.tf[at * 3 + 2] = l.tf[i * 3 + 2]!;
      if (l.exp) out.exp[expAt++] = l.exp[i]!;
      at++;
    }
  });
  return out;
}

function levelFrom(p: LevelParts): LevelState {
  const s = new LevelState();
  let at = 0;
  let expAt = 0;
  for (let k = 0; k < p.terms.length; k++) {
    const n = p.sizes[k]!;
    const exp = p.withExpansion[k] ? p.exp.subarray(expAt, (expAt += n)) : null;
    s.set(p.terms[k]!, TermList.over(p.ids.subarray(at, at + n), p.tf.subarray(at * 3, (at + n) * 3), exp, p.dfs[k]!));
    at += n;
  }
  return withTotals(s, p);
}

/** A level whose lists stay in the snapshot file until asked for: only the directory is read. */
function levelOver(p: LevelDirectory, level: Level, lists: ListSource): LevelState {
  const s = new LevelState();
  s.source = { level, lists };
  let at = 0;
  let expAt = 0;
  for (let k = 0; k < p.terms.length; k++) {
    const size = p.sizes[k]!;
    s.unread.set(p.terms[k]!, { at, size, expAt: p.withExpansion[k] ? expAt : -1, df: p.dfs[k]! });
    at += size;
    if (p.withExpansion[k]) expAt += size;
  }
  return withTotals(s, p);
}

function withTotals(s: LevelState, p: LevelDirectory): LevelState {
  s.lengths = p.lengths;
  s.present = p.present;
  s.count = p.count;
  s.sums = [p.sums[0]!, p.sums[1]!, p.sums[2]!, p.sums[3]!];
  s.expanded = p.expanded;
  return s;
}

/** The document and passage posting lists, by term id. */
export class TermPostings {
  private levels: Record<Level, LevelState> = { document: new LevelState(), passage: new LevelState() };
  private passageDoc = new Int32Array(0);
  private readonly passageIds = new Map<number, number[]>();
  private readonly expansions = new Map<number, WeightRows>();
  /** The rank_state generation these lists reflect. */
  generation = -1;

  constructor(readonly vocabulary: Vocabulary) {}

  /** Everything these lists hold, as flat arrays (for a snapshot file). */
  toParts(): PostingParts {
    const docs = [...this.expansions.keys()].sort((a, b) => a - b);
    const sizes = Int32Array.from(docs, (d) => this.expansions.get(d)!.ids.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    const ids = new Int32Array(total);
    const values = new Float32Array(total);
    let at = 0;
    for (const d of docs) {
      const e = this.expansions.get(d)!;
      ids.set(e.ids, at);
      values.set(e.values, at);
      at += e.ids.length;
    }
    return {
      generation: this.generation,
      document: levelParts(this.levels.document),
      passage: levelParts(this.levels.passage),
      passageDoc: this.passageDoc,
      expansionDocs: Int32Array.from(docs),
      expansionSizes: sizes,
      expansionIds: ids,
      expansionValues: values,
    };
  }

  /** Lists rebuilt from toParts()'s arrays; they keep views into them (the caller hands them over). */
  static fromParts(vocabulary: Vocabulary, parts: PostingParts): TermPostings {
    return TermPostings.assemble(vocabulary, parts, { document: levelFrom(parts.document), passage: levelFrom(parts.passage) });
  }

  /**
   * Lists over a snapshot file: lengths, dfs and passages are read now, each term's postings when
   * a query (or a write) first asks for it. A similar call reads a few dozen lists; reading the
   * whole file (145 MB at 100,000 passages, 1.5 GB at a million) was most of a cold one.
   */
  static fromSnapshot(vocabulary: Vocabulary, parts: SnapshotParts): TermPostings {
    const p = TermPostings.assemble(vocabulary, parts, { document: levelOver(parts.document, 'document', parts.lists), passage: levelOver(parts.passage, 'passage', parts.lists) });
    p.source = parts.lists;
    return p;
  }

  private source: ListSource | null = null;

  /** Lists still in the snapshot file, both levels (0 once every list was asked for or read). */
  get unreadLists(): number {
    return this.levels.document.unread.size + this.levels.passage.unread.size;
  }

  /** Lets go of the snapshot file (the lists are dropped, or all were read). */
  release(): void {
    this.source?.close();
    this.source = null;
  }

  private static assemble(vocabulary: Vocabulary, parts: Omit<PostingParts, 'document' | 'passage'>, levels: Record<Level, LevelState>): TermPostings {
    const p = new TermPostings(vocabulary);
    p.generation = parts.generation;
    p.levels = levels;
    p.passageDoc = parts.passageDoc;
    const d = p.levels.document;
    for (let id = 0; id < d.present.length; id++) if (d.present[id]) p.passageIds.set(id, []);
    const ps = p.levels.passage;
    // Passages of a document were added in id order: ascending ids rebuild each document's list.
    for (let id = 0; id < ps.present.length; id++) if (ps.present[id]) p.passageIds.get(parts.passageDoc[id]!)?.push(id);
    let at = 0;
    parts.expansionDocs.forEach((doc, k) => {
      const n = parts.expansionSizes[k]!;
      p.expansions.set(doc, { ids: parts.expansionIds.subarray(at, at + n), values: parts.expansionValues.subarray(at, at + n) });
      at += n;
    });
    return p;
  }

  count(level: Level): number {
    return this.levels[level].count;
  }

  averageLength(level: Level): Readonly<FieldValues> {
    const s = this.levels[level];
    const n = Math.max(1, s.count);
    return [s.sums[0] / n, s.sums[1] / n, s.sums[2] / n, s.expanded ? s.sums[3] / s.expanded : 0];
  }

  df(term: string, level: Level): number {
    const id = this.vocabulary.id(term);
    return id === undefined ? 0 : this.levels[level].df(id);
  }

  postings(term: string, level: Level, limit: number, reuse?: PostingBlock): PostingBlock {
    const s = this.levels[level];
    const id = this.vocabulary.id(term);
    const list = id === undefined ? undefined : s.get(id);
    const positions = list ? list.positions(limit) : new Int32Array(0);
    const n = positions.length;
    const out = blockFor(n, reuse);
    if (!list) return out;
    const passage = level === 'passage';
    for (let k = 0; k < n; k++) {
      const i = positions[k]!;
      const item = list.ids[i]!;
      out.ids[k] = item;
      out.docs[k] = passage ? this.passageDoc[item]! : item;
      out.tf[k * 4] = list.tf[i * 3]!;
      out.tf[k * 4 + 1] = list.tf[i * 3 + 1]!;
      out.tf[k * 4 + 2] = list.tf[i * 3 + 2]!;
      out.tf[k * 4 + 3] = list.exp ? list.exp[i]! : 0;
      const o = item * 4;
      out.length[k * 4] = s.lengths[o]!;
      out.length[k * 4 + 1] = s.lengths[o + 1]!;
      out.length[k * 4 + 2] = s.lengths[o + 2]!;
      out.length[k * 4 + 3] = s.lengths[o + 3]!;
    }
    return out;
  }

  *documents(): Iterable<number> {
    const s = this.levels.document;
    for (let id = 0; id < s.present.length; id++) if (s.present[id]) yield id;
  }

  hasDocument(doc: number): boolean {
    return this.levels.document.has(doc);
  }

  passagesOf(doc: number): readonly number[] {
    return [...(this.passageIds.get(doc) ?? [])];
  }

  documentOf(passage: number): number | undefined {
    return this.levels.passage.has(passage) ? this.passageDoc[passage] : undefined;
  }

  expansionOf(doc: number): WeightRows | undefined {
    return this.expansions.get(doc);
  }

  /** Adds a document and its passages (a document already there is replaced; its expansion is kept). */
  putDocument(doc: number, rows: TermRows, length: readonly number[], passages: readonly PassageRows[]): void {
    const expansion = this.expansions.get(doc);
    if (this.hasDocument(doc)) this.removeDocument(doc, null, true);
    this.addDocumentLevel(doc, rows, length);
    for (const passage of passages) this.addPassage(doc, passage);
    if (expansion) this.setExpansion(doc, expansion);
  }

  /**
   * Sizes the lists before a load: `counts[term id]` postings will be added at `level`. Growing
   * lists by doubling while loading a large corpus spent more time allocating than adding.
   */
  reserve(level: Level, counts: Int32Array): void {
    const s = this.levels[level];
    for (let term = 0; term < counts.length; term++) if (counts[term]! > 0) s.list(term).reserve(counts[term]!);
  }

  /**
   * A document's own postings and lengths, without its passages (loading adds them next, in
   * order), with its expansion when it has one: added together, each list gets the document's
   * posting in id order (an expansion added later would be inserted mid-list).
   */
  addDocumentLevel(doc: number, rows: TermRows, length: readonly number[], expansion?: WeightRows): void {
    const d = this.levels.document;
    d.setLength(doc, length);
    const lent = new Map<number, number>();
    if (expansion) for (let k = 0; k < expansion.ids.length; k++) if (expansion.values[k]! > 0) lent.set(expansion.ids[k]!, expansion.values[k]!);
    for (let k = 0; k < rows.ids.length; k++) {
      const term = rows.ids[k]!;
      const e = lent.get(term) ?? 0;
      if (e) lent.delete(term);
      d.list(term).add(doc, rows.tf[k * 3]!, rows.tf[k * 3 + 1]!, rows.tf[k * 3 + 2]!, e);
    }
    for (const [term, e] of lent) d.list(term).add(doc, 0, 0, 0, e);
    if (expansion?.ids.length) {
      let total = 0;
      for (const v of expansion.values) if (v > 0) total += v;
      d.lengths[doc * 4 + 3] = total;
      d.sums[3] += total;
      if (total > 0) d.expanded++;
      this.expansions.set(doc, { ids: Int32Array.from(expansion.ids), values: Float32Array.from(expansion.values) });
    }
    if (!this.passageIds.has(doc)) this.passageIds.set(doc, []);
  }

  /** One passage of a document added with addDocumentLevel, after the ones before it. */
  addPassage(doc: number, passage: PassageRows): void {
    const p = this.levels.passage;
    p.setLength(passage.id, passage.length);
    if (passage.id >= this.passageDoc.length) {
      const grown = new Int32Array(Math.max(1024, passage.id + 1, this.passageDoc.length * 2));
      grown.set(this.passageDoc);
      this.passageDoc = grown;
    }
    this.passageDoc[passage.id] = doc;
    const r = passage.rows;
    for (let k = 0; k < r.ids.length; k++) p.list(r.ids[k]!).add(passage.id, r.tf[k * 3]!, r.tf[k * 3 + 1]!, r.tf[k * 3 + 2]!, 0);
    let list = this.passageIds.get(doc);
    if (!list) this.passageIds.set(doc, (list = []));
    list.push(passage.id);
  }

  /**
   * Removes a document's postings at both levels. `rows`: its own terms (null: those of its
   * postings are found by scanning the lists, for a replaced document whose rows are gone).
   */
  removeDocument(doc: number, rows: TermRows | null, keepExpansion = false): void {
    if (!this.hasDocument(doc)) return;
    const d = this.levels.document;
    const p = this.levels.passage;
    const terms = new Set<number>();
    if (rows) for (const id of rows.ids) terms.add(id);
    else d.forEach((l, term) => l.find(doc) >= 0 && terms.add(term));
    const expansion = this.expansions.get(doc);
    if (expansion) for (const id of expansion.ids) terms.add(id);
    const passages = new Set(this.passageIds.get(doc) ?? []);
    // A document's passages were written together: their ids are one short range.
    let first = Infinity;
    let last = -Infinity;
    for (const id of passages) {
      first = Math.min(first, id);
      last = Math.max(last, id);
    }
    for (const term of terms) {
      const dl = d.get(term);
      if (dl) {
        const i = dl.find(doc);
        if (i >= 0) dl.kill(i);
        dl.compactIfSparse();
        d.dropIfEmpty(term);
      }
      const pl = p.get(term);
      if (pl && passages.size) {
        pl.removeRange(first, last, (id) => passages.has(id));
        p.dropIfEmpty(term);
      }
    }
    for (const id of passages) p.dropLength(id);
    d.dropLength(doc);
    this.passageIds.delete(doc);
    if (!keepExpansion) this.expansions.delete(doc);
  }

  /** Sets a document's expansion field (term id → pseudo-frequency); an empty one clears it. */
  setExpansion(doc: number, weights: WeightRows): void {
    const d = this.levels.document;
    if (!d.has(doc)) return;
    const next = new Map<number, number>();
    for (let k = 0; k < weights.ids.length; k++) if (weights.values[k]! > 0) next.set(weights.ids[k]!, weights.values[k]!);
    const previous = this.expansions.get(doc);
    const touched = new Set<number>(next.keys());
    if (previous) for (const id of previous.ids) touched.add(id);
    for (const term of touched) {
      const value = next.get(term) ?? 0;
      const list = d.get(term);
      const i = list ? list.find(doc) : -1;
      if (i >= 0) {
        if (value === 0 && list!.own(i) === 0) {
          list!.kill(i);
          list!.compactIfSparse();
          d.dropIfEmpty(term);
        } else list!.setExpansion(i, value);
      } else if (value > 0) d.list(term).add(doc, 0, 0, 0, value);
    }
    let total = 0;
    for (const v of next.values()) total += v;
    const o = doc * 4 + 3;
    if (d.lengths[o]! > 0) d.expanded--;
    d.sums[3] += total - d.lengths[o]!;
    d.lengths[o] = total;
    if (total > 0) d.expanded++;
    if (next.size) this.expansions.set(doc, { ids: Int32Array.from(next.keys()), values: Float32Array.from(next.values()) });
    else this.expansions.delete(doc);
  }
}

/** The k-th smallest value (0-based) of `a`, which it reorders (quickselect, middle pivot). */
export function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
