/**
 * What native/rank costs at corpus size (`npx tsx eval/ranking-scale.ts [--chunks 100000]`):
 * a synthetic corpus from bench/synthetic.ts's generator (real postmortem sentences, section by
 * section), chunked as the importer chunks, then
 *  - analysis and MemoryTermIndex upkeep per document (what import adds),
 *  - neighbour expansion per document (import; bounded by its settings),
 *  - LSA training time and memory over every passage (the < 60 s / < 1 GB budget),
 *  - the ranking pipeline per query on the new-incident queries: postings read and time.
 * Memory is the process's peak resident size (VmHWM) before and after training, so run it alone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticCorpus } from '../bench/synthetic.js';
import { chunkMarkdown } from '../native/chunk/chunker.js';
import { splitFrontMatter } from '../native/import/front-matter.js';
import { analyseDocument } from '../native/rank/analyse.js';
import { DEFAULT_LSA, LsaModel, LsaScorer, unitTerms } from '../native/rank/lsa.js';
import { DEFAULT_EXPANSION, expandDocument } from '../native/rank/neighbour-expansion.js';
import { bm25, DEFAULT_BUDGET } from '../native/rank/bm25.js';
import { DOCUMENT_INPUT, rankDocuments, settingsFor, SHORT_INPUT } from '../native/rank/rank.js';
import { MemoryTermIndex } from '../native/rank/term-index.js';
import { SHARED } from '../test/support/generated-models.js';
import { readJsonl } from './lab-metrics.js';

const { values } = parseArgs({ options: { chunks: { type: 'string', default: '100000' }, rank: { type: 'string' } } });
const target = Number(values.chunks);
const lsaSettings = { ...DEFAULT_LSA, ...(values.rank ? { rank: Number(values.rank) } : {}) };

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const work = mkdtempSync(join(tmpdir(), 'hindsight-rank-scale-'));
try {
  const docs = await writeSyntheticCorpus(work, target);
  let passageId = 0;
  const index = new MemoryTermIndex();
  const analyseStart = performance.now();
  for (const [id, name] of readdirSync(work).sort().entries()) {
    const { body } = splitFrontMatter(readFileSync(join(work, name), 'utf8'));
    const title = /^# (.+)$/m.exec(body)?.[1] ?? name;
    const passages = chunkMarkdown(body).map((c) => ({ id: ++passageId, heading: c.heading, text: c.text }));
    index.put(analyseDocument({ id: id + 1, title, passages }));
  }
  const analyseMs = performance.now() - analyseStart;
  console.log(`Synthetic corpus: ${docs} documents, ${index.count('passage')} passages.`);
  console.log(`  analyse + index put: ${(analyseMs / docs).toFixed(2)} ms per document (${(analyseMs / 1000).toFixed(1)} s in all)`);

  // Expansion: per document, one bounded query plus its neighbours' salient terms.
  const sample = Array.from({ length: 200 }, (_, i) => 1 + Math.floor((i * docs) / 200));
  const expandTimes: number[] = [];
  for (const d of sample) {
    const c = process.cpuUsage();
    const e = expandDocument(index, d, DEFAULT_EXPANSION);
    index.setExpansion(d, e.terms);
    const u = process.cpuUsage(c);
    expandTimes.push((u.user + u.system) / 1000);
  }
  console.log(`  neighbour expansion (CPU): p50 ${pct(expandTimes, 0.5).toFixed(1)} ms, p95 ${pct(expandTimes, 0.95).toFixed(1)} ms per document (200 sampled)`);

  // LSA: units first (the store would stream them), then training alone is timed and measured.
  const units: Array<{ id: number; doc: number; terms: Map<string, number> }> = [];
  for (const doc of index.documents()) for (const id of index.passagesOf(doc)) units.push({ id, doc, terms: unitTerms(index.passageTerms(id)!) });
  global.gc?.();
  const before = { rss: rssMb(), peak: peakRssMb() };
  const trainStart = performance.now();
  const cpuStart = process.cpuUsage();
  const model = LsaModel.train(units, lsaSettings);
  const trainMs = performance.now() - trainStart;
  const cpu = process.cpuUsage(cpuStart);
  const trainCpuMs = (cpu.user + cpu.system) / 1000;
  const after = peakRssMb();
  console.log(`  LSA training (rank ${model.rank}, vocabulary ${model.vocabulary.size}, ${units.length} passages, ${Math.min(units.length, lsaSettings.maxTrainingUnits)} sampled): ${(trainMs / 1000).toFixed(1)} s wall, ${(trainCpuMs / 1000).toFixed(1)} s CPU; peak RSS ${after.toFixed(0)} MB (before: RSS ${before.rss.toFixed(0)} MB, peak ${before.peak.toFixed(0)} MB; training added at most ${Math.max(0, after - before.rss).toFixed(0)} MB)`);
  const foldStart = performance.now();
  const scorer = new LsaScorer(model);
  for (const u of units) scorer.set(u.id, u.doc, u.terms);
  console.log(`  LSA passage vectors: ${((performance.now() - foldStart) / units.length * 1000).toFixed(1)} µs per passage; ${(units.length * model.rank * 4 / 2 ** 20).toFixed(0)} MB as float32`);

  // Ranking: the shipped budget against an unbounded one, for cost and for what the budget changes.
  const queries = readJsonl(join(SHARED, 'eval', 'new-incidents.jsonl')).map((q) => q.query!);
  const writeups = readdirSync(work).slice(0, 45).map((f) => readFileSync(join(work, f), 'utf8'));
  const unbounded = { ...DEFAULT_BUDGET, perTerm: Number.MAX_SAFE_INTEGER, perPass: Number.MAX_SAFE_INTEGER };
  // Warm-up: the memory index sorts a long posting list by frequency on first use (a SQLite index is kept sorted).
  for (const t of [...queries, ...writeups]) rankDocuments(index, t, settingsFor(t), { latent: scorer });
  for (const [name, settings, texts] of [['short input', SHORT_INPUT, queries], ['document input', DOCUMENT_INPUT, writeups]] as const) {
    const times: number[] = [];
    const reads: number[] = [];
    const overlap: number[] = [];
    let fullTime = 0;
    let fullReads = 0;
    const cpu: number[] = [];
    for (const text of texts) {
      const t = performance.now();
      const c = process.cpuUsage();
      const r = rankDocuments(index, text, settings, { latent: scorer });
      times.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
      reads.push(r.postingsRead);
      const t2 = performance.now();
      const full = rankDocuments(index, text, { ...settings, budget: unbounded }, { latent: scorer });
      fullTime += performance.now() - t2;
      fullReads += full.postingsRead;
      const top = new Set(full.documents.slice(0, 10).map((d) => d.id));
      overlap.push(r.documents.slice(0, 10).filter((d) => top.has(d.id)).length / Math.max(1, top.size));
    }
    console.log(`  rank (${name}, ${texts.length} inputs): wall p50 ${pct(times, 0.5).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms; CPU p50 ${pct(cpu, 0.5).toFixed(1)} ms, p95 ${pct(cpu, 0.95).toFixed(1)} ms; postings read p50 ${pct(reads, 0.5)}, max ${Math.max(...reads)}`);
    // Where the time goes: the scorer's passes and the latent scan, for the final query.
    const parts = { document: 0, passage: 0, latent: 0 };
    for (const text of texts) {
      const q = rankDocuments(index, text, settings, { latent: scorer }).query;
      for (const level of ['document', 'passage'] as const) {
        const c = process.cpuUsage();
        bm25(index, q, level, settings.bm25, settings.budget);
        const d = process.cpuUsage(c);
        parts[level] += (d.user + d.system) / 1000 / texts.length;
      }
      const c = process.cpuUsage();
      scorer.similarities(q);
      const d = process.cpuUsage(c);
      parts.latent += (d.user + d.system) / 1000 / texts.length;
    }
    console.log(`    one pass, CPU mean: document level ${parts.document.toFixed(1)} ms, passage level ${parts.passage.toFixed(1)} ms, latent scan ${parts.latent.toFixed(1)} ms`);
    console.log(`    unbounded budget: mean ${(fullTime / texts.length).toFixed(1)} ms, ${Math.round(fullReads / texts.length)} postings; top-10 overlap with it: mean ${(overlap.reduce((a, b) => a + b, 0) / overlap.length).toFixed(2)}, min ${Math.min(...overlap).toFixed(2)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
