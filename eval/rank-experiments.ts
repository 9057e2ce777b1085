/**
 * `npx tsx eval/rank-experiments.ts [--db PATH] [--misses] [--only NAME]`: the record of the
 * issue-11 experiments on the engine's real ranker (EngineRanker over the SQLite statistics).
 * Each variant is one general change (no rule names a judged document or query), scored on the
 * odd new-incident queries (tuning half), the even ones (held out) and all 40, with recall@10,
 * plus recurrence.jsonl and the exact-event queries (eval/symptoms.jsonl), which must not fall.
 *
 * --misses: the error analysis — each grade-2 document outside the top 10, with its rank, length,
 * the share of the query's salient weight it holds (coverage) and what its failure-mode labels
 * (../shared/eval/corpus-failure-modes.tsv) share with the documents that were found.
 * --db: keep the imported corpus between runs (it is imported when the file is new).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelSearchFromEnv } from '../native/embed/model-locator.js';
import { Engine } from '../native/engine.js';
import { coverage } from '../native/rank/confidence.js';
import { EngineRanker, type EngineRankerOptions } from '../native/rank/engine-ranker.js';
import type { RankRequest } from '../native/rank/ranker.js';
import { textInput } from '../native/similar/read-input.js';
import { parseInput } from '../native/service/validation.js';
import { CORPUS, SHARED } from '../test/support/generated-models.js';
import { isNovel, meanMeasures, measure, type Judged, type Measures } from './lab-metrics.js';
import { corpusPaths, markdownFiles, newIncidents, recurrence, symptoms } from './ranking-lab.js';
import type { Variant } from './rank-variants.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dbArg = arg('--db');
const only = arg('--only');
const work = dbArg ? null : mkdtempSync(join(tmpdir(), 'hindsight-exp-'));
const dbPath = dbArg ?? join(work!, 'eval.db');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');

const fresh = !existsSync(dbPath);
const engine = await Engine.open({ dbPath, models: { ...modelSearchFromEnv(), roots: [] } });
if (fresh) {
  const files = markdownFiles(join(CORPUS, 'postmortems'));
  await engine.import(parseInput('startImport', { paths: files }));
}
await engine.corpusModelIdle();

const { idByPath, pathById } = corpusPaths(engine.dbPath, CORPUS);
const db = new Database(engine.dbPath, { readonly: true });
const passagesOf = new Map<number, number>();
for (const r of db.prepare('SELECT document_id AS d, count(*) AS n FROM chunks GROUP BY document_id').all() as Array<{ d: number; n: number }>) passagesOf.set(r.d, r.n);
db.close();

const requests = new Map<string, RankRequest>();
async function requestOf(q: Judged): Promise<RankRequest> {
  let r = requests.get(q.qid);
  if (r) return r;
  if (!q.query_doc) r = { text: q.query!, passages: [], exclude: new Set<number>(), limit: 50 };
  else {
    const id = idByPath.get(q.query_doc)!;
    const doc = (await engine.store.documents.withBody(id))!;
    const passages = await engine.store.passages.ofDocuments([id]);
    r = { text: doc.body, passages: passages.map((p) => ({ text: p.text, role: p.role })), exclude: new Set([id]), limit: 50 };
  }
  requests.set(q.qid, r);
  return r;
}

type Ranker = (q: Judged) => Promise<string[]>;
// The input's failure modes as the engine reads them (Engine builds its ranker with the same), at a share of the threshold.
const failureModesAt = (share: number) => (text: string) =>
  textInput(text, { ...engine.taxonomy, threshold: engine.taxonomy.threshold * share }).fields.failureModes.map((m) => ({ id: m.value, score: m.score }));
const through = (o: EngineRankerOptions): Ranker => {
  const ranker = new EngineRanker(engine.store, async () => null, { failureModes: failureModesAt(1), ...o });
  return async (q) => (await ranker.rank(await requestOf(q))).documents.map((d) => pathById.get(d.documentId)!);
};

const groups = [...new Set(recurrence.map((q) => q.qid.replace(/-\d+$/, '')))];
function fold(q: Judged, i: number): 'odd' | 'even' {
  const n = /^ni-(\d+)$/.exec(q.qid);
  if (n) return Number(n[1]) % 2 ? 'odd' : 'even';
  if (q.query_doc) return (groups.indexOf(q.qid.replace(/-\d+$/, '')) + 1) % 2 ? 'odd' : 'even';
  return (i + 1) % 2 ? 'odd' : 'even';
}

interface Scores { odd: Measures; even: Measures; all: Measures; per: Map<string, { m: Measures; top: string[] }> }
async function score(ranker: Ranker, set: readonly Judged[]): Promise<Scores> {
  const halves = { odd: [] as Measures[], even: [] as Measures[] };
  const per = new Map<string, { m: Measures; top: string[] }>();
  for (const [i, q] of set.entries()) {
    if (isNovel(q)) continue;
    const skip = new Set([q.query_doc, ...(q.exclude ?? [])]);
    const ranking = (await ranker(q)).filter((p) => p && !skip.has(p));
    const m = measure(ranking, q.relevant);
    halves[fold(q, i)].push(m);
    per.set(q.qid, { m, top: ranking });
  }
  return { odd: meanMeasures(halves.odd), even: meanMeasures(halves.even), all: meanMeasures([...halves.odd, ...halves.even]), per };
}

async function report(variants: readonly Variant[]) {
  console.log(`${'variant'.padEnd(58)} ${'odd'.padStart(6)} ${'even'.padStart(6)} ${'all'.padStart(6)} ${'R@10'.padStart(6)} ${'MRR'.padStart(6)} | ${'rec'.padStart(6)} ${'odd'.padStart(6)} ${'even'.padStart(6)} ${'R@10'.padStart(6)} | ${'exact'.padStart(6)} | ${'sy'.padStart(5)} ${'ca'.padStart(5)} ${'sl'.padStart(5)}`);
  for (const v of variants) {
    if (only && !v.name.includes(only)) continue;
    const r = through(v.options);
    const ni = await score(r, newIncidents);
    const rec = await score(r, recurrence);
    const ex = await score(r, symptoms);
    const style = (s: string) => meanMeasures(newIncidents.filter((q) => q.style === s && ni.per.has(q.qid)).map((q) => ni.per.get(q.qid)!.m)).ndcg;
    console.log(`${v.name.padEnd(58)} ${f3(ni.odd.ndcg).padStart(6)} ${f3(ni.even.ndcg).padStart(6)} ${f3(ni.all.ndcg).padStart(6)} ${f3(ni.all.recall).padStart(6)} ${f3(ni.all.mrr).padStart(6)} | ${f3(rec.all.ndcg).padStart(6)} ${f3(rec.odd.ndcg).padStart(6)} ${f3(rec.even.ndcg).padStart(6)} ${f3(rec.all.recall).padStart(6)} | ${f3(ex.all.ndcg).padStart(6)} | ${['symptom', 'cause', 'slack'].map((s) => f3(style(s)).slice(1).padStart(5)).join(' ')}`);
  }
}

/** Failure-mode labels of the corpus (../shared/eval/corpus-failure-modes.tsv): for the error analysis only. */
const labels = new Map<string, string[]>();
for (const line of readFileSync(join(SHARED, 'eval', 'corpus-failure-modes.tsv'), 'utf8').split('\n')) {
  const [path, modes] = line.split('\t');
  if (path && modes) labels.set(path, modes.split(','));
}

