/**
 * `npm run bench`: import throughput and search latency, printed as figures.
 *
 *  A. The real corpus (../shared/corpus/postmortems) with a generated encoder of gte-small's
 *     shape (12 layers, hidden 384, 12 heads, random weights): inference costs what the real
 *     model costs, so the import overhead (everything but inference) is a realistic share.
 *  B. A synthetic corpus of 100,000 passages with a 384-dimensional bag-of-words model, for
 *     search latency at scale (query embedding excluded, as the target says).
 *
 *  C. A synthetic Slack export of 200,000 messages: throughput and peak memory.
 *
*  D. The costs of the door, the store layer and incident records (bench/costs.ts).
 *
 *  E. Ranking statistics at the scale of B (the same synthetic corpus and model, embedded during
 *     the import): the import with term statistics, neighbour expansion and the corpus latent
 *     model against the same import without them in the same run (the floor: imports as they
 *     were before), the corpus model's training time and memory, loading the statistics on
 *     reopen, and the ranker's latency (the one `similar` is to rank with) beside `similar` and search.
 *
 *  M. Training the corpus model alone, each size (--sizes) in a process of its own, so that its
 *     peak RSS is the training's own (bench/corpus-model.ts).
 *
 *  F. A 100k-row ServiceNow CSV (bench/csv.ts, `--only csv --rows N`): records/s beside csv-parse
 *     alone over the same file, the reader alone, the whole lexical import, peak RSS.
 *
 *  P. Patterns over 10,000 incidents (bench/patterns.ts, `--only patterns --incidents N --keep DIR`).
 *
 *  Start-up. `--only startup`: `hindsight --help` beside `node -e 0` (bench/startup.ts).
 *
 *  Door. `--only door`: the door's cost alone (bench/door.ts), on 15,000 synthetic passages unless
 *     --chunks says otherwise, --rounds N rounds of its ten queries.
 *
 * Options: --only startup|real|synthetic|slack|costs|door|ranking|corpus-model|patterns|vectors|embed|scale|csv, --chunks N (synthetic size), --queries N, --messages N, --rows N, --rounds N.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Engine } from '../native/engine.js';
import { trainInOwnProcess } from './corpus-model.js';
import { benchCosts } from './costs.js';
import { benchDoorSection } from './door.js';
import { realSentences, rng, writeSlackExport, writeSyntheticCorpus } from './synthetic.js';
import type { ModelSearch } from '../native/embed/model-locator.js';
import { bertShapedModel, CORPUS, GTE_SMALL_SHAPE, tinyEmbeddingModel, writeModelFolder } from '../test/support/generated-models.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    chunks: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '300' },
    messages: { type: 'string', default: '200000' },
    // vectors, corpus-model: corpus sizes; vectors: HNSW M:efConstruction pairs, search ef values.
    sizes: { type: 'string', default: '10000,100000' },
    configs: { type: 'string', default: '16:100,32:200,48:300' },
    efs: { type: 'string', default: '96,200,400,800' },
    // embed: real passages per measurement.
    passages: { type: 'string', default: '48' },
    // scale: embed with the bag-of-words model (1) or lexical only (0).
    embed: { type: 'string', default: '1' },
    // door: rounds of the queries through the door and directly.
    rounds: { type: 'string', default: '10' },
    // csv: rows of the generated ServiceNow CSV.
    rows: { type: 'string', default: '100000' },
    // scale: keep each size's database in this folder and reuse it when it is there (import is long).
    keep: { type: 'string' },
    // scale-one: where to append this size's figures for the growth table.
    summary: { type: 'string' },
    // patterns: incidents in the synthetic database, and where to write every theme (to compare runs).
    incidents: { type: 'string', default: '10000' },
    dump: { type: 'string' },
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
/** A read-only connection of the benchmark's own, to pick queries from what was imported. */
function rawDb(engine: Engine): Database.Database {
  return new Database(engine.dbPath, { readonly: true });
}

