/**
 * `--only vectors`: HNSW recall@10 against exact search, and latency, per corpus size and
 * parameters, with the exact scan's own latency beside it (the crossover).
 *
 * The vectors are those the 384-dimensional bag-of-words test model (`tinyEmbeddingModel`)
 * gives passages of recombined real postmortem sentences: its token table is read out of the
 * generated ONNX file, each sentence is tokenized once by the real tokenizer, and a passage's
 * vector is the normalised mean of its tokens' rows — what the model's Gather plus mean pooling
 * computes, without running a million passages through Transformers.js.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { HNSW_DEFAULTS, VectorIndex, type HnswParams } from '../native/vector/vector-index.js';
import type { PassageStore } from '../native/store/store.js';
import { SHARED_MODELS, tinyEmbeddingModel } from '../test/support/generated-models.js';
import { realSentences, rng } from './synthetic.js';

const DIMS = 384;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Generates bag-of-words vectors of synthetic passages (and of short queries), seeded. */
export async function bagOfWordsVectors(): Promise<{ passage: (seed: number) => Float32Array; query: (seed: number) => Float32Array }> {
  const model = onnxProto.onnx.ModelProto.decode(tinyEmbeddingModel(DIMS));
  const init = model.graph!.initializer![0]!;
  const raw = new Uint8Array(init.rawData!.length);
  raw.set(init.rawData!);
  const table = new Float32Array(raw.buffer);
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = SHARED_MODELS;
  const tokenizer = await AutoTokenizer.from_pretrained('gte-small');
  const sentences = (await realSentences()).slice(0, 20_000);
  // Per sentence: the sum of its tokens' rows and how many tokens.
  const sums: Float32Array[] = [];
  const counts: number[] = [];
  for (const s of sentences) {
    const ids = (tokenizer.encode(s, { add_special_tokens: false }) as number[]).slice(0, 200);
    const sum = new Float32Array(DIMS);
    for (const id of ids) for (let d = 0; d < DIMS; d++) sum[d]! += table[id * DIMS + d]!;
    sums.push(sum);
    counts.push(ids.length);
  }
  const compose = (seed: number, min: number, spread: number) => {
    const r = rng(seed);
    const v = new Float32Array(DIMS);
    let n = 0;
    for (let k = min + Math.floor(r() * spread); k > 0; k--) {
      const i = Math.floor(r() * sums.length);
      const s = sums[i]!;
      for (let d = 0; d < DIMS; d++) v[d]! += s[d]!;
      n += counts[i]!;
    }
    let norm = 0;
    for (let d = 0; d < DIMS; d++) norm += (v[d]! /= Math.max(1, n)) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < DIMS; d++) v[d]! /= norm;
    return v;
  };
  // Passages: 4–9 sentences, as the synthetic corpus's sections; queries: 1–2 sentences.
  return { passage: (seed) => compose(seed, 4, 6), query: (seed) => compose(1_000_000_000 + seed, 1, 2) };
}

/** The widest vector instructions this CPU offers that hnswlib has kernels for (Linux reads them; elsewhere unknown). */
function simdLevel(): string {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1]?.split(/\s+/) ?? [];
    return flags.includes('avx512f') ? 'AVX-512' : flags.includes('avx') ? 'AVX' : flags.includes('sse') ? 'SSE' : 'scalar';
  } catch {
    return 'unknown';
  }
}

const NO_STORE = { embeddedIds: async () => [], vectors: async () => new Map() } as unknown as PassageStore;

export async function buildIndex(vectors: (i: number) => Float32Array, n: number, params: Partial<HnswParams>, work: string): Promise<{ index: VectorIndex; secs: number }> {
  const index = await VectorIndex.open(NO_STORE, join(work, `v-${n}-${params.m}-${params.efConstruction}.hnsw`), 'bench', DIMS, { params: { ...params, exactBelow: 0 } });
  const t = performance.now();
  for (let i = 0; i < n; i++) index.add(i + 1, vectors(i));
  return { index, secs: (performance.now() - t) / 1000 };
}

export interface RecallRow {
  n: number;
  m: number;
  efConstruction: number;
  ef: number;
  recall: number;
  p50: number;
  p95: number;
}

/** Recall@10 and latency of `index.search` (HNSW) against the exact scan of the same vectors. */
export function measureRecall(index: VectorIndex, queries: Float32Array[], truth: number[][], ef: number): { recall: number; p50: number; p95: number } {
  (index.params as HnswParams).ef = ef;
  const times: number[] = [];
  let hit = 0;
  for (const [qi, q] of queries.entries()) {
    const t = performance.now();
    const got = index.search(q, 10).map((h) => h.chunkId);
    times.push(performance.now() - t);
    const want = new Set(truth[qi]);
    hit += got.filter((id) => want.has(id)).length;
  }
  times.sort((a, b) => a - b);
  return { recall: hit / (queries.length * 10), p50: percentile(times, 50), p95: percentile(times, 95) };
}

export async function benchVectors(sizes: number[], configs: Array<Pick<HnswParams, 'm' | 'efConstruction'>>, efs: number[], queryCount: number): Promise<void> {
  console.log(`\nV. Vector search: HNSW recall@10 against exact search (bag-of-words vectors of synthetic passages, ${DIMS} dims, ${queryCount} queries)`);
  console.log(`  distance kernels: ${simdLevel()} (hnswlib's, picked at run time: patches/hnswlib-node+3.0.0.patch)`);
  const work = mkdtempSync(join(tmpdir(), 'hindsight-bench-vec-'));
  try {
    const gen = await bagOfWordsVectors();
    const queries = Array.from({ length: queryCount }, (_, i) => gen.query(i));
    const rows: RecallRow[] = [];
    for (const n of sizes) {
      let truth: number[][] | null = null;
      let exactTimes: number[] = [];
      for (const c of configs) {
        const { index, secs } = await buildIndex(gen.passage, n, c, work);
        if (!truth) {
          // The exact scan is the reference, and the floor HNSW is compared with (same run).
          exactTimes = [];
          truth = queries.map((q) => {
            const t = performance.now();
            const ids = index.exact(q, 10).map((h) => h.chunkId);
            exactTimes.push(performance.now() - t);
            return ids;
          });
          exactTimes.sort((a, b) => a - b);
          console.log(`  ${n.toLocaleString().padStart(9)} vectors: exact scan p50 ${percentile(exactTimes, 50).toFixed(2)} ms, p95 ${percentile(exactTimes, 95).toFixed(2)} ms`);
        }
        console.log(`    M=${c.m} efConstruction=${c.efConstruction}: built in ${secs.toFixed(1)} s (${((secs / n) * 1e6).toFixed(0)} µs per vector), RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
        for (const ef of efs) {
          const r = measureRecall(index, queries, truth, ef);
          rows.push({ n, m: c.m, efConstruction: c.efConstruction, ef, ...r });
          const ratio = percentile(exactTimes, 95) / r.p95;
          console.log(`      ef=${String(ef).padEnd(4)} recall@10 ${r.recall.toFixed(3)}  p50 ${r.p50.toFixed(2)} ms  p95 ${r.p95.toFixed(2)} ms  (exact p95 / HNSW p95 = ${ratio.toFixed(1)}×)`);
        }
      }
    }
    const d = HNSW_DEFAULTS;
    console.log(`  defaults: M=${d.m} efConstruction=${d.efConstruction} ef=${d.ef}, exact scan at or below ${d.exactBelow.toLocaleString()} vectors (targets: recall@10 ≥ 0.98, p95 < 5 ms)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
