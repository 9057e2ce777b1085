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
 * Options: --only real|synthetic|slack, --chunks N (synthetic size), --queries N, --messages N.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chunkMarkdown } from '../native/chunk/chunker.js';
import { Engine } from '../native/engine.js';
import { titleOf } from '../native/import/document-facts.js';
import { splitFrontMatter } from '../native/import/front-matter.js';
import { walkPaths } from '../native/import/walk.js';
import type { ModelSearch } from '../native/embed/model-locator.js';
import { bertShapedModel, CORPUS, GTE_SMALL_SHAPE, tinyEmbeddingModel, writeModelFolder } from '../test/support/generated-models.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    chunks: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '300' },
    messages: { type: 'string', default: '200000' },
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

/**
 * Synthetic postmortems made of real sentences: every section is filled with sentences drawn
 * (seeded) from the same kind of section across ../shared/corpus/postmortems, so that term
 * frequencies, passage lengths and section structure are those of real postmortems.
 */
async function writeSyntheticCorpus(dir: string, chunks: number): Promise<number> {
  const r = rng(42);
  const pools = new Map<string, string[]>();
  const titles: string[] = [];
  const { files } = await walkPaths([join(CORPUS, 'postmortems')]);
  for (const f of files) {
    if (!f.path.endsWith('.md')) continue;
    const { body } = splitFrontMatter(readFileSync(f.path, 'utf8'));
    titles.push(titleOf({}, body, f.path));
    for (const c of chunkMarkdown(body)) {
      const sentences = c.text.replace(/^#+ .*$/gm, '').split(/(?<=[.!?])\s+|\n+/).map((x) => x.trim()).filter((x) => x.length > 20);
      const pool = pools.get(c.role) ?? [];
      pool.push(...sentences);
      pools.set(c.role, pool);
    }
  }
  const roles = ['summary', 'impact', 'timeline', 'root_cause', 'trigger', 'detection', 'resolution', 'action_items', 'lessons', 'contributing_factors'];
  const headings: Record<string, string> = { summary: 'Summary', impact: 'Impact', timeline: 'Timeline', root_cause: 'Root cause', trigger: 'Trigger', detection: 'Detection', resolution: 'Resolution', action_items: 'Action items', lessons: 'Lessons learned', contributing_factors: 'Contributing factors' };
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const docs = Math.ceil(chunks / roles.length);
  mkdirSync(dir, { recursive: true });
  for (let d = 0; d < docs; d++) {
    const day = new Date(Date.UTC(2015, 0, 1) + d * 3_600_000 * 9).toISOString().slice(0, 10);
    const body = roles.map((role) => {
      const pool = pools.get(role)?.length ? pools.get(role)! : pools.get('other')!;
      return `## ${headings[role]}\n\n${Array.from({ length: 4 + Math.floor(r() * 6) }, () => pick(pool)).join(' ')}`;
    }).join('\n\n');
    writeFileSync(join(dir, `pm-${String(d).padStart(6, '0')}.md`), `---\ndate: ${day}\n---\n# ${pick(titles)} (${d})\n\n${body}\n`);
  }
  return docs;
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
  await engine.close();
  // Reopen: the HNSW cache loads from disk instead of being rebuilt.
  const reopened = await Engine.open({ dbPath: join(work, 'syn.db'), models: { roots: [models], preferred: 'gte-small', allowUnverified: true } });
  const o = performance.now();
  await reopened.search({ query: 'kafka timeout', limit: 10 });
  line('reopen + first search (index from disk, model load)', `${(performance.now() - o).toFixed(0)} ms; index ${reopened.stats().index.health}`);
  await reopened.close();
}

/** A Slack export of `messages` messages over channels and days, a third of them in threads. */
function writeSlackExport(dir: string, messages: number, sentences: string[]): void {
  const r = rng(7);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const channels = Array.from({ length: 20 }, (_, i) => ({ id: `C${String(i).padStart(8, '0')}`, name: i < 8 ? `incident-${i}` : `team-${i}` }));
  const users = Array.from({ length: 200 }, (_, i) => ({ id: `U${String(i).padStart(8, '0')}`, name: `user${i}`, team_id: 'T0BENCH' }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(channels));
  writeFileSync(join(dir, 'users.json'), JSON.stringify(users));
  const days = 365;
  const perDay = Math.ceil(messages / (channels.length * days));
  for (const c of channels) {
    mkdirSync(join(dir, c.name));
    let t = Date.UTC(2023, 0, 1) / 1000;
    for (let d = 0; d < days; d++) {
      const out: object[] = [];
      let parent: string | null = null;
      for (let m = 0; m < perDay; m++) {
        t += 60 + Math.floor(r() * 1800);
        const ts = `${t}.${String(m).padStart(6, '0')}`;
        const reply = parent && r() < 0.35;
        const msg: Record<string, unknown> = { type: 'message', user: pick(users).id, text: `${pick(sentences)} <@${pick(users).id}>`, ts };
        if (reply) msg.thread_ts = parent;
        else if (r() < 0.2) {
          parent = ts;
          msg.thread_ts = ts;
        }
        out.push(msg);
      }
      writeFileSync(join(dir, c.name, `${new Date((Date.UTC(2023, 0, 1) / 1000 + d * 86400) * 1000).toISOString().slice(0, 10)}.json`), JSON.stringify(out));
    }
  }
}

async function benchSlack(messages: number) {
  console.log(`\nC. Synthetic Slack export: ${messages.toLocaleString()} messages in 20 channels over a year, 384-dim bag-of-words model`);
  const sentences: string[] = [];
  const { files } = await walkPaths([join(CORPUS, 'postmortems')]);
  for (const f of files) if (f.path.endsWith('.md')) sentences.push(...readFileSync(f.path, 'utf8').split(/(?<=[.!?])\s+/).filter((x) => x.length > 20 && x.length < 300));
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

/** Each section in its own process, so that peak memory is that section's own. */
async function runSection(only: string) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--only', only, '--chunks', values.chunks!, '--queries', values.queries!, '--messages', values.messages!], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (!values.only) {
  console.log(`Hindsight benchmark — ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`);
  for (const section of ['real', 'synthetic', 'slack']) await runSection(section);
} else if (values.only === 'real') await benchReal();
else if (values.only === 'synthetic') await benchSynthetic(Number(values.chunks));
else if (values.only === 'slack') await benchSlack(Number(values.messages));
else throw new Error(`--only real|synthetic|slack`);