function queriesFrom(engine: Engine, n: number, seed: number): string[] {
  const r = rng(seed);
  const db = rawDb(engine);
  const titles = db.prepare('SELECT title FROM documents ORDER BY id').pluck().all() as string[];
  const texts = db.prepare('SELECT text FROM chunks ORDER BY id').pluck().all() as string[];
  db.close();
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

async function benchSynthetic(chunks: number) {
  console.log(`\nB. Synthetic corpus: ~${chunks.toLocaleString()} passages of recombined real postmortem sentences, 384-dim bag-of-words model (cheap inference: measures the pipeline and the index)`);
  const corpus = join(work, 'synthetic');
  const docs = await writeSyntheticCorpus(corpus, chunks);
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
  // "Similar incidents" for a paragraph: a few sentences of a real section, as someone would paste.
  const db = rawDb(engine);
  const paragraphs = queriesFrom(engine, 40, 3).map((_, i) => (db.prepare('SELECT text FROM chunks WHERE id = ?').pluck().get(1 + ((i * 2531) % 100_000)) as string | undefined) ?? 'database connection pool exhausted');
  db.close();
  const sim: number[] = [];
  for (const p of paragraphs) {
    const t = performance.now();
    await engine.similar({ text: p.slice(0, 1000), limit: 10 });
    sim.push(performance.now() - t);
  }
  sim.sort((a, b) => a - b);
  line(`similar for a paragraph, ${sim.length} inputs (model loaded)`, `p50 ${percentile(sim, 50).toFixed(0)} ms, p95 ${percentile(sim, 95).toFixed(0)} ms (target < 300 ms)`);
  const pt = performance.now();
  const pr = await engine.patterns({ minSize: 2, limit: 30 });
  line(`patterns over ${pr.incidents.toLocaleString()} incidents`, `${((performance.now() - pt) / 1000).toFixed(1)} s, ${pr.patterns.length} themes (target < 10 s)`);
  await engine.close();
  // Reopen: the HNSW cache loads from disk instead of being rebuilt.
  const reopened = await Engine.open({ dbPath: join(work, 'syn.db'), models: { roots: [models], preferred: 'gte-small', allowUnverified: true } });
  const o = performance.now();
  await reopened.search({ query: 'kafka timeout', limit: 10 });
  line('reopen + first search (index from disk, model load)', `${(performance.now() - o).toFixed(0)} ms; index ${(await reopened.stats()).index.health}`);
  await reopened.close();
}

async function benchSlack(messages: number) {
  console.log(`\nC. Synthetic Slack export: ${messages.toLocaleString()} messages in 20 channels over a year, 384-dim bag-of-words model`);
  const sentences = await realSentences();
  const exportDir = join(work, 'slack-export');
  writeSlackExport(exportDir, messages, sentences);
  const models = join(work, 'models-slack');
  writeModelFolder(models, 'gte-small', tinyEmbeddingModel(384));
  const engine = await Engine.open({ dbPath: join(work, 'slack.db'), models: { roots: [models], preferred: 'gte-small', allowUnverified: true } });
  await engine.search({ query: 'warm up', limit: 1 });
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  const t = performance.now();
  const s = await engine.import({ paths: [exportDir] });
  const secs = (performance.now() - t) / 1000;
  line('conversations / passages', `${s.documentsAdded} / ${s.chunksWritten} (${s.errors.length} errors)`);
  line('import wall time', `${secs.toFixed(1)} s`);
  line('throughput', `${(messages / secs).toFixed(0)} messages/s, ${(s.documentsAdded / secs).toFixed(1)} conversations/s`);
  line('of which model inference', `${(engine.inferenceMs / 1000).toFixed(1)} s`);
  line('peak RSS (whole process)', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (${rssBefore.toFixed(0)} MB before the import; target < 1 GB)`);
  await engine.close();
}

/** The highest resident size seen while `work` runs, sampled every 50 ms (worker threads count: same process). */
async function peakDuring<T>(work: () => Promise<T>): Promise<{ value: T; peakMb: number; beforeMb: number }> {
  const beforeMb = process.memoryUsage().rss / 2 ** 20;
  let peakMb = beforeMb;
  const timer = setInterval(() => (peakMb = Math.max(peakMb, process.memoryUsage().rss / 2 ** 20)), 50);
  try {
    const value = await work();
    peakMb = Math.max(peakMb, process.memoryUsage().rss / 2 ** 20);
    return { value, peakMb, beforeMb };
  } finally {
    clearInterval(timer);
  }
}

async function benchRanking(chunks: number) {
  console.log(`\nE. Ranking statistics: ~${chunks.toLocaleString()} synthetic passages (as B), 384-dim bag-of-words model`);
  const corpus = join(work, 'synthetic-ranking');
  await writeSyntheticCorpus(corpus, chunks);
  const models = join(work, 'models-ranking');
  writeModelFolder(models, 'gte-small', tinyEmbeddingModel(384));
  const search: ModelSearch = { roots: [models], preferred: 'gte-small', allowUnverified: true };
  const importOnce = async (dbPath: string, rankingStatistics: boolean) => {
    const engine = await Engine.open({ dbPath, models: search, rankingStatistics, embedDuringImport: true });
    await engine.search({ query: 'warm up', limit: 1 });
    const t = performance.now();
    const s = await engine.import({ paths: [corpus] });
    return { engine, secs: (performance.now() - t) / 1000, passages: s.chunksWritten };
  };
  // The floor first, then the same import with the ranking statistics, in the same process and run.
  const floor = await importOnce(join(work, 'floor.db'), false);
  await floor.engine.close();
  const ranked = await importOnce(join(work, 'ranking.db'), true);
  const { engine } = ranked;
  let trainMs = 0;
  let phases = '';
  const trainStart = performance.now();
  const training = await peakDuring(async () => {
    engine.onCorpusModelProgress = (p) => {
      if (p.phase === 'done') trainMs = performance.now() - trainStart;
      if (p.phase === 'reading' && p.done === p.total) phases += `read ${((performance.now() - trainStart) / 1000).toFixed(1)} s; `;
    };
    await engine.corpusModelIdle();
  });
  const latent = await engine.store.ranking.latentStaleness();
  const rate = (passages: number, secs: number) => passages / secs;
  line('import without ranking statistics (floor)', `${floor.secs.toFixed(1)} s, ${rate(floor.passages, floor.secs).toFixed(0)} passages/s`);
  line('import with term statistics + expansion', `${ranked.secs.toFixed(1)} s, ${rate(ranked.passages, ranked.secs).toFixed(0)} passages/s = ${((100 * floor.secs) / ranked.secs).toFixed(1)}% of the floor (target ≥ 85%)`);
  const withModel = ranked.secs + trainMs / 1000;
  line('  … and the corpus model trained after it', `${withModel.toFixed(1)} s in all = ${((100 * floor.secs) / withModel).toFixed(1)}% of the floor (the model trains in the background)`);
  line(`corpus model training (${latent?.trainedUnits ?? 0} passages)`, `${(trainMs / 1000).toFixed(1)} s (${phases}target < 60 s); peak RSS ${training.peakMb.toFixed(0)} MB, +${(training.peakMb - training.beforeMb).toFixed(0)} MB over the ${training.beforeMb.toFixed(0)} MB before (target < 1 GB)`);
  await engine.close();
  const own = trainInOwnProcess(join(work, 'ranking.db'));
  line('  … the same training in its own process', `${own.wallS.toFixed(1)} s wall, ${own.cpuS.toFixed(1)} s CPU; peak RSS ${own.peakRssMb.toFixed(0)} MB (${own.rssBeforeMb.toFixed(0)} MB before training)`);

  // Reopen: the posting lists and the latent vectors are loaded from the tables on first use.
  const reopened = await Engine.open({ dbPath: join(work, 'ranking.db'), models: search });
  await reopened.search({ query: 'warm up', limit: 1 });
  const load = await peakDuring(async () => {
    const t = performance.now();
    await reopened.store.ranking.termIndex();
    const lists = performance.now() - t;
    await reopened.store.ranking.latent();
    return { lists, latent: performance.now() - t - lists };
  });
  line('first ranking after reopen: load statistics', `posting lists ${(load.value.lists / 1000).toFixed(1)} s, latent vectors ${(load.value.latent / 1000).toFixed(1)} s; +${(load.peakMb - load.beforeMb).toFixed(0)} MB RSS`);
  const db = rawDb(reopened);
  const total = db.prepare('SELECT count(*) FROM chunks').pluck().get() as number;
  const paragraphs = Array.from({ length: 40 }, (_, i) => (db.prepare('SELECT text FROM chunks WHERE id = ?').pluck().get(1 + ((i * 2531) % total)) as string | undefined) ?? 'database connection pool exhausted');
  const writeups = db.prepare('SELECT body FROM documents ORDER BY id LIMIT 20').pluck().all() as string[];
  db.close();
  const time = async (fn: (text: string) => Promise<unknown>, texts: string[]) => {
    const out: number[] = [];
    for (const text of texts) {
      const t = performance.now();
      await fn(text);
      out.push(performance.now() - t);
    }
    return out.sort((a, b) => a - b);
  };
  const rank = (text: string) => reopened.ranker.rank({ text, passages: [], exclude: new Set(), limit: 20 });
  await rank(paragraphs[0]!);
  const ranker = await time(rank, paragraphs.map((p) => p.slice(0, 1000)));
  const todays = await time((text) => reopened.similar({ text, limit: 10 }), paragraphs.map((p) => p.slice(0, 1000)));
  const documents = await time(rank, writeups);
  line(`ranker, a paragraph (${ranker.length} inputs, hybrid)`, `p50 ${percentile(ranker, 50).toFixed(0)} ms, p95 ${percentile(ranker, 95).toFixed(0)} ms (target < 300 ms); today's similar p95 ${percentile(todays, 95).toFixed(0)} ms (ratio ${(percentile(ranker, 95) / percentile(todays, 95)).toFixed(2)})`);
  line(`ranker, a whole write-up (${documents.length} inputs)`, `p50 ${percentile(documents, 50).toFixed(0)} ms, p95 ${percentile(documents, 95).toFixed(0)} ms`);
  const { excl } = await measureSearch(reopened, queriesFrom(reopened, QUERIES, 4));
  line(`search, ${excl.length} queries, excl. query embedding`, `p50 ${percentile(excl, 50).toFixed(2)} ms, p95 ${percentile(excl, 95).toFixed(2)} ms (target p95 < 50 ms)`);
  await reopened.close();
}

/** Each section in its own process, so that peak memory is that section's own. */
async function runSection(only: string) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--only', only, '--chunks', values.chunks!, '--queries', values.queries!, '--messages', values.messages!, '--rows', values.rows!, '--incidents', values.incidents!], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (!values.only) {
  console.log(`Hindsight benchmark — ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`);
  for (const section of ['startup', 'real', 'synthetic', 'slack', 'costs', 'patterns', 'ranking', 'corpus-model', 'csv']) await runSection(section);
} else if (values.only === 'startup') {
  const { benchStartup } = await import('./startup.js');
  benchStartup();
} else if (values.only === 'real') await benchReal();
else if (values.only === 'synthetic') await benchSynthetic(Number(values.chunks));
else if (values.only === 'slack') await benchSlack(Number(values.messages));
else if (values.only === 'costs') await benchCosts(work, Number(values.chunks));
// A small corpus unless --chunks says otherwise: the door's cost is per call.
else if (values.only === 'door') await benchDoorSection(work, process.argv.includes('--chunks') ? Number(values.chunks) : 15_000, Number(values.rounds));
else if (values.only === 'ranking') await benchRanking(Number(values.chunks));
else if (values.only === 'patterns') {
  const { benchPatterns } = await import('./patterns.js');
  await benchPatterns(work, Number(values.incidents), values.keep, values.dump);
}
else if (values.only === 'vectors') {
  const { benchVectors } = await import('./vectors.js');
  const nums = (s: string) => s.split(',').map(Number);
  const configs = values.configs!.split(',').map((c) => ({ m: Number(c.split(':')[0]), efConstruction: Number(c.split(':')[1]) }));
  await benchVectors(nums(values.sizes!), configs, nums(values.efs!), Math.min(QUERIES, 200));
} else if (values.only === 'embed') {
  const { benchEmbed } = await import('./embed.js');
  await benchEmbed(work, Number(values.passages));
} else if (values.only === 'scale') {
  console.log(`\nS. Growth with the corpus (${values.embed === '1' ? 'bag-of-words model, embedded by the background job' : 'lexical only'}); each size in its own process`);
  const { spawnSync } = await import('node:child_process');
  const summary = join(work, 'scale-summary.jsonl');
  for (const n of values.sizes!.split(',')) {
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--only', 'scale-one', '--chunks', n, '--embed', values.embed!, '--queries', values.queries!, '--summary', summary, ...(values.keep ? ['--keep', values.keep] : [])], { stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
  const { printGrowth } = await import('./scale.js');
  type Row = Parameters<typeof printGrowth>[0][number];
  const { existsSync, readFileSync } = await import('node:fs');
  if (existsSync(summary)) printGrowth(readFileSync(summary, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row));
} else if (values.only === 'corpus-model') {
  const { benchCorpusModel } = await import('./corpus-model.js');
  await benchCorpusModel(work, values.sizes!.split(',').map(Number));
} else if (values.only === 'csv') {
  const { benchCsv } = await import('./csv.js');
  await benchCsv(work, Number(values.rows));
} else if (values.only === 'scale-one') {
  const { benchScaleOne } = await import('./scale.js');
  await benchScaleOne(work, Number(values.chunks), values.embed === '1', Number(values.queries), values.keep, values.summary);
} else throw new Error(`--only real|synthetic|slack|costs|door|ranking|corpus-model|patterns|vectors|embed|scale|csv`);
