/**
 * Latent semantic analysis trained on the user's own corpus: the model-free "semantic" signal when
 * no transformer is installed. Passages are log(1 + tf)·idf vectors over the corpus vocabulary; a
 * truncated SVD by randomised range finding (Halko, Martinsson & Tropp 2011: Gaussian sketch,
 * power iterations with re-orthonormalisation, then the SVD of the small projected matrix) gives
 * the term space U_k. Any text is folded in as Uₖᵀx (normalised), so words that co-occur across
 * the corpus ("cert", "x509", "expired", "renew") pull their incidents together even when an
 * incident uses only some of them. Deterministic (seeded), dense work bounded by vocabulary × rank.
 */
import { idf } from './bm25.js';
import { isContentTerm } from './query-terms.js';
import type { TermIndex } from './term-index.js';

export interface LsaSettings {
  /** Latent dimensions. */
  rank: number;
  /** Extra sketch columns (accuracy of the randomised range finder). */
  oversample: number;
  /** Power iterations (sharpen a slowly decaying spectrum). */
  powerIterations: number;
  /** Terms in fewer training units are left out (they cannot co-occur). */
  minDf: number;
  /** Terms in more than this share of units are left out (they co-occur with everything). */
  maxDfShare: number;
  /** Vocabulary cap, most frequent kept: memory and time are linear in it. */
  maxVocabulary: number;
  /**
   * Training units at most: a larger corpus is sampled (seeded), which bounds training time and
   * memory; the other units are projected like any new text. The co-occurrence structure of
   * tens of thousands of passages is that of the whole.
   */
  maxTrainingUnits: number;
  seed: number;
}

export const DEFAULT_LSA: LsaSettings = { rank: 100, oversample: 20, powerIterations: 2, minDf: 2, maxDfShare: 0.5, maxVocabulary: 40_000, maxTrainingUnits: 30_000, seed: 7 };

/** A training unit (a passage, or a document): its term frequencies. */
export interface LsaUnit {
  terms: ReadonlyMap<string, number>;
}

/** When a model has drifted from the corpus enough to retrain it. */
export interface Staleness {
  /** Units folded in or removed since training, as a share of the training set. */
  changedShare: number;
  /** Share of the folded-in units' term weight the model's vocabulary does not know. */
  unknownShare: number;
  retrain: boolean;
}

/** Retrain after a quarter of the corpus changed, or when new text is largely unknown to the model. */
export const RETRAIN = { changedShare: 0.25, unknownShare: 0.3 } as const;

/** What changed since training, the counts staleness() reads (kept with a stored model). */
export interface Drift {
  added: number;
  removed: number;
  /** Term weight (log(1 + tf), content terms) of the units folded in, and the part of it the vocabulary lacks. */
  foldedWeight: number;
  unknownWeight: number;
}

/** How far a model trained on `trainedUnits` units has drifted (what LsaModel.staleness() says). */
export function staleness(drift: Drift, trainedUnits: number): Staleness {
  const changedShare = (drift.added + drift.removed) / Math.max(1, trainedUnits);
  const unknownShare = drift.foldedWeight ? drift.unknownWeight / drift.foldedWeight : 0;
  return { changedShare, unknownShare, retrain: changedShare >= RETRAIN.changedShare || (drift.added >= 20 && unknownShare >= RETRAIN.unknownShare) };
}

/** A trained model's arrays, as stored (the vocabulary in basis row order). */
export interface LsaParts {
  vocabulary: readonly string[];
  idf: Float32Array;
  basis: Float32Array;
  singularValues: Float32Array;
  trainedUnits: number;
}

