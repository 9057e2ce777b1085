/**
 * The term statistics the scorers read, behind one interface: the store implements it over
 * SQLite tables, MemoryTermIndex here serves tests and the evaluation lab.
 *
 * Upkeep is incremental: putting or removing a document changes document frequencies, lengths and
 * postings by exactly that document's rows (see analyse.ts), never a rebuild. Work per query is
 * bounded: a scorer asks for at most `limit` postings per term, the most frequent first, so a
 * common term costs `limit` rows however large the database grows.
 *
 * A SQLite layout that serves it (for the store):
 *   rank_terms(term TEXT PRIMARY KEY, docs INT, passages INT)           -- document frequencies
 *   rank_doc_terms(term, doc, tf_title, tf_headings, tf_text, tf_expansion, tf_total,
 *                  PRIMARY KEY (term, doc)) WITHOUT ROWID + INDEX (term, tf_total DESC)
 *   rank_passage_terms(term, passage, doc, tf_title, tf_headings, tf_text, tf_total, ...) + INDEX (passage)
 *   rank_lengths(level, id, doc, title, headings, text, expansion)      -- + running sums per level
 * `postings(term, level, limit)` is then one indexed range scan joined to the lengths.
 */
import { EXPANSION, FIELDS, zeroFields, type AnalysedDocument, type FieldValues } from './analyse.js';

export type Level = 'document' | 'passage';

/**
 * The postings of one term, column by column (a SQLite implementation fills the arrays from one
 * indexed range scan; the scorer then reads no objects, only numbers).
 */
export interface PostingBlock {
  size: number;
  /** Document ids, or passage ids at passage level. */
  ids: Int32Array;
  /** The document each passage belongs to (= ids at document level). */
  docs: Int32Array;
  /** Frequencies per field, FIELDS.length per posting. */
  tf: Float32Array;
  /** Field lengths of the document (or passage), FIELDS.length per posting. */
  length: Float32Array;
}

export interface TermIndex {
  /** Documents or passages indexed. */
  count(level: Level): number;
  /** Mean field lengths over a level (expansion: over documents that have one). */
  averageLength(level: Level): Readonly<FieldValues>;
  /** Documents (or passages) whose own text holds the term; expansion terms do not count. */
  df(term: string, level: Level): number;
  /**
   * Postings of a term: all of them when there are at most `limit`, else the `limit` with the
   * highest total frequency (ties by id), so that the cost of a common term is bounded.
   * `reuse`: a block the caller is done with, refilled when its arrays are large enough (bm25
   * reads one term's block at a time: no four new arrays per term and pass).
   */
  postings(term: string, level: Level, limit: number, reuse?: PostingBlock): PostingBlock;
  /** A document's term frequencies per field (feedback and expansion read these), null if unknown. */
  documentTerms(doc: number): ReadonlyMap<string, Readonly<FieldValues>> | null;
  /** A passage's term frequencies per field (passage feedback reads these), null if unknown. */
  passageTerms(passage: number): ReadonlyMap<string, Readonly<FieldValues>> | null;
  /**
   * Whether a document's own fields (not its expansion) hold each of `terms`, null if the
   * document is unknown: what coverage asks of every returned document, without building the
   * map of all its terms that documentTerms does.
   */
  holds(doc: number, terms: readonly string[]): boolean[] | null;
  /** The ids of the indexed documents. */
  documents(): Iterable<number>;
  /** The passage ids of a document, in order. */
  passagesOf(doc: number): readonly number[];
}

export interface TermIndexWriter {
  /** Adds a document, or replaces the one with its id (its expansion is kept until refreshed). */
  put(doc: AnalysedDocument): void;
  remove(doc: number): void;
  /** Sets a document's expansion field: term → pseudo-frequency (see neighbour-expansion.ts). */
  setExpansion(doc: number, terms: ReadonlyMap<string, number>): void;
}

const STRIDE = FIELDS.length;

/** A block for `n` postings: `reuse` when its arrays hold that many, else new arrays. */
export function blockFor(n: number, reuse?: PostingBlock): PostingBlock {
  if (reuse && reuse.ids.length >= n) {
    reuse.size = n;
    return reuse;
  }
  return { size: n, ids: new Int32Array(n), docs: new Int32Array(n), tf: new Float32Array(n * STRIDE), length: new Float32Array(n * STRIDE) };
}

/** A growable posting list with tombstones, compacted when half of it is dead. */
class PostingList {
  ids = new Int32Array(4);
  docs = new Int32Array(4);
  tf = new Float32Array(4 * STRIDE);
  size = 0;
  dead = 0;
  /** Live postings with a nonzero frequency in the document's own fields. */
  df = 0;
  private ranked: number[] | null = null;

