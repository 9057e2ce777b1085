/**
 * The verdict table (`npx tsx eval/verdicts.ts`; also part of `npm run eval`): on
 * ../shared/eval/new-incidents.jsonl, the five queries with no grade-2 document must be called
 * novel (at most related), and at least 90% of the queries with two or more grade-2 documents
 * recurring or related.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VerdictLabel } from '../native/contract.js';
import { Engine } from '../native/engine.js';
import { parseInput } from '../native/service/validation.js';
import { CORPUS, SHARED } from '../test/support/generated-models.js';
import { readJsonl, type Judged } from './lab-metrics.js';

export async function verdictTable(engine: Engine, queries: Judged[]): Promise<{ lines: string[]; novelOk: boolean; precedentShare: number }> {
  const rows: Array<{ q: Judged; label: VerdictLabel; grade2: number }> = [];
  for (const q of queries) {
    const r = await engine.similar(parseInput('similar', { text: q.query!, limit: 10 }));
    rows.push({ q, label: r.verdict.label, grade2: Object.values(q.relevant).filter((g) => g === 2).length });
  }
  const count = (list: typeof rows, labels: VerdictLabel[]) => list.filter((r) => labels.includes(r.label)).length;
  const novel = rows.filter((r) => r.grade2 === 0);
  const withTwo = rows.filter((r) => r.grade2 >= 2);
  const withOne = rows.filter((r) => r.grade2 === 1);
  const lines = [
    `  ${'queries'.padEnd(34)} ${'n'.padStart(3)} ${'recurring'.padStart(10)} ${'related'.padStart(8)} ${'novel'.padStart(6)}`,
    ...[
      ['no grade-2 document (novel)', novel],
      ['one grade-2 document', withOne],
      ['two or more grade-2 documents', withTwo],
    ].map(([name, list]) => {
      const l = list as typeof rows;
      return `  ${(name as string).padEnd(34)} ${String(l.length).padStart(3)} ${String(count(l, ['recurring'])).padStart(10)} ${String(count(l, ['related'])).padStart(8)} ${String(count(l, ['novel', 'nothing-to-compare'])).padStart(6)}`;
    }),
  ];
  const novelOk = count(novel, ['recurring']) === 0;
  const precedentShare = withTwo.length ? count(withTwo, ['recurring', 'related']) / withTwo.length : 1;
  lines.push(`  novel queries called recurring: ${count(novel, ['recurring'])} (target 0); two-or-more queries recurring or related: ${(precedentShare * 100).toFixed(0)}% (target ≥ 90%)`);
  const wrong = rows.filter((r) => (r.grade2 === 0 && r.label === 'recurring') || (r.grade2 >= 2 && (r.label === 'novel' || r.label === 'nothing-to-compare')));
  if (wrong.length) lines.push(`  off target: ${wrong.map((r) => `${r.q.qid} (${r.q.style}, ${r.label})`).join(', ')}`);
  return { lines, novelOk, precedentShare };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = mkdtempSync(join(tmpdir(), 'hindsight-verdicts-'));
  try {
    const engine = await Engine.open({ dbPath: join(work, 'v.db'), models: { roots: [], preferred: 'gte-small', allowUnverified: false } });
    await engine.import(parseInput('startImport', { paths: [join(CORPUS, 'postmortems')] }));
    // As a user's database is a while after an import: the corpus model trained.
    await engine.corpusModelIdle();
    const { lines } = await verdictTable(engine, readJsonl(join(SHARED, 'eval', 'new-incidents.jsonl')));
    console.log('Verdicts on new-incidents.jsonl (lexical mode)');
    for (const l of lines) console.log(l);
    await engine.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
