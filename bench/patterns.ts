/**
 * `npm run bench -- --only patterns [--incidents N] [--keep DIR] [--dump FILE]`: patterns over
 * ~N incidents (default 10,000: the target's size), wall and CPU time. The costs section measures
 * patterns too, but after two 100k-passage imports; this one imports once, lexically, one
 * synthetic postmortem per incident (bench/synthetic.ts), and with --keep reuses that database on
 * the next run (the import is most of the time). --dump writes each theme's label, size and
 * incident ids (every theme, the whole result), to compare the output before and after a change to patterns.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../native/engine.js';
import { parseInput } from '../native/service/validation.js';
import { writeSyntheticCorpus } from './synthetic.js';

const NO_MODEL = { roots: [] as string[], preferred: 'gte-small', allowUnverified: false };
/** Sections per synthetic postmortem (writeSyntheticCorpus writes one passage per section). */
const SECTIONS = 10;

function line(label: string, value: string) {
  console.log(`  ${label.padEnd(52)} ${value}`);
}

export async function benchPatterns(work: string, incidents: number, keep?: string, dump?: string): Promise<void> {
  console.log(`\nP. Patterns over ~${incidents.toLocaleString()} incidents: synthetic postmortems (one incident each), lexical`);
  const dir = keep ?? work;
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, `patterns-${incidents}.db`);
  // Written once the import finished: a database an interrupted run left is built again.
  const done = `${dbPath}.done`;
  if (!existsSync(done)) {
    for (const f of readdirSync(dir)) if (f.startsWith(`patterns-${incidents}.db`)) rmSync(join(dir, f), { force: true });
    const corpus = join(work, 'patterns-corpus');
    const docs = await writeSyntheticCorpus(corpus, incidents * SECTIONS);
    const e = await Engine.open({ dbPath, models: NO_MODEL });
    const t = performance.now();
    await e.import(parseInput('startImport', { paths: [corpus] }));
    await e.close();
    writeFileSync(done, new Date().toISOString());
    line(`import of ${docs.toLocaleString()} documents (once${keep ? `, kept in ${keep}` : ''})`, `${((performance.now() - t) / 1000).toFixed(1)} s`);
  } else line('database', `${dbPath} (kept from an earlier run)`);

  const engine = await Engine.open({ dbPath, models: NO_MODEL, mode: 'read' });
  // Twice: the first run also warms what the engine loads once (taxonomy, statements); the second is the figure.
  let result: Awaited<ReturnType<Engine['patterns']>> | null = null;
  const runs: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    result = await engine.patterns(parseInput('patterns', { limit: 30 }));
    const used = process.cpuUsage(c);
    runs.push({ wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 });
  }
  // Every theme (not only the first 30), whole, for comparing before and after a change.
  const all = dump ? await engine.patterns({ minSize: 2, limit: 100_000 }) : null;
  await engine.close();
  const [cold, warm] = runs as [{ wall: number; cpu: number }, { wall: number; cpu: number }];
  line(`patterns over ${result!.incidents.toLocaleString()} incidents (first run)`, `${cold.wall.toFixed(2)} s wall, ${cold.cpu.toFixed(2)} CPU-s`);
  line('the same, second run', `${warm.wall.toFixed(2)} s wall, ${warm.cpu.toFixed(2)} CPU-s, ${result!.patterns.length} themes (target < 10 s at 10,000)`);
  if (all && dump) {
    writeFileSync(dump, JSON.stringify({ ...all, tookMs: undefined }, null, 1));
    line(`all ${all.patterns.length} themes written to`, dump);
  }
}