  add(id: number, doc: number, tf: Readonly<FieldValues>): void {
    if (this.size === this.ids.length) {
      const grow = <T extends Int32Array | Float32Array>(a: T, n: number): T => {
        const b = new (a.constructor as new (n: number) => T)(n);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids, this.size * 2);
      this.docs = grow(this.docs, this.size * 2);
      this.tf = grow(this.tf, this.size * 2 * STRIDE);
    }
    this.ids[this.size] = id;
    this.docs[this.size] = doc;
    for (let f = 0; f < STRIDE; f++) this.tf[this.size * STRIDE + f] = tf[f]!;
    if (ownFrequency(tf) > 0) this.df++;
    this.size++;
    this.ranked = null;
  }

  /** Removes the postings whose document is `doc`. */
  removeDoc(doc: number): void {
    for (let i = 0; i < this.size; i++) {
      if (this.ids[i] !== -1 && this.docs[i] === doc) {
        if (ownFrequency(this.tfAt(i)) > 0) this.df--;
        this.ids[i] = -1;
        this.dead++;
      }
    }
    this.ranked = null;
    if (this.dead * 2 > this.size) this.compact();
  }

  tfAt(i: number): FieldValues {
    const o = i * STRIDE;
    return [this.tf[o]!, this.tf[o + 1]!, this.tf[o + 2]!, this.tf[o + 3]!];
  }

  get live(): number {
    return this.size - this.dead;
  }

  /** Positions of live postings, highest total frequency first (computed once per change). */
  rankedPositions(): number[] {
    if (!this.ranked) {
      const pos: number[] = [];
      for (let i = 0; i < this.size; i++) if (this.ids[i] !== -1) pos.push(i);
      const total = (i: number) => this.tf[i * STRIDE]! + this.tf[i * STRIDE + 1]! + this.tf[i * STRIDE + 2]! + this.tf[i * STRIDE + 3]!;
      pos.sort((a, b) => total(b) - total(a) || this.ids[a]! - this.ids[b]!);
      this.ranked = pos;
    }
    return this.ranked;
  }

  private compact(): void {
    let j = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.ids[i] === -1) continue;
      this.ids[j] = this.ids[i]!;
      this.docs[j] = this.docs[i]!;
      for (let f = 0; f < STRIDE; f++) this.tf[j * STRIDE + f] = this.tf[i * STRIDE + f]!;
      j++;
    }
    this.size = j;
    this.dead = 0;
  }
}

/** Frequency in the document's own fields (title, headings, text), not its expansion. */
function ownFrequency(tf: Readonly<FieldValues>): number {
  return tf[0] + tf[1] + tf[2];
}

interface LevelState {
  lists: Map<string, PostingList>;
  lengths: Map<number, FieldValues>;
  sums: FieldValues;
  /** Documents with a nonempty expansion field (its mean length is over them). */
  expanded: number;
}

const newLevel = (): LevelState => ({ lists: new Map(), lengths: new Map(), sums: zeroFields(), expanded: 0 });

/** TermIndex in memory, for tests and the evaluation lab. */
export class MemoryTermIndex implements TermIndex, TermIndexWriter {
  private readonly levels: Record<Level, LevelState> = { document: newLevel(), passage: newLevel() };
  private readonly docTerms = new Map<number, Map<string, FieldValues>>();
  private readonly passageIds = new Map<number, number[]>();
  private readonly passageTf = new Map<number, ReadonlyMap<string, Readonly<FieldValues>>>();

  count(level: Level): number {
    return this.levels[level].lengths.size;
  }

  averageLength(level: Level): Readonly<FieldValues> {
    const s = this.levels[level];
    const n = Math.max(1, s.lengths.size);
    return [s.sums[0] / n, s.sums[1] / n, s.sums[2] / n, s.expanded ? s.sums[3] / s.expanded : 0];
  }

  df(term: string, level: Level): number {
    return this.levels[level].lists.get(term)?.df ?? 0;
  }

  postings(term: string, level: Level, limit: number, reuse?: PostingBlock): PostingBlock {
    const s = this.levels[level];
    const list = s.lists.get(term);
    const n = list ? Math.min(list.live, limit) : 0;
    const out = blockFor(n, reuse);
    if (!list) return out;
    let k = 0;
    const take = (i: number) => {
      const id = list.ids[i]!;
      out.ids[k] = id;
      out.docs[k] = list.docs[i]!;
      const length = s.lengths.get(id)!;
      for (let f = 0; f < STRIDE; f++) {
        out.tf[k * STRIDE + f] = list.tf[i * STRIDE + f]!;
        out.length[k * STRIDE + f] = length[f]!;
      }
      k++;
    };
    if (list.live <= limit) {
      for (let i = 0; i < list.size; i++) if (list.ids[i] !== -1) take(i);
    } else {
      const ranked = list.rankedPositions();
      for (let j = 0; j < limit; j++) take(ranked[j]!);
    }
    return out;
  }

