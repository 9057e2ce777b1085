/**
 * `--only embed`: the embedding path against its floor, raw onnxruntime-node on the same batches,
 * for the float and int8 builds of one generated encoder of gte-small's shape (12 layers, hidden
 * 384, 12 heads; random weights, quantized by test/support/quantize-model.ts as onnxruntime's
 * dynamic quantization does). Prints passages/s, the ratios, the agreement of the two builds'
 * vectors and rankings, the background embedding job's throughput, and a thread/batch sweep.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { chunkMarkdown } from '../native/chunk/chunker.js';
import { padBatch, paddingRatio, planBatches } from '../native/embed/batches.js';
import { EMBED_BATCH, EMBED_THREADS, Embedder } from '../native/embed/embedder.js';
import { hiddenOutput, sessionOptions } from '../native/embed/onnx-session.js';
import { poolAndNormalize } from '../native/embed/pooling.js';
import { locateModel, type LocatedModel, type ModelSearch } from '../native/embed/model-locator.js';
import { Engine } from '../native/engine.js';
import { titleOf } from '../native/import/document-facts.js';
import { splitFrontMatter } from '../native/import/front-matter.js';
import { passageText } from '../native/import/importer.js';
import { bertShapedModel, CORPUS, GTE_SMALL_SHAPE, writeModelFolder } from '../test/support/generated-models.js';

type Build = 'fp32' | 'q8';
const BATCH = EMBED_BATCH;

function line(label: string, value: string) {
  console.log(`  ${label.padEnd(52)} ${value}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Passages of the real postmortems as the importer embeds them (title + passage), spread over lengths. */
