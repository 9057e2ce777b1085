/**
 * `npm run eval`: how well "similar past incidents" ranks, on
 *  - ../shared/eval/recurrence.jsonl: a whole postmortem as the query, its recurrences as the answer;
 *  - eval/symptoms.jsonl (ours): short symptom descriptions, as an on-call engineer would type them.
 * Prints nDCG@10 (gain 2^grade − 1), recall@10 and MRR of the first grade-2 document for the full
 * ranking, for plain BM25 search, and for each signal alone, so that every ranking change is measured.
 *
 * Semantic figures need a real model (HINDSIGHT_MODEL_DIR with verified weights); without one
 * the semantic signal is reported as not measured.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from '../native/engine.js';
import { parseInput } from '../native/service/validation.js';
import { parseQuery, toFtsQuery } from '../native/search/terms.js';
import { modelSearchFromEnv } from '../native/embed/model-locator.js';
import { CORPUS, SHARED } from '../test/support/generated-models.js';

interface Judged {
  qid: string;
  set: string;
  query_doc?: string;
  query?: string;
  relevant: Record<string, number>;
  exclude?: string[];
}

const readJsonl = (p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Judged);
const recurrence = readJsonl(join(SHARED, 'eval', 'recurrence.jsonl'));
const symptoms = readJsonl(new URL('./symptoms.jsonl', import.meta.url).pathname);

function metrics(ranking: string[], relevant: Record<string, number>) {
  const gains = ranking.slice(0, 10).map((p) => 2 ** (relevant[p] ?? 0) - 1);
  const dcg = gains.reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  const ideal = Object.values(relevant).sort((a, b) => b - a).slice(0, 10).reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  const rel = Object.keys(relevant);
  const found = ranking.slice(0, 10).filter((p) => relevant[p]).length;
  const first = ranking.findIndex((p) => relevant[p] === 2);
  return { ndcg: ideal ? dcg / ideal : 0, recall: rel.length ? found / rel.length : 0, mrr: first >= 0 ? 1 / (first + 1) : 0 };
}

const work = mkdtempSync(join(tmpdir(), 'hindsight-eval-'));
try {
  const models = modelSearchFromEnv();
  const engine = await Engine.open({ dbPath: join(work, 'eval.db'), models: { ...models, roots: process.env.HINDSIGHT_MODEL_DIR ? models.roots : [] } });
  const s = await engine.import(parseInput('startImport', { paths: [join(CORPUS, 'postmortems')] }));
  const idByPath = new Map<string, number>();
  const pathById = new Map<number, string>();
  const db = new Database(join(work, 'eval.db'), { readonly: true });
  for (const r of db.prepare('SELECT id, source FROM documents').all() as Array<{ id: number; source: string }>) {
    const rel = relative(CORPUS, r.source);
    idByPath.set(rel, r.id);
    pathById.set(r.id, rel);
  }
  const semantic = engine.semantic;
  console.log(`Imported ${s.documentsAdded} postmortems; mode: ${semantic ? `hybrid (${engine.modelStatus.state === 'ready' ? engine.modelStatus.name : ''})` : 'lexical (no model: semantic signal not measured)'}`);

  type Ranker = (q: Judged) => Promise<string[]>;
  const queryText = (q: Judged) => q.query ?? readFileSync(join(CORPUS, q.query_doc!), 'utf8');
  const similar = (weights?: { semantic: number; lexical: number; entities: number }): Ranker => async (q) => {
    const input = q.query_doc ? { id: idByPath.get(q.query_doc)! } : { text: q.query! };
    const r = await engine.similar(parseInput('similar', { ...input, limit: 50 }), weights ? { weights } : {});
    return r.incidents.flatMap((i) => i.incident.records.filter((x) => x.kind === 'postmortem').map((x) => pathById.get(x.documentId)!));
  };
  // Plain BM25: every distinct word of the query OR-ed, documents ranked by their best passage.
  const bm25: Ranker = async (q) => {
    const fts = toFtsQuery(parseQuery(queryText(q), 400));
    if (!fts) return [];
    const rows = db
      .prepare(
        `SELECT c.document_id AS d, min(f.s) AS s FROM (SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT 5000) f
         JOIN chunks c ON c.id = f.rowid GROUP BY c.document_id ORDER BY s LIMIT 50`,
      )
      .all(fts) as Array<{ d: number }>;
    return rows.map((r) => pathById.get(r.d)!);
  };
  const rankers: Array<[string, Ranker | null]> = [
    ['Hindsight similar (all signals)', similar()],
    ['plain BM25 (all query words)', bm25],
    ['  lexical signal alone', similar({ semantic: 0, lexical: 1, entities: 0 })],
    ['  entity signal alone', similar({ semantic: 0, lexical: 0, entities: 1 })],
    ['  semantic signal alone', semantic ? similar({ semantic: 1, lexical: 0, entities: 0 }) : null],
  ];
  for (const [setName, queries] of [['recurrence.jsonl (whole postmortem as query)', recurrence], ['symptoms.jsonl (short symptom descriptions)', symptoms]] as const) {
    console.log(`\n${setName}: ${queries.length} queries`);
    console.log(`  ${'ranking'.padEnd(34)} ${'nDCG@10'.padStart(8)} ${'recall@10'.padStart(10)} ${'MRR'.padStart(7)}`);
    for (const [name, ranker] of rankers) {
      if (!ranker) {
        console.log(`  ${name.padEnd(34)} ${'not measured: no model'.padStart(27)}`);
        continue;
      }
      let n = 0, r = 0, m = 0;
      for (const q of queries) {
        const skip = new Set([q.query_doc, ...(q.exclude ?? [])]);
        const ranking = (await ranker(q)).filter((p) => p && !skip.has(p));
        const x = metrics(ranking, q.relevant);
        n += x.ndcg;
        r += x.recall;
        m += x.mrr;
      }
      const k = queries.length;
      console.log(`  ${name.padEnd(34)} ${(n / k).toFixed(3).padStart(8)} ${(r / k).toFixed(3).padStart(10)} ${(m / k).toFixed(3).padStart(7)}`);
    }
  }
  db.close();
  await engine.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
