/**
 * `npm run bench -- --only costs`: what the one door, the store layer and incident records cost,
 * each against its floor measured in the same run (ratios; absolute times on a shared machine are
 * noise). Lexical mode, on the synthetic corpus (real postmortem sentences recombined).
 *
 *  - incident records: import with them vs the same import with incident building switched off
 *    (target: < 15 % more import time);
 *  - the door: search and similar through EngineService.invoke (parse, handler table, timeout)
 *    vs the same engine called directly, pair by pair (bench/door.ts; target: < 5 %);
 *  - search while an import runs in the same engine (target: p95 < 100 ms);
 *  - similar p95 (target < 300 ms) and patterns over every incident.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../native/engine.js';
import { EngineService } from '../native/service/engine-service.js';
import { parseInput } from '../native/service/validation.js';
import { benchDoor, DOOR_QUERIES } from './door.js';
import { median, p95 } from './stats.js';
import { writeSyntheticCorpus } from './synthetic.js';

const NO_MODEL = { roots: [] as string[], preferred: 'gte-small', allowUnverified: false };

function line(label: string, value: string) {
  console.log(`  ${label.padEnd(52)} ${value}`);
}


export async function benchCosts(work: string, chunks: number, queries: string[] | null = null): Promise<void> {
  console.log(`\nD. Costs of the door, the store and incident records: synthetic corpus of ${chunks.toLocaleString()} passages, lexical`);
  const corpus = join(work, 'costs-corpus');
  mkdirSync(corpus, { recursive: true });
  const docs = await writeSyntheticCorpus(corpus, chunks);

  // Incident records: the same import, with and without them (twice each, alternating).
  // Wall time and the process's CPU time (every thread: the incident worker included). On a shared
  // machine the CPU ratio is the fair one: wall time also counts other processes' load.
  const runs: Record<'with' | 'without', number[]> = { with: [], without: [] };
  const cpu: Record<'with' | 'without', number[]> = { with: [], without: [] };
  for (const mode of ['without', 'with', 'without', 'with'] as const) {
    const db = join(work, `costs-${mode}-${runs[mode].length}.db`);
    const e = await Engine.open({ dbPath: db, models: NO_MODEL });
    if (mode === 'without') {
      e.incidents.recordWritten = async () => {};
      e.incidents.settle = async () => {};
    }
    const t = performance.now();
    const c = process.cpuUsage();
    await e.import(parseInput('startImport', { paths: [corpus] }));
    await e.close();
    const used = process.cpuUsage(c);
    runs[mode].push(performance.now() - t);
    cpu[mode].push((used.user + used.system) / 1000);
  }
  const withMs = Math.min(...runs.with);
  const withoutMs = Math.min(...runs.without);
  line(`import of ${docs.toLocaleString()} documents, without incident records`, `${(withoutMs / 1000).toFixed(1)} s (best of 2)`);
  line('the same with incident records', `${(withMs / 1000).toFixed(1)} s: ×${(withMs / withoutMs).toFixed(3)} (target < ×1.15)`);
  const withCpu = Math.min(...cpu.with);
  const withoutCpu = Math.min(...cpu.without);
  line('CPU time (all threads), without / with incident records', `${(withoutCpu / 1000).toFixed(1)} / ${(withCpu / 1000).toFixed(1)} CPU-s: ×${(withCpu / withoutCpu).toFixed(3)} (the target is on wall time, above: extraction runs in a worker on the other core)`);

  // The door against the engine behind it, on the database that has incidents (bench/door.ts).
  const dbPath = join(work, 'costs-with-1.db');
  const events: string[] = [];
  const service = await EngineService.open({ dbPath, shell: 'browser', version: 'bench', models: NO_MODEL, eager: true }, (e) => events.push(e));
  const qs = queries ?? DOOR_QUERIES;
  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  // The first call loads what the engine keeps warm (term statistics, the corpus model): reported on its own.
  const cold = await timed(() => service.invoke('similar', { text: `${qs[0]!} again, for the second time this month`, limit: 10 }));
  const warm: number[] = [];
  await benchDoor(service, qs, { rounds: 6, line, similarWall: warm });
  line('similar p50 / p95, warm (through the door)', `${median(warm).toFixed(0)} / ${p95(warm).toFixed(0)} ms (target p95 < 300 ms)`);
  line('the first similar after opening (cold)', `${cold.toFixed(0)} ms`);

  // Search while an import of more documents runs in the same engine.
  const more = join(work, 'costs-more');
  mkdirSync(more, { recursive: true });
  await writeSyntheticCorpus(more, Math.max(2_000, Math.round(chunks / 5)));
  const quiet: number[] = [];
  for (const q of qs) quiet.push(await timed(() => service.invoke('search', { query: q, limit: 20 })));
  const started = await service.invoke('startImport', { paths: [more] });
  const busy: number[] = [];
  let i = 0;
  while (!events.includes('importDone') && busy.length < 2_000) {
    busy.push(await timed(() => service.invoke('search', { query: qs[i++ % qs.length]!, limit: 20 })));
    await new Promise((r) => setTimeout(r, 20));
  }
  void started;
  line(`search with an import running (${busy.length} searches)`, `p50 ${median(busy).toFixed(1)} ms, p95 ${p95(busy).toFixed(1)} ms (target p95 < 100 ms; idle p95 ${p95(quiet).toFixed(1)} ms)`);

  const t = performance.now();
  const c = process.cpuUsage();
  const pr = await service.invoke('patterns', { limit: 30 });
  const used = process.cpuUsage(c);
  line(
    `patterns over ${pr.incidents.toLocaleString()} incidents`,
    `${((performance.now() - t) / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} CPU-s, ${pr.patterns.length} themes (target < 10 s at 10,000)`,
  );
  await service.close();
}