function realPassages(n: number): string[] {
  const all: string[] = [];
  const dir = join(CORPUS, 'postmortems');
  for (const sub of readdirSync(dir, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    for (const f of readdirSync(join(dir, sub.name)).filter((x) => x.endsWith('.md')).sort()) {
      const { body } = splitFrontMatter(readFileSync(join(dir, sub.name, f), 'utf8'));
      const title = titleOf({}, body, f);
      for (const c of chunkMarkdown(body)) all.push(passageText(title, c));
    }
  }
  if (n >= all.length) return all;
  const step = all.length / n;
  return Array.from({ length: Math.min(n, all.length) }, (_, i) => all[Math.floor(i * step)]!);
}

/**
 * Raw onnxruntime-node: the batches the embedding worker runs (tokenized once, sorted by token
 * count, padded per batch: batches.ts), timing `session.run` only; opened with the worker's
 * session options unless told otherwise.
 */
class RawFloor {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: (texts: string[], o: object) => Record<string, number[][]>,
    private readonly padId: number,
    private readonly output: string,
  ) {}

  static async open(model: LocatedModel, threads: number, options: ort.InferenceSession.SessionOptions = sessionOptions(threads)): Promise<RawFloor> {
    const { AutoTokenizer, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = model.root;
    const tokenizer = await AutoTokenizer.from_pretrained(model.spec.name);
    const session = await ort.InferenceSession.create(join(model.dir, model.weights.file), options);
    return new RawFloor(session, tokenizer as never, tokenizer.pad_token_id ?? 0, hiddenOutput(session.outputNames));
  }

  close(): Promise<void> {
    return this.session.release();
  }

  /** Token counts of `texts` as the worker tokenizes them (truncated at `cap`). */
  encode(texts: string[], cap = 512): Record<string, number[][]> {
    return this.tokenizer(texts, { truncation: true, max_length: cap, return_tensor: false });
  }

  /** CPU seconds (all threads) spent inside the session for these texts, last call. */
  cpu = 0;
  /** Wall and CPU seconds spent tokenizing them, last call (a floor that includes tokenizing adds these). */
  tokWall = 0;
  tokCpu = 0;
  /** Pooled vectors of the last call, in the order of its texts. */
  vectors: Float32Array[] = [];

  /**
   * Seconds inside the session for these texts, batched as the embedding worker batches one
   * request (wall clock; `cpu` gets the process's CPU seconds over the same runs). `order`
   * 'chars' batches by character length instead, as the embedder did before batches.ts.
   */
  async seconds(texts: string[], batch = BATCH, o: { order?: 'tokens' | 'chars'; cap?: number } = {}): Promise<number> {
    let ms = 0;
    this.cpu = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const enc = this.encode(texts, o.cap);
    const lengths = o.order === 'chars' ? texts.map((t) => t.length) : enc.input_ids!.map((r) => r.length);
    const plan = planBatches(lengths, batch);
    this.tokWall = (performance.now() - t0) / 1000;
    this.tokCpu = cpuSecs(c0);
    this.vectors = new Array<Float32Array>(texts.length);
    for (const rows of plan) {
      const c1 = process.cpuUsage();
      const t1 = performance.now();
      const padded = padBatch(enc, rows, this.padId);
      this.tokWall += (performance.now() - t1) / 1000;
      this.tokCpu += cpuSecs(c1);
      const feeds: Record<string, ort.Tensor> = {};
      for (const name of this.session.inputNames) feeds[name] = new ort.Tensor('int64', padded[name]!.data, padded[name]!.dims);
      const c = process.cpuUsage();
      const t = performance.now();
      const out = await this.session.run(feeds, [this.output]);
      ms += performance.now() - t;
      this.cpu += cpuSecs(c);
      const h = out[this.output]!;
      const width = h.dims[2]!;
      const pooled = poolAndNormalize(h.data as Float32Array, h.dims as number[], padded.attention_mask!.data, 'mean', true);
      rows.forEach((r, k) => (this.vectors[r] = pooled.slice(k * width, (k + 1) * width)));
    }
    return ms / 1000;
  }
}

/** CPU seconds of the whole process (every thread: the embedder's worker and onnxruntime's) since `from`. */
function cpuSecs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

function withBuild(model: LocatedModel, dtype: Build): LocatedModel {
  return { ...model, weights: model.spec.weights.find((w) => w.dtype === dtype)! };
}


const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

export async function benchEmbed(work: string, count: number): Promise<void> {
  const threads = EMBED_THREADS;
  const threadsText = threads ? `${threads} onnxruntime thread(s)` : 'onnxruntime threads = physical cores';
  console.log(`\nE. Embedding: gte-small-shaped encoder (random weights), fp32 and int8 builds, ${count} real passages, ${threadsText} (${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}), batches of ${BATCH}`);
  const models = join(work, 'models-embed');
  writeModelFolder(models, 'gte-small', bertShapedModel(GTE_SMALL_SHAPE), 'both');
  const search: ModelSearch = { roots: [models], preferred: 'gte-small', allowUnverified: true };
  const located = (await locateModel(search)).model!;
  line('build chosen by default (both present)', `${located.weights.file} (${located.weights.dtype})`);
  const texts = realPassages(count);

  // Floors and the embedder on the same batches, in turn batch by batch (the machine is shared:
  // each ratio is taken within one batch's runs, and the median over batches is quoted).
  const builds = ['fp32', 'q8'] as const;
  const raws = { fp32: await RawFloor.open(withBuild(located, 'fp32'), threads), q8: await RawFloor.open(withBuild(located, 'q8'), threads) };
  const batches = planBatches(raws.q8.encode(texts).input_ids!.map((r) => r.length), BATCH).map((rows) => rows.map((j) => texts[j]!));
  const embedders = { fp32: await Embedder.start(withBuild(located, 'fp32'), { threads }), q8: await Embedder.start(withBuild(located, 'q8'), { threads }) };
  for (const b of builds) {
    await raws[b].seconds(texts.slice(0, 2));
    await embedders[b].embedPassages(texts.slice(0, 2));
  }
  const t: Record<Build, { raw: number[]; emb: number[]; rawCpu: number[]; embCpu: number[]; tok: number[]; tokCpu: number[] }> = {
    fp32: { raw: [], emb: [], rawCpu: [], embCpu: [], tok: [], tokCpu: [] },
    q8: { raw: [], emb: [], rawCpu: [], embCpu: [], tok: [], tokCpu: [] },
  };
  const vecs: Record<Build, Map<string, Float32Array>> = { fp32: new Map(), q8: new Map() };
  for (const [bi, batch] of batches.entries()) {
    // Alternate which build and which path goes first.
    for (const b of bi % 2 ? [...builds].reverse() : builds) {
      const steps = [
        async () => {
          t[b].raw.push(await raws[b].seconds(batch, batch.length));
          t[b].rawCpu.push(raws[b].cpu);
          t[b].tok.push(raws[b].tokWall);
          t[b].tokCpu.push(raws[b].tokCpu);
        },
        async () => {
          const c = process.cpuUsage();
          const t0 = performance.now();
          const out = await embedders[b].embedPassages(batch);
          t[b].emb.push((performance.now() - t0) / 1000);
          t[b].embCpu.push(cpuSecs(c));
          batch.forEach((x, k) => vecs[b].set(x, out[k]!));
        },
      ];
      for (const step of bi % 2 ? steps.reverse() : steps) await step();
    }
  }
  for (const b of builds) {
    const ratios = t[b].raw.map((raw, i) => raw / t[b].emb[i]!);
    const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
    line(`${b}: raw onnxruntime / embedder`, `${(texts.length / sum(t[b].raw)).toFixed(2)} / ${(texts.length / sum(t[b].emb)).toFixed(2)} passages/s; embedder at ${(median(ratios) * 100).toFixed(0)}% of raw (median of ${ratios.length} batches)`);
    line(`${b}: the same in CPU seconds (steadier on a shared machine)`, `raw ${sum(t[b].rawCpu).toFixed(1)} s, embedder ${sum(t[b].embCpu).toFixed(1)} s → embedder at ${((sum(t[b].rawCpu) / sum(t[b].embCpu)) * 100).toFixed(0)}% of raw throughput per CPU-second`);
    const withTok = t[b].raw.map((raw, i) => (raw + t[b].tok[i]!) / t[b].emb[i]!);
    line(`${b}: floor = tokenize + session.run`, `embedder at ${(median(withTok) * 100).toFixed(0)}% (wall, median), ${(((sum(t[b].rawCpu) + sum(t[b].tokCpu)) / sum(t[b].embCpu)) * 100).toFixed(0)}% per CPU-second; tokenizing is ${((sum(t[b].tokCpu) / (sum(t[b].rawCpu) + sum(t[b].tokCpu))) * 100).toFixed(0)}% of that floor`);
  }
  const speedup = t.fp32.emb.map((f, i) => f / t.q8.emb[i]!);
  line('int8 / fp32 passages/s (embedder)', `median ${median(speedup).toFixed(2)}× over ${speedup.length} batches (target ≥ 2×); per CPU-second ${(t.fp32.embCpu.reduce((a, b) => a + b, 0) / t.q8.embCpu.reduce((a, b) => a + b, 0)).toFixed(2)}×`);
  const rawSpeedup = t.fp32.raw.map((f, i) => f / t.q8.raw[i]!);
  line('int8 / fp32 passages/s (raw onnxruntime)', `median ${median(rawSpeedup).toFixed(2)}×`);
  await benchBatching(located, raws.q8, texts);
  for (const b of builds) await raws[b].close();
  const res = { fp32: { vectors: texts.map((x) => vecs.fp32.get(x)!) }, q8: { vectors: texts.map((x) => vecs.q8.get(x)!) } };

  // Agreement of the two builds: the same passages' vectors, and the same queries' top 10.
  const cos = res.fp32.vectors.map((v, i) => dot(v, res.q8.vectors[i]!));
  line('vector agreement: cosine(fp32, int8), mean / min', `${(cos.reduce((a, b) => a + b, 0) / cos.length).toFixed(4)} / ${Math.min(...cos).toFixed(4)}`);
  const queries = texts.slice(0, 20).map((t) => t.split(/\s+/).slice(0, 8).join(' '));
  let overlap = 0;
  for (const q of queries) {
    const top = async (b: Build) => {
      const qv = await embedders[b]!.embedQuery(q);
      return new Set(res[b].vectors.map((v, i) => [dot(qv, v), i] as const).sort((x, y) => y[0] - x[0]).slice(0, 10).map((x) => x[1]));
    };
    const [a, c] = [await top('fp32'), await top('q8')];
    overlap += [...a].filter((i) => c.has(i)).length / 10;
  }
  line(`ranking overlap@10 of ${queries.length} queries (fp32 vs int8)`, (overlap / queries.length).toFixed(3));
  await embedders.fp32!.close();
  await embedders.q8!.close();

  // The embedding job after an import, against raw onnxruntime on the same passages and pages.
  const folder = join(work, 'embed-import');
  mkdirSync(folder, { recursive: true });
  texts.forEach((t, i) => writeFileSync(join(folder, `p${String(i).padStart(4, '0')}.md`), `# Passage ${i}\n\n${t}\n`));
  const engine = await Engine.open({ dbPath: join(work, 'embed.db'), models: search });
  const ti = performance.now();
  const s = await engine.import({ paths: [folder] });
  const importSecs = (performance.now() - ti) / 1000;
  const pending = await engine.store.passages.pending(0, 1_000_000);
  // The job reads 64 passages a page and the embedder sorts each page into batches: so does the
  // floor, run before and after the job (the job cannot be interleaved batch by batch).
  const pageTexts = pending.map((r) => passageText(r.title, r));
  const raw = await RawFloor.open(located, threads);
  await raw.seconds(texts.slice(0, 2));
  let floorCpu = 0;
  let floorTokCpu = 0;
  let floorTok = 0;
  const floor = async () => {
    let secs = 0;
    for (let i = 0; i < pageTexts.length; i += 64) {
      secs += await raw.seconds(pageTexts.slice(i, i + 64));
      floorCpu += raw.cpu;
      floorTokCpu += raw.tokCpu;
      floorTok += raw.tokWall;
    }
    return secs;
  };
  const before = await floor();
  // The clock starts when the job reports its first progress: loading the model is not embedding.
  let tj = 0;
  let cj: NodeJS.CpuUsage | null = null;
  const job = await engine.reindex({
    onProgress: (p) => {
      if (tj || p.phase !== 'embedding') return;
      tj = performance.now();
      cj = process.cpuUsage();
    },
  });
  const jobSecs = (performance.now() - tj) / 1000;
  const jobCpu = cpuSecs(cj!);
  const after = await floor();
  await engine.close();
  const rawSecs = (before + after) / 2;
  await raw.close();
  line('lexical import (passages without vectors)', `${s.chunksWritten} passages in ${importSecs.toFixed(2)} s (${(s.chunksWritten / importSecs).toFixed(0)} passages/s)`);
  line(`background embedding job (${located.weights.dtype})`, `${job.embedded} passages in ${jobSecs.toFixed(1)} s = ${(job.embedded / jobSecs).toFixed(2)} passages/s`);
  line('raw onnxruntime, same passages and pages', `${(pageTexts.length / rawSecs).toFixed(2)} passages/s (before ${(pageTexts.length / before).toFixed(2)}, after ${(pageTexts.length / after).toFixed(2)}) → job at ${((rawSecs / jobSecs) * 100).toFixed(0)}% of raw (target ≥ 95%)`);
  line('the same in CPU seconds (steadier on a shared machine)', `raw ${(floorCpu / 2).toFixed(1)} s, job ${jobCpu.toFixed(1)} s → job at ${((floorCpu / 2 / jobCpu) * 100).toFixed(0)}% of raw throughput per CPU-second`);
  line('floor = tokenize + session.run', `job at ${(((rawSecs + floorTok / 2) / jobSecs) * 100).toFixed(0)}% (wall), ${((((floorCpu + floorTokCpu) / 2) / jobCpu) * 100).toFixed(0)}% per CPU-second`);

  // Threads × batch size, int8, on a third of the passages: every configuration loaded at once
  // and run in turn, three rounds, so that they see the same machine.
  const sweep = texts.slice(0, Math.max(16, Math.floor(texts.length / 3)));
  const configs = [1, availableParallelism()].filter((x, i, a) => a.indexOf(x) === i).flatMap((th) => [1, 2, 4, 8].map((batch) => ({ th, batch })));
  const sweepers = await Promise.all(configs.map((c) => Embedder.start(located, { threads: c.th, batch: c.batch })));
  for (const e of sweepers) await e.embedPassages(sweep.slice(0, 2));
  const walls = configs.map(() => [] as number[]);
  const cpus = configs.map(() => [] as number[]);
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < configs.length; k++) {
      const i = (k + round * 3) % configs.length;
      const c = process.cpuUsage();
      const t0 = performance.now();
      await sweepers[i]!.embedPassages(sweep);
      walls[i]!.push((performance.now() - t0) / 1000);
      cpus[i]!.push(cpuSecs(c));
    }
  }
  await Promise.all(sweepers.map((e) => e.close()));
  const cells = configs.map((c, i) => `${c.th}t×${c.batch}: ${(sweep.length / median(walls[i]!)).toFixed(2)}/s, ${((median(cpus[i]!) / sweep.length) * 1000).toFixed(0)} CPU-ms`);
  line(`int8 by threads × batch (${sweep.length} passages, median of 3)`, '');
  for (let i = 0; i < cells.length; i += 4) console.log(`    ${cells.slice(i, i + 4).join('   ')}`);
}

