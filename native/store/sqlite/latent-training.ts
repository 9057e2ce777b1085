/**
 * Training the corpus latent model (LSA) where the rows are: in a worker thread that opens the
 * database file read-only and reads the passages' term rows itself, so that training (seconds to
 * a minute of dense arithmetic) never holds up the engine's event loop, a cancel stops it at once
 * (the worker is terminated), and nothing is copied between threads but the trained arrays.
 */
import type Database from 'better-sqlite3';
import { HindsightError } from '../../common/errors.js';
import { spawnWorker } from '../../common/spawn-worker.js';
import { LsaModel, type LsaParts, type LsaSettings, type LsaUnit } from '../../rank/lsa.js';
import type { LatentModelWrite, LatentTrainingProgress } from '../store.js';
import { decodeTerms } from './term-blobs.js';

export interface TrainingInput {
  path: string;
  settings: LsaSettings;
  nativeBinding?: string;
}

export type TrainingMessage =
  | { type: 'progress'; progress: LatentTrainingProgress }
  | { type: 'done'; parts: LsaParts; trainedThrough: number }
  | { type: 'failed'; message: string };

/**
 * Every passage's own terms (title, heading and text frequencies summed, as LSA reads them), read
 * in one snapshot. A unit decodes its blob when training asks for it: training samples at most
 * `maxTrainingUnits` and reads each of those twice, so decoding on demand keeps no maps alive.
 */
export function readTrainingUnits(db: Database.Database, onProgress?: (p: LatentTrainingProgress) => void): { units: LsaUnit[]; trainedThrough: number } {
  const vocabulary: string[] = [];
  for (const [id, term] of db.prepare('SELECT id, term FROM rank_vocabulary').raw().iterate() as IterableIterator<[number, string]>) vocabulary[id] = term;
  const total = (db.prepare('SELECT count(*) FROM rank_passages').pluck().get() as number) ?? 0;
  const units: LsaUnit[] = [];
  let trainedThrough = 0;
  for (const [id, blob] of db.prepare('SELECT passage_id, terms FROM rank_passages ORDER BY passage_id').raw().iterate() as IterableIterator<[number, Buffer]>) {
    trainedThrough = id;
    units.push({
      get terms() {
        const t = decodeTerms(blob);
        const m = new Map<string, number>();
        for (let k = 0; k < t.ids.length; k++) {
          const term = vocabulary[t.ids[k]!];
          const tf = t.tf[k * 3]! + t.tf[k * 3 + 1]! + t.tf[k * 3 + 2]!;
          if (term !== undefined && tf > 0) m.set(term, tf);
        }
        return m;
      },
    });
    if (units.length % 10_000 === 0) onProgress?.({ phase: 'reading', done: units.length, total });
  }
  onProgress?.({ phase: 'reading', done: units.length, total });
  return { units, trainedThrough };
}

/** Reads and trains in one go (the worker's body; also the in-process path for a database in memory). */
export function trainFrom(db: Database.Database, settings: LsaSettings, onProgress?: (p: LatentTrainingProgress) => void): { parts: LsaParts; trainedThrough: number } | null {
  const { units, trainedThrough } = db.transaction(() => readTrainingUnits(db, onProgress))();
  if (!units.length) return null;
  const model = LsaModel.train(units, settings, (step) => onProgress?.({ phase: step.phase, done: step.done, total: step.total }));
  return { parts: model.parts(), trainedThrough };
}

/** Trains in a worker over the database file at `path`; rejects with `cancelled` when `signal` aborts. */
export function trainInWorker(path: string, settings: LsaSettings, o: { onProgress?: (p: LatentTrainingProgress) => void; signal?: AbortSignal } = {}): Promise<LatentModelWrite | null> {
  const cancelled = () => new HindsightError('cancelled', 'Training the corpus model was cancelled.');
  if (o.signal?.aborted) return Promise.reject(cancelled());
  const input: TrainingInput = { path, settings, nativeBinding: process.env.HINDSIGHT_SQLITE_BINDING || undefined };
  const worker = spawnWorker(new URL('./latent-training-worker.js', import.meta.url), input);
  return new Promise<LatentModelWrite | null>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', abort);
      void worker.terminate();
      fn();
    };
    const abort = () => settle(() => reject(cancelled()));
    o.signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (m: TrainingMessage) => {
      if (m.type === 'progress') o.onProgress?.(m.progress);
      else if (m.type === 'done') settle(() => resolve({ model: LsaModel.restore(m.parts), settings, trainedThrough: m.trainedThrough }));
      else settle(() => reject(new HindsightError('internal', `Training the corpus model failed: ${m.message}`)));
    });
    worker.on('error', (err) => settle(() => reject(new HindsightError('internal', `Training the corpus model failed: ${err.message}`))));
    worker.on('exit', (code) => settle(() => (code === 0 ? resolve(null) : reject(new HindsightError('internal', `The corpus model's training stopped (exit code ${code}).`)))));
  });
}