/** Steps of training, for progress: 1 (vocabulary) + 1 (sketch) + power iterations + 1 (basis). */
export type TrainingStep = { phase: 'vocabulary' | 'sketch' | 'power-iteration' | 'basis'; done: number; total: number };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Columns of a row-major rows × cols matrix made orthonormal in place by CholeskyQR2: G = MᵀM =
 * LLᵀ, M ← M·L⁻ᵀ, twice (the second pass restores the precision the Gram matrix loses).
 * Row-major passes keep memory access sequential. A direction that vanished (a sketch wider than
 * the matrix's rank) has no pivot and becomes a zero column.
 */
function orthonormalise(m: Float64Array, rows: number, cols: number, passes = 2): void {
  const row = new Float64Array(cols);
  for (let pass = 0; pass < passes; pass++) {
    const g = new Float64Array(cols * cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let i = 0; i < cols; i++) {
        const x = m[o + i]!;
        if (!x) continue;
        const gi = i * cols;
        for (let j = i; j < cols; j++) g[gi + j]! += x * m[o + j]!;
      }
    }
    // Cholesky, lower triangle: G = L Lᵀ (g holds the upper triangle: G[i][j] for i ≤ j).
    const lo = new Float64Array(cols * cols);
    let maxDiag = 0;
    for (let i = 0; i < cols; i++) maxDiag = Math.max(maxDiag, g[i * cols + i]!);
    const floor = maxDiag * 1e-13;
    for (let j = 0; j < cols; j++) {
      let d = g[j * cols + j]!;
      for (let k = 0; k < j; k++) d -= lo[j * cols + k]! ** 2;
      if (d <= floor) continue; // dead direction: its row of L stays zero
      const ljj = Math.sqrt(d);
      lo[j * cols + j] = ljj;
      for (let i = j + 1; i < cols; i++) {
        let x = g[j * cols + i]!;
        for (let k = 0; k < j; k++) x -= lo[i * cols + k]! * lo[j * cols + k]!;
        lo[i * cols + j] = x / ljj;
      }
    }
    // Each row y becomes q with q Lᵀ = y (forward substitution).
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) {
        const ljj = lo[j * cols + j]!;
        if (!ljj) {
          row[j] = 0;
          continue;
        }
        let x = m[o + j]!;
        const lj = j * cols;
        for (let k = 0; k < j; k++) x -= row[k]! * lo[lj + k]!;
        row[j] = x / ljj;
      }
      m.set(row, o);
    }
  }
}

/** Eigen-decomposition of a symmetric n × n matrix (cyclic Jacobi): eigenvalues descending, eigenvectors as columns. */
function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

/** The corpus as a sparse terms × units matrix (CSC: one column per unit). */
interface Sparse {
  colStart: Int32Array;
  row: Int32Array;
  value: Float64Array;
  rows: number;
  cols: number;
}

export class LsaModel {
  private constructor(
    /** Term → row of U. */
    readonly vocabulary: ReadonlyMap<string, number>,
    /** IDF per vocabulary row, from training. */
    readonly idf: Float32Array,
    /** U_k, row-major vocabulary × rank. */
    readonly basis: Float32Array,
    readonly singularValues: Float32Array,
    /** Units in the corpus at training time (sampled or not): the base of staleness. */
    readonly trainedUnits: number,
  ) {}

  get rank(): number {
    return this.singularValues.length;
  }

  private added = 0;
  private removed = 0;
  private foldedWeight = 0;
  private unknownWeight = 0;

  /** A stored model, with what changed since it was trained. */
  static restore(parts: LsaParts, drift?: Drift): LsaModel {
    const { vocabulary, idf, basis, singularValues, trainedUnits } = parts;
    const rank = singularValues.length;
    if (idf.length !== vocabulary.length || basis.length !== vocabulary.length * rank) {
      throw new Error(`latent model arrays disagree: ${vocabulary.length} terms, ${idf.length} idf, ${basis.length} basis values for rank ${rank}`);
    }
    const model = new LsaModel(new Map(vocabulary.map((t, i) => [t, i])), idf, basis, singularValues, trainedUnits);
    if (drift) model.drift = drift;
    return model;
  }

  /** The arrays to store. */
  parts(): LsaParts {
    const vocabulary = new Array<string>(this.vocabulary.size);
    for (const [t, i] of this.vocabulary) vocabulary[i] = t;
    return { vocabulary, idf: this.idf, basis: this.basis, singularValues: this.singularValues, trainedUnits: this.trainedUnits };
  }

  get drift(): Drift {
    return { added: this.added, removed: this.removed, foldedWeight: this.foldedWeight, unknownWeight: this.unknownWeight };
  }

  set drift(d: Drift) {
    this.added = d.added;
    this.removed = d.removed;
    this.foldedWeight = d.foldedWeight;
    this.unknownWeight = d.unknownWeight;
  }

