import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../common/hash.js';
import type { ModelState } from '../contract.js';
import { userModelsDir } from '../store/paths.js';
import { DEFAULT_MODEL, MODELS, modelSpec, type ModelSpec, type WeightsFile } from './model-registry.js';

export interface ModelSearch {
  /** Folders that hold model folders, searched in order. */
  roots: string[];
  /** Preferred model name. */
  preferred: string;
  /** Use weights whose hash is not pinned (tests, benchmarks, a user's own export). */
  allowUnverified: boolean;
  /**
   * Which build when a folder has both. int8 (`q8`, `model_quantized.onnx`) by default: on CPU it
   * embeds about twice as fast as fp32 with the same rankings (see `npm run bench -- --only embed`).
   */
  dtype?: WeightsFile['dtype'];
}

export interface LocatedModel {
  spec: ModelSpec;
  /** Folder that contains the model folder (Transformers.js `localModelPath`). */
  root: string;
  dir: string;
  weights: WeightsFile;
  sha256: string;
  verified: boolean;
  /** Names the exact weights: vectors of different ids are never mixed. */
  modelId: string;
}

export const HOW_TO_INSTALL =
  'Run `hindsight model fetch` on a connected machine, or `hindsight model import <folder>` with a downloaded model folder.';

/**
 * Where models are looked for, in order: HINDSIGHT_MODEL_DIR, the app's bundled resources, the
 * user's model folder. Remote loading is never used.
 */
export function modelSearchFromEnv(env: NodeJS.ProcessEnv = process.env, bundledRoot?: string): ModelSearch {
  const roots = [env.HINDSIGHT_MODEL_DIR, bundledRoot, userModelsDir(env)].filter((r): r is string => !!r);
  return {
    roots,
    preferred: env.HINDSIGHT_MODEL || DEFAULT_MODEL,
    allowUnverified: env.HINDSIGHT_ALLOW_UNVERIFIED_MODEL === '1',
    dtype: env.HINDSIGHT_MODEL_DTYPE === 'fp32' ? 'fp32' : 'q8',
  };
}

/** Finds the model to use and checks its weights. */
export async function locateModel(search: ModelSearch): Promise<{ model: LocatedModel | null; state: ModelState }> {
  const order = [modelSpec(search.preferred), ...MODELS.filter((m) => m.name !== search.preferred)].filter((m): m is ModelSpec => !!m);
  let firstError: ModelState | null = null;
  for (const root of search.roots) {
    for (const spec of order) {
      const dir = join(root, spec.name);
      if (!existsSync(dir)) continue;
      const found = await inspectModelDir(spec, root, search.allowUnverified, search.dtype);
      if (found.model) return found;
      firstError ??= found.state;
    }
  }
  if (firstError) return { model: null, state: firstError };
  return {
    model: null,
    state: {
      state: 'absent',
      message: 'No embedding model is installed: search is lexical only (keywords, no semantic matching).',
      howToInstall: HOW_TO_INSTALL,
    },
  };
}

/** Checks one model folder: files present, weights hash pinned (or allowed unverified). */
export async function inspectModelDir(spec: ModelSpec, root: string, allowUnverified: boolean, dtype: WeightsFile['dtype'] = 'q8'): Promise<{ model: LocatedModel | null; state: ModelState }> {
  const dir = join(root, spec.name);
  const missing = spec.files.filter((f) => !existsSync(join(dir, f)));
  const preferred = [...spec.weights].sort((a, b) => Number(b.dtype === dtype) - Number(a.dtype === dtype));
  const weights = preferred.find((w) => existsSync(join(dir, w.file)));
  if (missing.length || !weights) {
    const what = [...missing, ...(weights ? [] : [spec.weights.map((w) => w.file).join(' or ')])].join(', ');
    return { model: null, state: { state: 'error', path: dir, message: `The model folder ${dir} is incomplete (missing ${what}).` } };
  }
  const hash = await cachedSha256(join(dir, weights.file));
  const verified = hash === weights.sha256;
  if (!verified && !allowUnverified) {
    return {
      model: null,
      state: {
        state: 'error',
        path: dir,
        message: `The weights in ${join(dir, weights.file)} do not match the published ${spec.name} (sha256 ${hash.slice(0, 12)}…, expected ${weights.sha256.slice(0, 12)}…); they were not used. Fetch or import the model again.`,
      },
    };
  }
  const model: LocatedModel = { spec, root, dir, weights, sha256: hash, verified, modelId: `${spec.name}:${hash.slice(0, 16)}` };
  return { model, state: { state: 'ready', name: spec.name, modelId: model.modelId, dims: spec.dims, verified, path: dir } };
}

/**
 * Hashing 34–130 MB of weights on every start would be slow, so the result is remembered beside
 * the file with its size and mtime; any change to the file means hashing again.
 */
async function cachedSha256(path: string): Promise<string> {
  const st = statSync(path);
  const marker = `${path}.sha256.json`;
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { bytes: number; mtimeMs: number; sha256: string };
    if (m.bytes === st.size && m.mtimeMs === st.mtimeMs && /^[0-9a-f]{64}$/.test(m.sha256)) return m.sha256;
  } catch {
    // no marker yet
  }
  const sha256 = await sha256File(path);
  try {
    writeFileSync(marker, JSON.stringify({ bytes: st.size, mtimeMs: st.mtimeMs, sha256 }));
  } catch {
    // Read-only location (bundled resources): hash again next time.
  }
  return sha256;
}
