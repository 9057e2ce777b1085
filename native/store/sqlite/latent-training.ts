/**
 * Training the corpus latent model (LSA) where the rows are: in a worker thread that opens the
 * database file read-only and reads the passages' term rows itself, so that training (seconds to
 * a minute of dense arithmetic) never holds up the engine's event loop, a cancel stops it at once
 * (the worker is terminated), and nothing is copied between threads but the trained arrays.
 */
import type Database from 'better-sqlite3';
import { HindsightError } from '../../common/errors.js';
import { spawnWorker } from '../../common/spawn-worker.js';
import { LsaModel, trainingSample, type LsaParts, type LsaSettings, type LsaUnit } from '../../rank/lsa.js';
import type { LatentModelWrite, LatentTrainingProgress } from '../store.js';
import { decodeTerms } from './term-blobs.js';

export interface TrainingInput {
  path: string;
  settings: LsaSettings;
}

export interface TrainedVectors {
  ids: Int32Array;
  docs: Int32Array;
  values: Float32Array;
}

export type TrainingMessage =
  | { type: 'progress'; progress: LatentTrainingProgress }
  | { type: 'done'; parts: LsaParts; trainedThrough: number; vectors: TrainedVectors }
  | { type: 'failed'; message: string };

/** A passage's own terms as LSA reads them: title, heading and text frequencies summed. */
function summedTerms(blob: Buffer): { ids: Int32Array; tfs: Float64Array } {
  const t = decodeTerms(blob);
  return { ids: t.ids, tfs: Float64Array.from(t.ids, (_, k) => t.tf[k * 3]! + t.tf[k * 3 + 1]! + t.tf[k * 3 + 2]!) };
}

/** Stands for a passage training does not sample: LsaModel.train counts it and never reads it. */
const UNSAMPLED: LsaUnit = { terms: new Map() };

/**
 * The passages to train on, in one snapshot: every passage counts, but only the ones
 * `trainingSample` picks (at most `maxTrainingUnits`) keep their term rows in memory, decoded when
 * training asks (it reads each twice). Memory is bounded by the sample, not by the corpus.
 */
export function readTrainingUnits(db: Database.Database, settings: LsaSettings, onProgress?: (p: LatentTrainingProgress) => void): { units: LsaUnit[]; trainedThrough: number; vocabulary: string[] } {
  const vocabulary: string[] = [];
  for (const [id, term] of db.prepare('SELECT id, term FROM rank_vocabulary').raw().iterate() as IterableIterator<[number, string]>) vocabulary[id] = term;
  const total = (db.prepare('SELECT count(*) FROM rank_passages').pluck().get() as number) ?? 0;
  const sampled = trainingSample(total, settings);
  const units: LsaUnit[] = [];
  let trainedThrough = 0;
  let next = 0;
  for (const [id, blob] of db.prepare('SELECT passage_id, terms FROM rank_passages ORDER BY passage_id').raw().iterate() as IterableIterator<[number, Buffer]>) {
    trainedThrough = id;
    if (sampled[next] !== units.length) units.push(UNSAMPLED);
    else {
      next++;
      units.push({
        get terms() {
          const t = summedTerms(blob);
          const m = new Map<string, number>();
          for (let k = 0; k < t.ids.length; k++) {
            const term = vocabulary[t.ids[k]!];
            if (term !== undefined && t.tfs[k]! > 0) m.set(term, t.tfs[k]!);
          }
          return m;
        },
      });
    }
    if (units.length % 10_000 === 0) onProgress?.({ phase: 'reading', done: units.length, total });
  }
  onProgress?.({ phase: 'reading', done: units.length, total });
  return { units, trainedThrough, vocabulary };
}

/**
 * Reads, trains, and projects every passage read (their vectors are stored with the model): the
 * worker's body, and the in-process path for a database in memory. The projection reads the rows
 * a second time, streaming (a passage removed meanwhile is left out; saveLatent checks again).
 */
export function trainFrom(db: Database.Database, settings: LsaSettings, onProgress?: (p: LatentTrainingProgress) => void): { parts: LsaParts; trainedThrough: number; vectors: TrainedVectors } | null {
  const { units, trainedThrough, vocabulary } = db.transaction(() => readTrainingUnits(db, settings, onProgress))();
  if (!units.length) return null;
  const model = LsaModel.train(units, settings, (step) => onProgress?.({ phase: step.phase, done: step.done, total: step.total }));
  const rowOf = Int32Array.from(vocabulary, (t) => (t === undefined ? -1 : model.rowOf(t)));
  const rank = model.rank;
  const n = units.length;
  units.length = 0;
  const vectors: TrainedVectors = { ids: new Int32Array(n), docs: new Int32Array(n), values: new Float32Array(n * rank) };
  let i = 0;
  db.transaction(() => {
    const rows = db.prepare('SELECT passage_id, document_id, terms FROM rank_passages WHERE passage_id <= ? ORDER BY passage_id').raw().iterate(trainedThrough) as IterableIterator<[number, number, Buffer]>;
    for (const [id, doc, blob] of rows) {
      if (i === n) break;
      const t = summedTerms(blob);
      vectors.ids[i] = id;
      vectors.docs[i] = doc;
      vectors.values.set(model.projectRows(Int32Array.from(t.ids, (x) => rowOf[x] ?? -1), t.tfs), i * rank);
      i++;
    }
  })();
  if (i < n) return { parts: model.parts(), trainedThrough, vectors: { ids: vectors.ids.slice(0, i), docs: vectors.docs.slice(0, i), values: vectors.values.slice(0, i * rank) } };
  return { parts: model.parts(), trainedThrough, vectors };
}

/** Trains in a worker over the database file at `path`; rejects with `cancelled` when `signal` aborts. */
export function trainInWorker(path: string, settings: LsaSettings, o: { onProgress?: (p: LatentTrainingProgress) => void; signal?: AbortSignal } = {}): Promise<LatentModelWrite | null> {
  const cancelled = () => new HindsightError('cancelled', 'Training the corpus model was cancelled.');
  if (o.signal?.aborted) return Promise.reject(cancelled());
  const input: TrainingInput = { path, settings };
  const worker = spawnWorker('store/sqlite/latent-training-worker', input);
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
      else if (m.type === 'done') settle(() => resolve({ model: LsaModel.restore(m.parts), settings, trainedThrough: m.trainedThrough, vectors: m.vectors }));
      else settle(() => reject(new HindsightError('internal', `Training the corpus model failed: ${m.message}`)));
    });
    worker.on('error', (err) => settle(() => reject(new HindsightError('internal', `Training the corpus model failed: ${err.message}`))));
    worker.on('exit', (code) => settle(() => (code === 0 ? resolve(null) : reject(new HindsightError('internal', `The corpus model's training stopped (exit code ${code}).`)))));
  });
}