  /** What folding these units in would add to the drift (foldIn records exactly this). */
  measureFold(units: Iterable<ReadonlyMap<string, number>>): Drift {
    const d: Drift = { added: 0, removed: 0, foldedWeight: 0, unknownWeight: 0 };
    for (const terms of units) {
      d.added++;
      for (const [t, tf] of terms) {
        if (!isContentTerm(t) || tf <= 0) continue;
        const w = Math.log(1 + tf);
        d.foldedWeight += w;
        if (!this.vocabulary.has(t)) d.unknownWeight += w;
      }
    }
    return d;
  }

  /** Trains on the units (passages), e.g. every passage of the corpus (sampled beyond maxTrainingUnits). */
  static train(corpus: readonly LsaUnit[], settings: LsaSettings = DEFAULT_LSA, onStep?: (step: TrainingStep) => void): LsaModel {
    const steps = 3 + settings.powerIterations;
    let step = 0;
    const report = (phase: TrainingStep['phase']) => onStep?.({ phase, done: step++, total: steps });
    report('vocabulary');
    const units = sample(corpus, settings.maxTrainingUnits, settings.seed);
    const df = new Map<string, number>();
    for (const u of units) for (const t of u.terms.keys()) if (isContentTerm(t)) df.set(t, (df.get(t) ?? 0) + 1);
    const n = units.length;
    const vocab = [...df]
      .filter(([, d]) => d >= settings.minDf && d <= n * settings.maxDfShare)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, settings.maxVocabulary);
    const vocabulary = new Map(vocab.map(([t], i) => [t, i]));
    const idfs = Float32Array.from(vocab, ([, d]) => idf(d, n));
    const m = vocabulary.size;
    const rank = Math.max(1, Math.min(settings.rank, m, n));
    const l = Math.min(rank + settings.oversample, m, n);

    // A: log(1 + tf)·idf, columns normalised so that long passages do not dominate the spectrum.
    const colStart = new Int32Array(n + 1);
    const rowsList: number[] = [];
    const valuesList: number[] = [];
    units.forEach((u, j) => {
      const start = rowsList.length;
      let norm = 0;
      for (const [t, tf] of u.terms) {
        const r = vocabulary.get(t);
        if (r === undefined || tf <= 0) continue;
        const w = Math.log(1 + tf) * idfs[r]!;
        rowsList.push(r);
        valuesList.push(w);
        norm += w * w;
      }
      norm = Math.sqrt(norm) || 1;
      for (let k = start; k < valuesList.length; k++) valuesList[k]! /= norm;
      colStart[j + 1] = rowsList.length;
    });
    const a: Sparse = { colStart, row: Int32Array.from(rowsList), value: Float64Array.from(valuesList), rows: m, cols: n };

