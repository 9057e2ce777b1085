/**
 * Incident-field extraction off the importing thread: an import hands batches of records here
 * and goes on reading and writing the next ones while their fields are extracted (pure CPU work).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { extractRecordFields } from './extract.js';
import { loadTaxonomy } from './taxonomy.js';
import type { IncidentRecord } from './types.js';

const taxonomy = loadTaxonomy({ extraFiles: (workerData as { taxonomyFiles: string[] }).taxonomyFiles });
const port = parentPort!;
port.on('message', (m: { id: number; records: IncidentRecord[] }) => {
  try {
    port.postMessage({ id: m.id, fields: m.records.map((r) => extractRecordFields(r, taxonomy)) });
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error).message });
  }
});
port.postMessage({ ready: true });