  documentTerms(doc: number): ReadonlyMap<string, Readonly<FieldValues>> | null {
    return this.docTerms.get(doc) ?? null;
  }

  passageTerms(passage: number): ReadonlyMap<string, Readonly<FieldValues>> | null {
    return this.passageTf.get(passage) ?? null;
  }

  holds(doc: number, terms: readonly string[]): boolean[] | null {
    const own = this.docTerms.get(doc);
    if (!own) return null;
    return terms.map((t) => {
      const v = own.get(t);
      return !!v && ownFrequency(v) > 0;
    });
  }

  documents(): Iterable<number> {
    return this.docTerms.keys();
  }

  passagesOf(doc: number): readonly number[] {
    return this.passageIds.get(doc) ?? [];
  }

  put(doc: AnalysedDocument): void {
    const previous = this.docTerms.get(doc.id);
    const expansion = new Map<string, number>();
    if (previous) for (const [t, v] of previous) if (v[EXPANSION]) expansion.set(t, v[EXPANSION]);
    if (previous) this.remove(doc.id);
    const terms = new Map<string, FieldValues>();
    for (const [t, v] of doc.tf) terms.set(t, [v[0], v[1], v[2], 0]);
    this.docTerms.set(doc.id, terms);
    const d = this.levels.document;
    const length: FieldValues = [doc.length[0], doc.length[1], doc.length[2], 0];
    d.lengths.set(doc.id, length);
    for (let f = 0; f < 3; f++) d.sums[f]! += length[f]!;
    for (const [t, v] of terms) this.list(d, t).add(doc.id, doc.id, v);
    const p = this.levels.passage;
    this.passageIds.set(doc.id, doc.passages.map((x) => x.id));
    for (const passage of doc.passages) {
      p.lengths.set(passage.id, [...passage.length]);
      this.passageTf.set(passage.id, passage.tf);
      for (let f = 0; f < 3; f++) p.sums[f]! += passage.length[f]!;
      for (const [t, v] of passage.tf) this.list(p, t).add(passage.id, doc.id, v);
    }
    if (expansion.size) this.setExpansion(doc.id, expansion);
  }

  remove(doc: number): void {
    const terms = this.docTerms.get(doc);
    if (!terms) return;
    const d = this.levels.document;
    const length = d.lengths.get(doc)!;
    for (let f = 0; f < STRIDE; f++) d.sums[f]! -= length[f]!;
    if (length[EXPANSION] > 0) d.expanded--;
    d.lengths.delete(doc);
    const p = this.levels.passage;
    for (const id of this.passageIds.get(doc) ?? []) {
      const l = p.lengths.get(id);
      if (l) for (let f = 0; f < STRIDE; f++) p.sums[f]! -= l[f]!;
      p.lengths.delete(id);
      this.passageTf.delete(id);
    }
    for (const t of terms.keys()) {
      this.levels.document.lists.get(t)?.removeDoc(doc);
      this.levels.passage.lists.get(t)?.removeDoc(doc);
      this.dropIfEmpty(t);
    }
    this.docTerms.delete(doc);
    this.passageIds.delete(doc);
  }

  setExpansion(doc: number, expansion: ReadonlyMap<string, number>): void {
    const terms = this.docTerms.get(doc);
    if (!terms) return;
    const d = this.levels.document;
    const length = d.lengths.get(doc)!;
    // Re-post every term whose expansion frequency changes (old expansion terms included).
    const changed = new Set<string>();
    for (const [t, v] of terms) if (v[EXPANSION] !== (expansion.get(t) ?? 0)) changed.add(t);
    for (const [t, w] of expansion) if (w > 0 && !terms.has(t)) changed.add(t);
    for (const t of changed) {
      const old = terms.get(t);
      const value: FieldValues = old ? [old[0], old[1], old[2], expansion.get(t) ?? 0] : [0, 0, 0, expansion.get(t)!];
      d.lists.get(t)?.removeDoc(doc);
      if (value[0] + value[1] + value[2] + value[3] > 0) {
        terms.set(t, value);
        this.list(d, t).add(doc, doc, value);
      } else {
        terms.delete(t);
        this.dropIfEmpty(t);
      }
    }
    const total = [...expansion.values()].reduce((s, w) => s + (w > 0 ? w : 0), 0);
    if (length[EXPANSION] > 0) d.expanded--;
    d.sums[EXPANSION] += total - length[EXPANSION];
    length[EXPANSION] = total;
    if (total > 0) d.expanded++;
  }

  private list(s: LevelState, term: string): PostingList {
    let l = s.lists.get(term);
    if (!l) s.lists.set(term, (l = new PostingList()));
    return l;
  }

  private dropIfEmpty(term: string): void {
    for (const s of Object.values(this.levels)) {
      const l = s.lists.get(term);
      if (l && l.live === 0) s.lists.delete(term);
    }
  }
}