    // Range finder: Y = A Ω, then (A Aᵀ)^q Y with re-orthonormalisation; Q = orth(Y).
    report('sketch');
    const rand = mulberry32(settings.seed);
    const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
    const omega = new Float64Array(n * l);
    for (let i = 0; i < omega.length; i++) omega[i] = gauss();
    let q = multiplyA(a, omega, l);
    orthonormalise(q, m, l);
    for (let it = 0; it < settings.powerIterations; it++) {
      report('power-iteration');
      const z = multiplyAt(a, q, l);
      // Z only carries the sketch to the next Y, which is re-orthonormalised twice: one pass
      // keeps it well conditioned, at half the cost on the long (one row per unit) side.
      orthonormalise(z, n, l, 1);
      q = multiplyA(a, z, l);
      orthonormalise(q, m, l);
    }
    // B = Qᵀ A (l × n); B Bᵀ = W Λ Wᵀ; U = Q W, σ = √λ.
    report('basis');
    const bt = multiplyAt(a, q, l); // n × l, = Bᵀ
    const bbt = new Float64Array(l * l);
    for (let r = 0; r < n; r++) {
      const o = r * l;
      for (let i = 0; i < l; i++) {
        const x = bt[o + i]!;
        if (!x) continue;
        for (let j = i; j < l; j++) bbt[i * l + j]! += x * bt[o + j]!;
      }
    }
    for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) bbt[i * l + j] = bbt[j * l + i]!;
    const { values, vectors } = symmetricEigen(bbt, l);
    const basis = new Float32Array(m * rank);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < rank; c++) {
        let s = 0;
        for (let k = 0; k < l; k++) s += q[i * l + k]! * vectors[k * l + c]!;
        basis[i * rank + c] = s;
      }
    }
    const sigma = Float32Array.from({ length: rank }, (_, c) => Math.sqrt(Math.max(0, values[c]!)));
    onStep?.({ phase: 'basis', done: steps, total: steps });
    return new LsaModel(vocabulary, idfs, basis, sigma, corpus.length);
  }

  /** The basis row of a term, or −1 when the model does not know it. */
  rowOf(term: string): number {
    return this.vocabulary.get(term) ?? -1;
  }

  /**
   * project() for terms already looked up: basis rows and their frequencies (rows −1 are
   * skipped). Loading a stored model projects every passage; a lookup table of rows spares a map
   * lookup per term and passage.
   */
  projectRows(rows: ArrayLike<number>, tfs: ArrayLike<number>, count = rows.length): Float32Array {
    const out = new Float32Array(this.rank);
    const k = this.rank;
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      const tf = tfs[i]!;
      if (r < 0 || tf <= 0) continue;
      const w = Math.log(1 + tf) * this.idf[r]!;
      const o = r * k;
      for (let c = 0; c < k; c++) out[c]! += w * this.basis[o + c]!;
    }
    return normalised(out);
  }

  /**
   * A text's latent vector (unit length, or all zeros when it shares no word with the model):
   * Uₖᵀ of its log(1 + tf)·idf vector. New passages are folded in the same way, without retraining.
   */
  project(terms: ReadonlyMap<string, number>): Float32Array {
    const out = new Float32Array(this.rank);
    for (const [term, tf] of terms) if (tf > 0) this.accumulate(out, term, Math.log(1 + tf));
    return normalised(out);
  }

  /** The latent vector of weighted terms (weight in place of log(1 + tf)), unit length. */
  projectWeights(terms: ReadonlyArray<{ term: string; weight: number }>): Float32Array {
    const out = new Float32Array(this.rank);
    for (const { term, weight } of terms) if (weight > 0) this.accumulate(out, term, weight);
    return normalised(out);
  }

  private accumulate(out: Float32Array, term: string, weight: number): void {
    const r = this.vocabulary.get(term);
    if (r === undefined) return;
    const k = this.rank;
    const w = weight * this.idf[r]!;
    const o = r * k;
    for (let c = 0; c < k; c++) out[c]! += w * this.basis[o + c]!;
  }

  /** Folds in a unit added after training (its vector is project(terms)) and records the drift. */
  foldIn(terms: ReadonlyMap<string, number>): Float32Array {
    this.added++;
    for (const [t, tf] of terms) {
      if (!isContentTerm(t) || tf <= 0) continue;
      const w = Math.log(1 + tf);
      this.foldedWeight += w;
      if (!this.vocabulary.has(t)) this.unknownWeight += w;
    }
    return this.project(terms);
  }

  /** Records a unit removed since training. */
  noteRemoved(count = 1): void {
    this.removed += count;
  }

  staleness(): Staleness {
    return staleness(this.drift, this.trainedUnits);
  }
}

/** At most `max` of the units, a seeded uniform sample in their original order. */
function sample<T>(units: readonly T[], max: number, seed: number): readonly T[] {
  if (units.length <= max) return units;
  return [...sampledIndices(units.length, max, seed)].map((i) => units[i]!);
}

/**
 * The positions (ascending) of the units LsaModel.train trains on out of `total`, for `settings`:
 * all of them up to `maxTrainingUnits`, else a seeded sample. A reader that knows them before
 * reading keeps only those units' terms in memory (latent-training.ts).
 */
export function trainingSample(total: number, settings: Pick<LsaSettings, 'maxTrainingUnits' | 'seed'>): Int32Array {
  return total <= settings.maxTrainingUnits ? Int32Array.from({ length: total }, (_, i) => i) : sampledIndices(total, settings.maxTrainingUnits, settings.seed);
}

function sampledIndices(total: number, max: number, seed: number): Int32Array {
  const rand = mulberry32(seed ^ 0x9e3779b9);
  const idx = Int32Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rand() * (idx.length - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, max).sort();
}

/** A · X for dense X (cols × l, row-major): rows × l. */
function multiplyA(a: Sparse, x: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.rows * l);
  for (let j = 0; j < a.cols; j++) {
    const xo = j * l;
    for (let p = a.colStart[j]!; p < a.colStart[j + 1]!; p++) {
      const v = a.value[p]!;
      const o = a.row[p]! * l;
      for (let c = 0; c < l; c++) out[o + c]! += v * x[xo + c]!;
    }
  }
  return out;
}