async function misses() {
  const ranker = new EngineRanker(engine.store, async () => null, { failureModes: failureModesAt(1) });
  const index = await engine.store.ranking.termIndex();
  const found: number[] = [];
  const missed: number[] = [];
  const missedLen: number[] = [];
  const foundLen: number[] = [];
  for (const q of newIncidents) {
    if (isNovel(q)) continue;
    const r = await ranker.rank(await requestOf(q));
    const ids = r.documents.map((d) => d.documentId);
    const top = ids.slice(0, 10).map((id) => pathById.get(id)!);
    const lines: string[] = [];
    const input = (await import('../native/rank/query-terms.js')).inputTerms(index, q.query!, 48);
    for (const [path, grade] of Object.entries(q.relevant)) {
      const id = idByPath.get(path)!;
      const rank = ids.indexOf(id) + 1;
      const cov = coverage(index, input, id);
      (rank && rank <= 10 ? found : missed).push(cov);
      (rank && rank <= 10 ? foundLen : missedLen).push(passagesOf.get(id) ?? 0);
      if (!(rank && rank <= 10)) lines.push(`    miss g${grade} rank ${rank || '-'} cov ${cov.toFixed(2)} psg ${passagesOf.get(id)} [${labels.get(path)?.join(',')}] ${path}`);
    }
    const wrong = top.filter((p) => !q.relevant[p]).map((p) => `[${labels.get(p)?.join(',')}]`);
    const m = measure(top, q.relevant);
    if (lines.length) console.log(`${q.qid} ${q.style} nDCG ${m.ndcg.toFixed(2)} R ${m.recall.toFixed(2)} ranks ${Object.entries(q.relevant).map(([p, g]) => `${g}:${ids.indexOf(idByPath.get(p)!) + 1 || '-'}`).join(' ')}: ${q.query!.slice(0, 110).replace(/\n/g, ' ')}\n${lines.join('\n')}\n    unjudged in top 10: ${wrong.join(' ')}`);
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  console.log(`\njudged docs found in top 10: ${found.length}, coverage mean ${avg(found).toFixed(3)}, passages mean ${avg(foundLen).toFixed(1)}`);
  console.log(`judged docs missed:          ${missed.length}, coverage mean ${avg(missed).toFixed(3)}, passages mean ${avg(missedLen).toFixed(1)}`);
}

try {
  if (process.argv.includes('--misses')) await misses();
  else {
    const { variants } = await import('./rank-variants.js');
    await report(variants({ failureModesAt }));
  }
} finally {
  await engine.close();
  if (work) rmSync(work, { recursive: true, force: true });
}
