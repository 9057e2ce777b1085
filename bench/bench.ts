/**
 * `npm run bench`: import throughput and search latency, printed as figures.
 *
 *  A. The real corpus (../shared/corpus/postmortems) with a generated encoder of gte-small's
 *     shape (12 layers, hidden 384, 12 heads, random weights): inference costs what the real
 *     model costs, so the import overhead (everything but inference) is a realistic share.
 *  B. A synthetic corpus of 100,000 passages with a 384-dimensional bag-of-words model, for
 *     search latency at scale (query embedding excluded, as the target says).
 *
 * Options: --only real|synthetic, --chunks N (synthetic size), --queries N.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../native/engine.js';
import type { ModelSearch } from '../native/embed/model-locator.js';
import { bertShapedModel, CORPUS, GTE_SMALL_SHAPE, tinyEmbeddingModel, writeModelFolder } from '../test/support/generated-models.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    chunks: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '300' },
  },
});
const QUERIES = Number(values.queries);
const work = mkdtempSync(join(tmpdir(), 'hindsight-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function line(label: string, value: string) {
  console.log(`  ${label.padEnd(44)} ${value}`);
}

/** Seeded PRNG so that synthetic data and query sets are the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function measureSearch(engine: Engine, queries: string[]) {
  const total: number[] = [];
  const excl: number[] = [];
  // Warm-up: first model call and page cache.
  for (const q of queries.slice(0, 5)) await engine.search({ query: q, limit: 10 });
  for (const q of queries) {
    const r = await engine.search({ query: q, limit: 10 });
    total.push(r.tookMs);
    excl.push(r.tookMs - r.embedMs);
  }
  total.sort((a, b) => a - b);
  excl.sort((a, b) => a - b);
  return { total, excl };
}

/** Queries a user might type: titles, and word runs taken from passages (seeded). */
function queriesFrom(engine: Engine, n: number, seed: number): string[] {
  const r = rng(seed);
  const titles = engine.db.prepare('SELECT title FROM documents ORDER BY id').pluck().all() as string[];
  const texts = engine.db.prepare('SELECT text FROM chunks ORDER BY id').pluck().all() as string[];
  const out: string[] = [];
  while (out.length < n) {
    if (r() < 0.3) out.push(titles[Math.floor(r() * titles.length)]!);
    else {
      const words = texts[Math.floor(r() * texts.length)]!.split(/\s+/).filter((w) => /^[a-z]{3,}$/i.test(w));
      if (words.length < 4) continue;
      const k = 2 + Math.floor(r() * 4);
      const s = Math.floor(r() * (words.length - k));
      out.push(words.slice(s, s + k).join(' '));
    }
  }
  return out;
}

async function benchReal() {
  console.log('\nA. Real corpus: ../shared/corpus/postmortems, gte-small-shaped encoder (random weights, fp32)');
  const models = join(work, 'models-real');
  writeModelFolder(models, 'gte-small', bertShapedModel(GTE_SMALL_SHAPE));
  const search: ModelSearch = { roots: [models], preferred: 'gte-small', allowUnverified: true };
  const engine = await Engine.open({ dbPath: join(work, 'real.db'), models: search });
  // Load the model before the clock starts: the first load is not import work.
  await engine.search({ query: 'warm up', limit: 1 });
  const before = engine.inferenceMs;
  const t = performance.now();
  const s = await engine.import({ paths: [join(CORPUS, 'postmortems')] });
  const secs = (performance.now() - t) / 1000;
  const inference = (engine.inferenceMs - before) / 1000;
  const docs = s.documentsAdded + s.documentsUpdated;
  line('documents / passages imported', `${docs} / ${s.chunksWritten} (${s.filesFailed} failed)`);
  line('import wall time', `${secs.toFixed(2)} s`);
  line('throughput', `${(docs / secs).toFixed(2)} documents/s, ${(s.chunksWritten / secs).toFixed(1)} passages/s`);
  line('model inference (timed in the worker)', `${inference.toFixed(2)} s`);
  line('import overhead (all but inference)', `${(secs - inference).toFixed(2)} s = ${(((secs - inference) / secs) * 100).toFixed(1)}% of import time (target < 15%)`);
  const { total, excl } = await measureSearch(engine, queriesFrom(engine, QUERIES, 1));
  line(`search latency, ${excl.length} queries, excl. query embedding`, `p50 ${percentile(excl, 50).toFixed(2)} ms, p95 ${percentile(excl, 95).toFixed(2)} ms`);
  line('search latency incl. query embedding', `p50 ${percentile(total, 50).toFixed(2)} ms, p95 ${percentile(total, 95).toFixed(2)} ms`);
  await engine.close();
}