/** Aᵀ · Y for dense Y (rows × l, row-major): cols × l. */
function multiplyAt(a: Sparse, y: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.cols * l);
  for (let j = 0; j < a.cols; j++) {
    const o = j * l;
    for (let p = a.colStart[j]!; p < a.colStart[j + 1]!; p++) {
      const v = a.value[p]!;
      const yo = a.row[p]! * l;
      for (let c = 0; c < l; c++) out[o + c]! += v * y[yo + c]!;
    }
  }
  return out;
}

function normalised(v: Float32Array): Float32Array {
  let norm = 0;
  for (let c = 0; c < v.length; c++) norm += v[c]! ** 2;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let c = 0; c < v.length; c++) v[c]! /= norm;
  return v;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * A scorer reading its vectors document by document loads all the rest once it holds this share
 * of the trained passages, and at least this many (below that, reading them all costs little
 * either way and a single call never pays for the whole corpus).
 */
export const LAZY_LATENT_SHARE = 0.25;
export const LAZY_LATENT_MIN_PASSAGES = 5_000;

/** Stored passage vectors a scorer reads as it needs them (SqliteRanking over rank_latent_vectors). */
export interface LatentVectorSource {
  /** Calls `put` for every passage of these documents (none of them asked for before). */
  documents(documents: readonly number[], put: (unit: number, doc: number, v: Float32Array) => void): void;
  /** Calls `put` for every passage (`skip`: documents already put, which may be left out). */
  all(put: (unit: number, doc: number, v: Float32Array) => void, skip: ReadonlySet<number>): void;
}

/**
 * Latent vectors of the corpus's passages with the document each belongs to; scores documents
 * by their best passage's cosine with the query (an incident is often one section of a
 * write-up). The store would keep these vectors beside the embeddings (and search them through
 * the HNSW index); this brute-force form serves tests, the lab and small corpora. Vectors sit in
 * one contiguous array, so a query costs one projection (terms × rank) and one pass over
 * passages × rank numbers.
 */
export class LsaScorer {
  private readonly slotOf = new Map<number, number>();
  /** The slots of each document's passages: scoring given documents reads only theirs. */
  private readonly slotsOf = new Map<number, number[]>();
  private readonly free: number[] = [];
  private vectors = new Float32Array(0);
  private docs = new Int32Array(0);
  private used = 0;
  /** Documents whose passages' vectors `source` has put here (unused without a source). */
  private readonly loaded = new Set<number>();
  private allLoaded: boolean;

  /**
   * `source`: where the vectors not set by hand come from, read on first use — a ranking scores
   * a few hundred candidate documents, so a new process reads their passages' vectors, not the
   * corpus's (at a million passages loading every vector took most of a cold `similar`).
   */
  constructor(
    readonly model: LsaModel,
    private readonly source: LatentVectorSource | null = null,
  ) {
    this.allLoaded = !source;
  }

  /** Every vector from the source (scoring without a document list, size). */
  private loadAll(): void {
    if (this.allLoaded) return;
    this.allLoaded = true;
    // A passage set after its document was loaded (a commit's fold-in) is replaced by the same vector.
    this.source!.all((unit, doc, v) => this.setVector(unit, doc, v), this.loaded);
    this.loaded.clear();
  }

  private loadDocuments(documents: Iterable<number>): void {
    if (this.allLoaded) return;
    const missing: number[] = [];
    for (const d of documents) if (!this.loaded.has(d)) missing.push(d);
    if (!missing.length) return;
    for (const d of missing) this.loaded.add(d);
    this.source!.documents(missing, (unit, doc, v) => this.setVector(unit, doc, v));
    // A process that keeps ranking (the app, the server) would otherwise pay these reads a few
    // hundred documents at a time in query after query: once it has read a good share of the
    // corpus, the rest comes in one read (what opening once cost), and later rankings read nothing.
    if (this.slotOf.size >= Math.max(LAZY_LATENT_MIN_PASSAGES, this.model.trainedUnits * LAZY_LATENT_SHARE)) this.loadAll();
  }

  /** Adds or replaces a passage's vector; `folded` marks a passage the model was not trained on. */
  set(unit: number, doc: number, terms: ReadonlyMap<string, number>, folded = false): void {
    this.setVector(unit, doc, folded ? this.model.foldIn(terms) : this.model.project(terms));
  }

