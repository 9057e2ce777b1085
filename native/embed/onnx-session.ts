/**
 * The ONNX Runtime session the embedding worker runs, and the options it is opened with. Shared
 * with the benchmark's raw floor, so that "raw onnxruntime" means the same session settings.
 */
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

export type OrtModule = typeof Ort;

/**
 * onnxruntime-node as Transformers.js loads it: Transformers.js pins its version (and the
 * tokenizer comes from Transformers.js), so resolving it from there keeps one copy of the native
 * binding in the process whatever the install layout.
 */
export function loadOrt(): OrtModule {
  const fromTransformers = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
  return fromTransformers('onnxruntime-node') as OrtModule;
}

/**
 * Session options, as measured on the int8 gte-small-shaped encoder (`npm run bench -- --only
 * embed`, section "session options"):
 * - `threads` intra-op threads, 0 = ONNX Runtime's default of one per physical core;
 * - no spinning: idle intra-op threads sleep instead of busy-waiting for work. With spinning, two
 *   threads on two cores cost ~60 % more CPU per passage than one (the spin is burnt on cores the
 *   tokenizer, SQLite and the app need); without it they cost the same CPU as one and finish
 *   sooner when a core is free;
 * - one inter-op thread and sequential execution: an encoder is a chain, there is no parallel
 *   branch to run;
 * - all graph optimizations (LayerNorm, GELU and attention fusions; the int8 build's
 *   DynamicQuantizeLinear → MatMulInteger → Cast → Mul chain becomes one DynamicQuantizeMatMul),
 *   the CPU memory arena and memory patterns (the same shapes come back batch after batch).
 */
export function sessionOptions(threads: number): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    enableMemPattern: true,
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

/** The output holding token vectors, by the names exporters give it. */
export function hiddenOutput(outputNames: readonly string[]): string {
  return ['last_hidden_state', 'token_embeddings', 'logits'].find((n) => outputNames.includes(n)) ?? outputNames[0]!;
}