/** Synthetic postmortems: realistic section structure, words drawn from a Zipf-like vocabulary. */
function writeSyntheticCorpus(dir: string, chunks: number): number {
  const r = rng(42);
  const vocab: string[] = [];
  const syll = ['ka', 'fo', 'ren', 'tis', 'lo', 'mar', 'qu', 'ex', 'dor', 'pin', 'sal', 'vek', 'tor', 'ni', 'bra', 'zu'];
  for (let i = 0; i < 20000; i++) vocab.push(Array.from({ length: 2 + (i % 3) }, () => syll[Math.floor(r() * syll.length)]).join(''));
  const common = ['the', 'service', 'database', 'timeout', 'error', 'deploy', 'latency', 'node', 'kafka', 'dns', 'cache', 'alert', 'rollback', 'certificate', 'queue', 'disk', 'memory', 'cpu', 'pod', 'cluster'];
  const word = () => (r() < 0.35 ? common[Math.floor(r() * common.length)]! : vocab[Math.floor(Math.pow(r(), 2.2) * vocab.length)]!);
  const para = (n: number) => Array.from({ length: n }, word).join(' ') + '.';
  const sections = ['Summary', 'Impact', 'Timeline', 'Root cause', 'Trigger', 'Detection', 'Resolution', 'Action items', 'Lessons learned', 'Contributing factors'];
  const perDoc = sections.length;
  const docs = Math.ceil(chunks / perDoc);
  mkdirSync(dir, { recursive: true });
  for (let d = 0; d < docs; d++) {
    const day = new Date(Date.UTC(2018, 0, 1) + d * 3_600_000 * 6).toISOString().slice(0, 10);
    const body = sections.map((s) => `## ${s}\n\n${para(60 + Math.floor(r() * 80))}`).join('\n\n');
    writeFileSync(join(dir, `pm-${String(d).padStart(6, '0')}.md`), `---\ndate: ${day}\n---\n# ${para(6)}\n\n${body}\n`);
  }
  return docs;
}

async function benchSynthetic(chunks: number) {
  console.log(`\nB. Synthetic corpus: ${chunks.toLocaleString()} passages, 384-dim bag-of-words model (cheap inference: measures the pipeline and the index)`);
  const corpus = join(work, 'synthetic');
  const docs = writeSyntheticCorpus(corpus, chunks);
  const models = join(work, 'models-syn');
  writeModelFolder(models, 'gte-small', tinyEmbeddingModel(384));
  const engine = await Engine.open({ dbPath: join(work, 'syn.db'), models: { roots: [models], preferred: 'gte-small', allowUnverified: true } });
  await engine.search({ query: 'warm up', limit: 1 });
  const before = engine.inferenceMs;
  const t = performance.now();
  const s = await engine.import({ paths: [corpus] });
  const secs = (performance.now() - t) / 1000;
  const inference = (engine.inferenceMs - before) / 1000;
  line('documents / passages imported', `${s.documentsAdded} of ${docs} / ${s.chunksWritten}`);
  line('import wall time', `${secs.toFixed(1)} s`);
  line('throughput', `${(s.documentsAdded / secs).toFixed(1)} documents/s, ${(s.chunksWritten / secs).toFixed(0)} passages/s`);
  line('pipeline cost per passage (all but inference)', `${(((secs - inference) / s.chunksWritten) * 1000).toFixed(2)} ms`);
  line('peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  const { total, excl } = await measureSearch(engine, queriesFrom(engine, QUERIES, 2));
  line(`search latency, ${excl.length} queries, excl. query embedding`, `p50 ${percentile(excl, 50).toFixed(2)} ms, p95 ${percentile(excl, 95).toFixed(2)} ms (target p95 < 50 ms)`);
  line('search latency incl. query embedding', `p50 ${percentile(total, 50).toFixed(2)} ms, p95 ${percentile(total, 95).toFixed(2)} ms`);
  await engine.close();
  // Reopen: the HNSW cache loads from disk instead of being rebuilt.
  const reopened = await Engine.open({ dbPath: join(work, 'syn.db'), models: { roots: [models], preferred: 'gte-small', allowUnverified: true } });
  const o = performance.now();
  await reopened.search({ query: 'kafka timeout', limit: 10 });
  line('reopen + first search (index from disk, model load)', `${(performance.now() - o).toFixed(0)} ms; index ${reopened.stats().index.health}`);
  await reopened.close();
}

console.log(`Hindsight benchmark — ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`);
if (values.only !== 'synthetic') await benchReal();
if (values.only !== 'real') await benchSynthetic(Number(values.chunks));
