import { createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HindsightError } from '../common/errors.js';
import { sha256File } from '../common/hash.js';
import { MODELS, type ModelSpec, type WeightsFile } from './model-registry.js';

export const DEFAULT_MODEL_HOST = 'https://huggingface.co';

export interface DownloadProgress {
  file: string;
  received: number;
  total: number | null;
}

/**
 * Downloads a known model into `root/<name>`, verifying the pinned sha256 of the weights and the
 * tokenizer before anything is installed. The only network access Hindsight ever makes, and only
 * when the user asks for it.
 */
export async function fetchModel(
  spec: ModelSpec,
  root: string,
  options: { host?: string; onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {},
): Promise<string> {
  const host = (options.host ?? DEFAULT_MODEL_HOST).replace(/\/+$/, '');
  const weights = spec.weights[0]!;
  const staging = join(root, `.${spec.name}.partial`);
  await rm(staging, { recursive: true, force: true });
  try {
    for (const file of [...spec.files, weights.file]) {
      const url = `${host}/${spec.repo}/resolve/main/${file}`;
      const dest = join(staging, file);
      await mkdir(dirname(dest), { recursive: true });
      let res: Response;
      try {
        res = await fetch(url, { signal: options.signal, redirect: 'follow' });
      } catch (err) {
        throw new HindsightError('download-failed', `Could not download ${url} (${(err as Error).message}). Check the connection, or use \`hindsight model import\`.`);
      }
      if (!res.ok || !res.body) throw new HindsightError('download-failed', `Downloading ${url} failed: HTTP ${res.status}.`);
      const total = Number(res.headers.get('content-length')) || null;
      let received = 0;
      const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        options.onProgress?.({ file, received, total });
      });
      await pipeline(body, createWriteStream(dest));
    }
    await verifyModelDir(spec, staging, weights);
    return await install(staging, join(root, spec.name));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Installs a model folder copied from elsewhere (air-gapped machines). The folder's weights must
 * match the pins of a known model, unless `allowUnverified`.
 */
export async function importModelDir(source: string, root: string, allowUnverified = false): Promise<{ spec: ModelSpec; path: string; verified: boolean }> {
  if (!existsSync(join(source, 'tokenizer.json'))) {
    throw new HindsightError('bad-model', `${source} is not a model folder (no tokenizer.json). Point at the folder that holds config.json, tokenizer.json and onnx/.`);
  }
  const candidates = await Promise.all(
    MODELS.map(async (spec) => {
      const w = spec.weights.find((x) => existsSync(join(source, x.file)));
      return { spec, w, hash: w ? await sha256File(join(source, w.file)) : null };
    }),
  );
  const match = candidates.find((c) => c.w && c.hash === c.w.sha256);
  const byName = candidates.find((c) => c.spec.name === basename(source) && c.w);
  const chosen = match ?? (allowUnverified ? byName : undefined);
  if (!chosen?.w) {
    const known = MODELS.map((m) => m.name).join(', ');
    throw new HindsightError('unverified-model', `The weights in ${source} match none of the known models (${known}); nothing was installed.`);
  }
  if (match) await verifyModelDir(chosen.spec, source, chosen.w);
  const staging = join(root, `.${chosen.spec.name}.partial`);
  await rm(staging, { recursive: true, force: true });
  try {
    for (const f of [...chosen.spec.files, chosen.w.file]) {
      await mkdir(dirname(join(staging, f)), { recursive: true });
      await cp(join(source, f), join(staging, f));
    }
    return { spec: chosen.spec, path: await install(staging, join(root, chosen.spec.name)), verified: !!match };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function verifyModelDir(spec: ModelSpec, dir: string, weights: WeightsFile): Promise<void> {
  for (const f of spec.files) {
    if (!existsSync(join(dir, f))) throw new HindsightError('bad-model', `The model is missing ${f}; nothing was installed.`);
  }
  const w = await sha256File(join(dir, weights.file));
  if (w !== weights.sha256) {
    throw new HindsightError('hash-mismatch', `${weights.file} has sha256 ${w}, expected ${weights.sha256}; nothing was installed.`);
  }
  const t = await sha256File(join(dir, 'tokenizer.json'));
  if (t !== spec.tokenizerSha256) {
    throw new HindsightError('hash-mismatch', `tokenizer.json has sha256 ${t}, expected ${spec.tokenizerSha256}; nothing was installed.`);
  }
}

/** Replaces `dest` with `staging` (the old model stays until the new one is complete). */
async function install(staging: string, dest: string): Promise<string> {
  const old = `${dest}.old`;
  await rm(old, { recursive: true, force: true });
  if (existsSync(dest)) await rename(dest, old);
  await rename(staging, dest);
  await rm(old, { recursive: true, force: true });
  return dest;
}
