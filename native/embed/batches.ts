/**
 * How passages become model inputs: sorted by their token count and cut into batches, each padded
 * to its longest member. A batch costs its row count × its longest row, so neighbours in token
 * length pad least: on the real postmortems' passages, pages of 64 in batches of 4 process 1.05
 * tokens per real token sorted by token count, against 1.18 sorted by characters and 1.58 unsorted
 * (`npm run bench -- --only embed`). Shared by the embedding worker and the benchmark's raw
 * onnxruntime floor, so that both run exactly the same batches.
 */

/** Indices of `lengths` in batches of at most `size`, shortest first (stable for equal lengths). */
export function planBatches(lengths: readonly number[], size: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size));
  return out;
}

/** Padded tokens over real tokens for a plan: 1 means no padding at all. */
export function paddingRatio(lengths: readonly number[], batches: readonly number[][]): number {
  let real = 0;
  let padded = 0;
  for (const b of batches) {
    let longest = 0;
    for (const i of b) {
      real += lengths[i]!;
      longest = Math.max(longest, lengths[i]!);
    }
    padded += longest * b.length;
  }
  return real ? padded / real : 1;
}

/** A model input as onnxruntime takes it: row-major int64 data and [rows, tokens]. */
export interface IntTensor {
  data: BigInt64Array;
  dims: [number, number];
}

/**
 * The rows of one batch as padded int64 tensors, one per name the tokenizer gave (input_ids,
 * attention_mask, token_type_ids): input_ids are padded with `padId`, everything else with 0 —
 * so the attention mask is 0 exactly on padding, as the tokenizer's own padding does.
 */
export function padBatch(encoded: Readonly<Record<string, readonly (readonly number[])[]>>, rows: readonly number[], padId: number): Record<string, IntTensor> {
  const ids = encoded.input_ids!;
  let width = 1;
  for (const r of rows) width = Math.max(width, ids[r]!.length);
  const out: Record<string, IntTensor> = {};
  for (const [name, values] of Object.entries(encoded)) {
    const data = new BigInt64Array(rows.length * width);
    if (name === 'input_ids' && padId !== 0) data.fill(BigInt(padId));
    rows.forEach((r, k) => {
      const row = values[r]!;
      for (let t = 0; t < row.length; t++) data[k * width + t] = BigInt(row[t]!);
    });
    out[name] = { data, dims: [rows.length, width] };
  }
  return out;
}
