import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../native/engine.js';
import { CORPUS, ensureTinyModel } from './generated-models.js';

/**
 * An engine with the first `count` corpus postmortems imported and embedded by the generated
 * bag-of-tokens model (texts sharing tokens get close vectors): the hybrid paths' fixture.
 */
export async function openHybridEngine(dir: string, count = 7): Promise<Engine> {
  const postmortems = readdirSync(join(CORPUS, 'postmortems'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join(CORPUS, 'postmortems', f));
  const models = ensureTinyModel(join(dir, 'models'));
  const engine = await Engine.open({ dbPath: join(dir, 'hybrid.db'), models: { roots: [models], preferred: 'gte-small', allowUnverified: true } });
  await engine.import({ paths: postmortems.slice(0, count) });
  // Imports write passages at lexical speed; the embedding job gives them their vectors.
  await engine.reindex();
  return engine;
}
