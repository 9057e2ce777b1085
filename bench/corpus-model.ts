/**
 * `npx tsx bench/bench.ts --only corpus-model [--sizes 25000,100000]`: what training the corpus
 * latent model (LSA) costs, each training in a process of its own so that its peak RSS is its own
 * (the engine trains in a worker thread, which shares the engine's process and its heap).
 *
 * Per size: a synthetic corpus (bench/synthetic.ts) imported lexically with term statistics (the
 * engine's own background training cancelled), then `trainFrom` — what the training worker runs —
 * over the database file in a child process: wall and CPU time, peak RSS against the same child's
 * RSS before training, passages projected. A bound on memory shows as peak RSS that does not grow
 * with the corpus beyond the stored vectors (rank × 4 bytes a passage).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Engine } from '../native/engine.js';
import { DEFAULT_LSA } from '../native/rank/lsa.js';
import { trainFrom } from '../native/store/sqlite/latent-training.js';
import { NO_MODEL } from '../test/support/generated-models.js';
import { writeSyntheticCorpus } from './synthetic.js';

export interface TrainingCost {
  passages: number;
  rank: number;
  wallS: number;
  cpuS: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

/** Trains over the database at `dbPath` in a new process (this file as its entry point) and returns what it cost. */
export function trainInOwnProcess(dbPath: string): TrainingCost {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--train', dbPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`training process failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TrainingCost;
}

export async function benchCorpusModel(work: string, sizes: number[]): Promise<void> {
  console.log(`\nM. Training the corpus model (LSA, rank ${DEFAULT_LSA.rank}, at most ${DEFAULT_LSA.maxTrainingUnits.toLocaleString()} passages sampled), each training in its own process`);
  for (const size of sizes) {
    const dir = join(work, `corpus-model-${size}`);
    mkdirSync(dir, { recursive: true });
    await writeSyntheticCorpus(join(dir, 'corpus'), size);
    const dbPath = join(dir, 'model.db');
    const engine = await Engine.open({ dbPath, models: NO_MODEL });
    const t = performance.now();
    const s = await engine.import({ paths: [join(dir, 'corpus')] });
    const importS = (performance.now() - t) / 1000;
    engine.cancelCorpusModel();
    await engine.corpusModelIdle();
    await engine.close();
    const c = trainInOwnProcess(dbPath);
    console.log(
      `  ${`${c.passages.toLocaleString()} passages (lexical import ${importS.toFixed(0)} s, ${s.documentsAdded} documents)`.padEnd(52)} ` +
        `train ${c.wallS.toFixed(1)} s wall, ${c.cpuS.toFixed(1)} s CPU (target < 60 s); peak RSS ${c.peakRssMb.toFixed(0)} MB, ` +
        `+${(c.peakRssMb - c.rssBeforeMb).toFixed(0)} MB over the ${c.rssBeforeMb.toFixed(0)} MB of the process before training (target < 1 GB; vectors ${((c.passages * c.rank * 4) / 2 ** 20).toFixed(0)} MB of it)`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

// The child: train once over the file, print the cost as one JSON line.
if (process.argv[2] === '--train') {
  const db = new Database(process.argv[3]!, { readonly: true, fileMustExist: true });
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
  const cpu = process.cpuUsage();
  const t = performance.now();
  const r = trainFrom(db, DEFAULT_LSA);
  const used = process.cpuUsage(cpu);
  db.close();
  const cost: TrainingCost = {
    passages: r?.vectors.ids.length ?? 0,
    rank: r?.parts.singularValues.length ?? 0,
    wallS: (performance.now() - t) / 1000,
    cpuS: (used.user + used.system) / 1e6,
    rssBeforeMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(cost));
}
