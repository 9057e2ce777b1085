import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { CORPUS, ensureTinyModel } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const models = { roots: [ensureTinyModel(join(dir, 'models'))], preferred: 'gte-small', allowUnverified: true };
const TEXT = 'Target groups were detached from the load balancer during a deploy and traffic dropped.';

describe('similar scores candidate passages with vectors from memory', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.open({ dbPath: join(dir, 'mem.db'), models });
    await api.import({ paths: [join(CORPUS, 'postmortems/dfds')] });
  });
  afterAll(() => api.close());

  it('gives the same semantic scores after the stored vectors are overwritten behind its back', async () => {
    const before = await api.similar({ text: TEXT, limit: 5 });
    expect(before.mode).toBe('hybrid');
    const scores = before.incidents.map((i) => [i.incident.incidentId, i.score.semantic]);
    expect(scores.some(([, s]) => (s as number) > 0)).toBe(true);
    // Zero every stored vector in SQLite: reading them row by row would change every score.
    api.db.prepare('UPDATE chunks SET embedding = zeroblob(length(embedding)) WHERE embedding IS NOT NULL').run();
    const after = await api.similar({ text: TEXT, limit: 5 });
    expect(after.incidents.map((i) => [i.incident.incidentId, i.score.semantic])).toEqual(scores);
  });
});
