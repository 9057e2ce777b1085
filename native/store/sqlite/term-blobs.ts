/**
 * The term-frequency blobs of rank_documents / rank_passages / rank_expansions (migration 0100):
 * term ids ascending, delta-coded as unsigned LEB128 varints, each followed by its frequencies.
 * A passage's ~80 terms take ~250 bytes (as JSON they took ~1.5 KB), and decoding is a loop over
 * bytes, so loading 100,000 passages into the posting lists is bounded by the lists, not the parse.
 */

/** Term ids with their (title, headings, text) frequencies, ids ascending. */
export interface TermRows {
  ids: Int32Array;
  /** Three counts per id. */
  tf: Uint32Array;
}

function pushVarint(out: number[], v: number): void {
  let x = v >>> 0;
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x >>>= 7;
  }
  out.push(x);
}

/** Frequencies are counts: clamped to what a varint of 32 bits holds. */
const count = (x: number) => Math.min(0xffffffff, Math.max(0, Math.round(x)));

export function encodeTerms(rows: TermRows): Buffer {
  const out: number[] = [];
  let previous = 0;
  for (let i = 0; i < rows.ids.length; i++) {
    const id = rows.ids[i]!;
    pushVarint(out, id - previous);
    previous = id;
    pushVarint(out, count(rows.tf[i * 3]!));
    pushVarint(out, count(rows.tf[i * 3 + 1]!));
    pushVarint(out, count(rows.tf[i * 3 + 2]!));
  }
  return Buffer.from(out);
}

export function decodeTerms(blob: Uint8Array): TermRows {
  // An upper bound on the rows (each takes at least 4 bytes), trimmed at the end.
  const ids = new Int32Array(blob.length >> 2);
  const tf = new Uint32Array(ids.length * 3);
  const n = decodeTermsInto(blob, ids, tf);
  return { ids: ids.slice(0, n), tf: tf.slice(0, n * 3) };
}

/**
 * Decodes into the caller's arrays (at least blob.length / 4 ids, three counts each) and returns
 * the number of rows: loading every passage reuses one pair of arrays. Varints are read inline,
 * without a helper call per number: this loop runs once per posting of the whole corpus.
 */
export function decodeTermsInto(blob: Uint8Array, ids: Int32Array, tf: Uint32Array): number {
  let n = 0;
  let p = 0;
  let id = 0;
  const end = blob.length;
  while (p < end) {
    for (let field = 0; field < 4; field++) {
      let v = 0;
      let shift = 0;
      let b: number;
      do {
        if (p >= end) throw new Error('term blob ends inside a number');
        b = blob[p++]!;
        v += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b >= 0x80 && shift <= 35);
      if (b >= 0x80) throw new Error('term blob holds a number wider than 32 bits');
      if (field === 0) {
        id += v;
        ids[n] = id;
      } else tf[n * 3 + field - 1] = v;
    }
    n++;
  }
  return n;
}

/** Term ids (ascending) with one float32 each: an expansion's pseudo-frequencies. */
export interface WeightRows {
  ids: Int32Array;
  values: Float32Array;
}

export function encodeWeights(rows: WeightRows): Buffer {
  const head: number[] = [];
  let previous = 0;
  for (const id of rows.ids) {
    pushVarint(head, id - previous);
    previous = id;
  }
  // Values first (fixed width, aligned once copied), then the varint ids.
  const values = Buffer.from(new Float32Array(rows.values).buffer);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(rows.ids.length);
  return Buffer.concat([count, values, Buffer.from(head)]);
}

export function decodeWeights(blob: Uint8Array): WeightRows {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 4) throw new Error('weight blob too short');
  const n = buf.readUInt32LE(0);
  if (4 + n * 4 > buf.length) throw new Error('weight blob shorter than its count');
  const values = new Float32Array(n);
  new Uint8Array(values.buffer).set(buf.subarray(4, 4 + n * 4));
  const ids = new Int32Array(n);
  let p = 4 + n * 4;
  let id = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[p++];
      if (b === undefined) throw new Error('weight blob ends inside a number');
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    id += v;
    ids[i] = id;
  }
  return { ids, values };
}
