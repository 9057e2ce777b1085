/**
 * The incident-extraction worker only saves time: when it cannot start, or stops half-way, the
 * import still completes and every record gets its fields, extracted in the engine's thread.
 * (A worker that failed to start used to reject a promise nobody awaited, ending the process.)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestApi } from '../../support/api.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { fixtureWriter, tempDir } from '../../support/temp.js';

/** What the mocked worker does: fail while it starts, or answer "ready" and exit at the first batch. */
const behaviour = vi.hoisted(() => ({ mode: 'fails-to-start' as 'fails-to-start' | 'exits-at-first-batch', started: 0 }));

vi.mock('../../../native/common/spawn-worker.js', () => ({
  spawnWorker: () => {
    behaviour.started++;
    const code = behaviour.mode === 'fails-to-start'
      ? `throw new Error('Cannot find module extract-worker.js');`
      : `const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.once('message', () => process.exit(3));`;
    return new Worker(code, { eval: true });
  },
}));

const dir = tempDir();
const write = fixtureWriter(dir);

/** 24 write-ups (the worker takes batches of 16 or more), each an expired certificate on one service. */
function writeUps(folder: string): string {
  mkdirSync(join(dir, folder));
  for (let i = 0; i < 24; i++) {
    write(`${folder}/pm-${i}.md`, `# Certificate expired on payments-api-${i}\n\n## Summary\nThe TLS certificate of payments-api-${i} expired and every client handshake failed.\n\n## Root cause\nThe certificate was not renewed: the renewal job had been disabled.\n`);
  }
  return join(dir, folder);
}

describe('incident extraction when its worker thread fails', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  for (const mode of ['fails-to-start', 'exits-at-first-batch'] as const) {
    it(`extracts every record in the engine's thread when the worker ${mode.replace(/-/g, ' ')}`, async () => {
      behaviour.mode = mode;
      behaviour.started = 0;
      api = await TestApi.open({ dbPath: join(dir, `${mode}.db`), models: NO_MODEL });
      // Two imports: the second batch finds the worker already failed.
      const first = await api.import({ paths: [writeUps(`${mode}-a`)] });
      // Give a worker that exits on its first message time to have received one.
      await new Promise((r) => setTimeout(r, 200));
      const second = await api.import({ paths: [writeUps(`${mode}-b`)] });
      expect([first.status, second.status, first.documentsAdded + second.documentsAdded]).toEqual(['done', 'done', 48]);
      expect(behaviour.started).toBeGreaterThan(0);
      const rows = api.db.prepare('SELECT fields FROM record_fields').all() as Array<{ fields: string }>;
      expect(rows).toHaveLength(48);
      for (const r of rows) expect(JSON.parse(r.fields).failureModes.map((m: { value: string }) => m.value)).toContain('certificate-expiry');
    });
  }
});
