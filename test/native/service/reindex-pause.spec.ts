/**
 * Pausing and resuming the embedding job through the door, and what the model status lists: a
 * real database embedded by the generated model (texts sharing tokens get close vectors).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS } from '../../../native/embed/model-registry.js';
import { TestApi } from '../../support/api.js';
import { CORPUS, ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();

describe('the embedding job, paused and resumed', () => {
  let api: TestApi;
  beforeAll(async () => {
    const models = ensureTinyModel(join(dir, 'models'));
    api = await TestApi.open({ dbPath: join(dir, 'pause.db'), models: { roots: [models], preferred: 'gte-small', allowUnverified: true } });
  }, 60_000);
  afterAll(async () => api?.close());

  it('says it resumed a paused job, and that there was nothing to resume otherwise; the job then finishes', async () => {
    expect(await api.invoke('resumeReindex', {})).toEqual({ resumed: false });
    const postmortems = readdirSync(join(CORPUS, 'postmortems', 'dfds')).filter((f) => f.endsWith('.md')).sort().slice(0, 6);
    const done = new Promise<{ embedded: number; status: string }>((r) => {
      const off = api.on('indexDone', (d) => {
        off();
        r(d);
      });
    });
    // The import returns with its embedding job still running.
    await api.import({ paths: postmortems.map((f) => join(CORPUS, 'postmortems', 'dfds', f)) }, { background: true });
    expect(await api.invoke('pauseReindex', {})).toEqual({ paused: true });
    expect(await api.invoke('resumeReindex', {})).toEqual({ resumed: true });
    // Resumed once: a second resume has nothing to resume.
    expect(await api.invoke('resumeReindex', {})).toEqual({ resumed: false });
    const d = await done;
    expect(d.status).toBe('done');
    expect(d.embedded).toBeGreaterThan(0);
  });

  it('lists every model it knows with its size and dimensions', async () => {
    const status = await api.invoke('modelStatus', {});
    expect(status.known.map((m) => m.name)).toEqual(MODELS.map((m) => m.name));
    for (const m of status.known) {
      expect(m.dims).toBeGreaterThan(0);
      expect(m.bytes).toBeGreaterThan(1_000_000);
    }
    expect(status.known.find((m) => m.name === 'gte-small')?.dims).toBe(384);
  });
});
