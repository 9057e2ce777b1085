/**
 * Sentence vectors from token vectors: mean over the tokens the attention mask keeps (or the
 * first token, `cls`), then L2 normalisation. Row-major over `hidden` [batch, tokens, dims], the
 * mask read once per token: it is the loop every passage goes through.
 */
export function poolAndNormalize(hidden: Float32Array, dims: number[], mask: BigInt64Array | Int32Array | Float32Array, pooling: 'mean' | 'cls', normalize: boolean): Float32Array {
  const [batch, tokens, width] = dims as [number, number, number];
  const out = new Float32Array(batch * width);
  for (let b = 0; b < batch; b++) {
    const row = out.subarray(b * width, (b + 1) * width);
    if (pooling === 'cls') {
      row.set(hidden.subarray(b * tokens * width, b * tokens * width + width));
    } else {
      let kept = 0;
      for (let t = 0; t < tokens; t++) {
        if (!Number(mask[b * tokens + t])) continue;
        kept++;
        const o = (b * tokens + t) * width;
        for (let d = 0; d < width; d++) row[d]! += hidden[o + d]!;
      }
      if (kept) for (let d = 0; d < width; d++) row[d]! /= kept;
    }
    if (normalize) {
      let n = 0;
      for (let d = 0; d < width; d++) n += row[d]! * row[d]!;
      n = Math.sqrt(n);
      // Transformers.js divides by max(norm, 1e-12), like torch's F.normalize.
      if (n > 0) for (let d = 0; d < width; d++) row[d]! /= Math.max(n, 1e-12);
    }
  }
  return out;
}