  /** Room for `capacity` passages at once (loading knows how many: no doubling copies). */
  reserve(capacity: number): void {
    if (capacity > this.docs.length) this.grow(capacity);
  }

  /** Passages with a vector. */
  get size(): number {
    this.loadAll();
    return this.slotOf.size;
  }

  /** Passages whose vector is in memory (without loading the rest: what a ranking read). */
  get inMemory(): number {
    return this.slotOf.size;
  }

  /** Adds or replaces a passage's vector, computed by the caller (the model's projection of its terms). */
  setVector(unit: number, doc: number, v: Float32Array): void {
    let slot = this.slotOf.get(unit);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.used++;
      if (slot >= this.docs.length) this.grow(Math.max(1024, this.docs.length * 2));
      this.slotOf.set(unit, slot);
    } else if (this.docs[slot] !== doc) this.unlink(this.docs[slot]!, slot);
    if (this.docs[slot] !== doc) {
      const slots = this.slotsOf.get(doc);
      if (slots) slots.push(slot);
      else this.slotsOf.set(doc, [slot]);
    }
    this.docs[slot] = doc;
    this.vectors.set(v, slot * this.model.rank);
  }

  delete(unit: number): void {
    const slot = this.slotOf.get(unit);
    if (slot === undefined) {
      // A passage of a document not loaded yet was in the model all the same.
      if (!this.allLoaded) this.model.noteRemoved();
      return;
    }
    this.slotOf.delete(unit);
    this.unlink(this.docs[slot]!, slot);
    this.docs[slot] = -1;
    this.free.push(slot);
    this.model.noteRemoved();
  }

  private unlink(doc: number, slot: number): void {
    const slots = this.slotsOf.get(doc);
    if (!slots) return;
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    if (!slots.length) this.slotsOf.delete(doc);
  }

  /**
   * Best-passage cosine per document, for weighted query terms (a weight stands for log(1 + tf)).
   * `documents`: score only these (the cost is their passages'); without it, every passage.
   */
  similarities(query: ReadonlyArray<{ term: string; weight: number }>, documents?: Iterable<number>): Map<number, number> {
    if (documents) {
      documents = [...documents];
      this.loadDocuments(documents);
    } else this.loadAll();
    const q = this.model.projectWeights(query);
    const k = this.model.rank;
    const out = new Map<number, number>();
    const { vectors, docs } = this;
    const cosine = (slot: number) => {
      let c = 0;
      const o = slot * k;
      for (let i = 0; i < k; i++) c += q[i]! * vectors[o + i]!;
      return c;
    };
    if (documents) {
      for (const doc of documents) {
        let best = 0;
        for (const slot of this.slotsOf.get(doc) ?? []) best = Math.max(best, cosine(slot));
        if (best > 0) out.set(doc, best);
      }
      return out;
    }
    for (let slot = 0; slot < this.used; slot++) {
      const doc = docs[slot]!;
      if (doc < 0) continue;
      const c = cosine(slot);
      if (c > 0 && c > (out.get(doc) ?? 0)) out.set(doc, c);
    }
    return out;
  }

  private grow(capacity: number): void {
    const vectors = new Float32Array(capacity * this.model.rank);
    vectors.set(this.vectors);
    const docs = new Int32Array(capacity).fill(-1);
    docs.set(this.docs);
    this.vectors = vectors;
    this.docs = docs;
  }
}

/** A passage's own frequencies (title, heading and text summed), as LSA sees it. */
export function unitTerms(terms: ReadonlyMap<string, Readonly<[number, number, number, number]>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [t, v] of terms) {
    const tf = v[0] + v[1] + v[2];
    if (tf > 0) out.set(t, tf);
  }
  return out;
}

/** Trains on every passage of the index and returns the scorer over them. */
export function trainLsa(index: TermIndex, settings: LsaSettings = DEFAULT_LSA): LsaScorer {
  const units: Array<{ id: number; doc: number; terms: Map<string, number> }> = [];
  for (const doc of index.documents()) {
    for (const id of index.passagesOf(doc)) {
      const terms = index.passageTerms(id);
      if (terms) units.push({ id, doc, terms: unitTerms(terms) });
    }
  }
  const scorer = new LsaScorer(LsaModel.train(units, settings));
  for (const u of units) scorer.set(u.id, u.doc, u.terms);
  return scorer;
}
