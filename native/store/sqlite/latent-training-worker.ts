/** The worker of latent-training.ts: opens the database read-only, trains, posts the arrays back. */
import { parentPort, workerData } from 'node:worker_threads';
import { Database, sqliteBinding } from './better-sqlite3.js';
import { trainFrom, type TrainingInput, type TrainingMessage } from './latent-training.js';

const input = workerData as TrainingInput;
const post = (m: TrainingMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);
try {
  const db = new Database(input.path, { readonly: true, fileMustExist: true, ...sqliteBinding() });
  try {
    const result = trainFrom(db, input.settings, (progress) => post({ type: 'progress', progress }));
    if (result) {
      const { parts } = result;
      const { vectors } = result;
      const transfer = [parts.idf.buffer, parts.basis.buffer, parts.singularValues.buffer, vectors.ids.buffer, vectors.docs.buffer, vectors.values.buffer] as ArrayBuffer[];
      post({ type: 'done', parts, trainedThrough: result.trainedThrough, vectors }, transfer);
    } else post({ type: 'failed', message: 'there are no passages to train on' });
  } finally {
    db.close();
  }
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
}