/**
 * What the worker's batching and session settings are worth, on raw onnxruntime (int8), each pair
 * run interleaved request by request: token-count sorting against character sorting, the session
 * options against onnxruntime's defaults at all cores but one (the settings before), and a
 * passage cap of 256 tokens against the model's 512 (speed, and what it does to rankings).
 */
async function benchBatching(located: LocatedModel, raw: RawFloor, texts: string[]): Promise<void> {
  const all = realPassages(Number.POSITIVE_INFINITY);
  const lengths = raw.encode(all).input_ids!.map((r) => r.length);
  const untruncated = raw.encode(all, 1_000_000).input_ids!.map((r) => r.length);
  const sorted = [...lengths].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  line(`token counts of all ${all.length} real passages`, `p50 ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}, max ${sorted[sorted.length - 1]}; over 256: ${untruncated.filter((n) => n > 256).length}, over 512: ${untruncated.filter((n) => n > 512).length}`);
  const pad = (by: (page: number[]) => number[], batch: number) => {
    const plans: number[][] = [];
    for (let i = 0; i < all.length; i += 64) {
      const page = Array.from({ length: Math.min(64, all.length - i) }, (_, k) => i + k);
      const ordered = by(page);
      for (let j = 0; j < ordered.length; j += batch) plans.push(ordered.slice(j, j + batch));
    }
    return paddingRatio(lengths, plans).toFixed(3);
  };
  for (const batch of [4, 8, 16]) {
    line(`padded / real tokens, pages of 64, batches of ${batch}`, `unsorted ${pad((p) => p, batch)}, by characters ${pad((p) => [...p].sort((a, b) => all[a]!.length - all[b]!.length), batch)}, by tokens ${pad((p) => [...p].sort((a, b) => lengths[a]! - lengths[b]!), batch)}`);
  }

  // Requests of 16 passages (a quarter page), each measured both ways in turn.
  const requests: string[][] = [];
  for (let i = 0; i < texts.length; i += 16) requests.push(texts.slice(i, i + 16));
  const pair = async (label: string, a: (r: string[]) => Promise<number>, b: (r: string[]) => Promise<number>, aName: string, bName: string) => {
    const walls = [[0], [0]];
    const cpus = [0, 0];
    for (const [i, r] of requests.entries()) {
      const steps = [a, b];
      for (const k of i % 2 ? [1, 0] : [0, 1]) {
        const c = process.cpuUsage();
        walls[k]!.push(await steps[k]!(r));
        cpus[k]! += cpuSecs(c);
      }
    }
    const [wa, wb] = walls.map((w) => w.reduce((x, y) => x + y, 0));
    line(label, `${aName} ${(texts.length / wa!).toFixed(2)}/s, ${bName} ${(texts.length / wb!).toFixed(2)}/s → ${(wb! / wa!).toFixed(2)}× (wall), ${(cpus[1]! / cpus[0]!).toFixed(2)}× per CPU-second`);
  };
  await pair('batches of 4 by tokens / by characters (raw, int8)', (r) => raw.seconds(r, 4), (r) => raw.seconds(r, 4, { order: 'chars' }), 'tokens', 'characters');

  const before = await RawFloor.open(located, Math.max(1, availableParallelism() - 1), { intraOpNumThreads: Math.max(1, availableParallelism() - 1), interOpNumThreads: 1 });
  await before.seconds(texts.slice(0, 2));
  await pair('session options / defaults at cores − 1 (raw, int8)', (r) => raw.seconds(r), (r) => before.seconds(r), 'tuned', 'before');
  await before.close();

  // The cap: vectors of the same passages read to 512 and to 256 tokens, and the top 10 of
  // queries (each passage's first 8 words) over the longest passages and a spread of the rest.
  const long = lengths.map((n, i) => [n, i] as const).sort((x, y) => y[0] - x[0]).slice(0, texts.length).map(([, i]) => all[i]!);
  const pool = [...new Set([...long, ...texts])];
  const full: Float32Array[] = [];
  const capped: Float32Array[] = [];
  let fullCpu = 0;
  let cappedCpu = 0;
  for (let i = 0; i < pool.length; i += 16) {
    const r = pool.slice(i, i + 16);
    await raw.seconds(r);
    fullCpu += raw.cpu;
    full.push(...raw.vectors);
    await raw.seconds(r, BATCH, { cap: 256 });
    cappedCpu += raw.cpu;
    capped.push(...raw.vectors);
  }
  const cos = full.map((v, i) => dot(v, capped[i]!));
  const queries = pool.slice(0, 30).map((t) => t.split(/\s+/).slice(0, 8).join(' '));
  await raw.seconds(queries, 1);
  const qv = raw.vectors;
  let overlap = 0;
  for (const q of qv) {
    const top = (vs: Float32Array[]) => new Set(vs.map((v, i) => [dot(q, v), i] as const).sort((x, y) => y[0] - x[0]).slice(0, 10).map(([, i]) => i));
    const [a, b] = [top(full), top(capped)];
    overlap += [...a].filter((i) => b.has(i)).length / 10;
  }
  line(`passage cap 256 vs 512 tokens (${pool.length} passages, the ${long.length} longest among them)`, `CPU ${(fullCpu / cappedCpu).toFixed(2)}× less at 256; cosine mean ${(cos.reduce((x, y) => x + y, 0) / cos.length).toFixed(4)}, min ${Math.min(...cos).toFixed(4)}; overlap@10 of ${queries.length} queries ${(overlap / queries.length).toFixed(3)}`);
}
