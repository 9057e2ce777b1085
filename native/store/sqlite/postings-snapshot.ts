/**
 * The posting lists as a file beside the database (`<db>.postings`), so that the first ranking
 * of a new process reads one file instead of rebuilding the lists from every rank_documents and
 * rank_passages row (at 100,000 passages that rebuild took ~10 s; the file is read in a fraction
 * of that, and its arrays become the lists without a copy).
 *
 * Like the vector index, it is a cache: it carries the identity of the database state it was
 * written from (rank_state.generation, the highest term, document and passage ids), and is used
 * only when the database still has exactly that state; anything else (another process wrote, the
 * database was replaced, the file is damaged or of another version) is ignored and the lists are
 * rebuilt from the tables, which stay the truth.
 *
 * Layout: 8 magic bytes, a uint32 header length, the JSON header (identity, scalars, and each
 * array's type, offset and length), then the arrays, each at an offset that is a multiple of 8.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { LevelParts, PostingParts } from './term-postings.js';

const MAGIC = 'HSPOST01';

/** What a snapshot must match to be used: the database state it was written from. */
export interface SnapshotIdentity {
  generation: number;
  highestTerm: number;
  highestDocument: number;
  highestPassage: number;
  /**
   * What the counters can't tell apart: a database deleted and built again at the same path can
   * reach the same generation and ids with other content. The text of the newest term and the
   * content hash of the newest document differ then.
   */
  newestTerm: string;
  newestDocumentHash: string;
}

type Typed = Int32Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Float32Array<ArrayBuffer>;
const TYPES = { i32: Int32Array, u16: Uint16Array, u8: Uint8Array, f32: Float32Array } as const;
type TypeName = keyof typeof TYPES;

function typeName(a: Typed): TypeName {
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Uint8Array) return 'u8';
  return 'f32';
}

const LEVEL_ARRAYS = ['terms', 'sizes', 'dfs', 'withExpansion', 'ids', 'tf', 'exp', 'lengths', 'present'] as const;
const TOP_ARRAYS = ['passageDoc', 'expansionDocs', 'expansionSizes', 'expansionIds', 'expansionValues'] as const;

interface Header {
  identity: SnapshotIdentity;
  generation: number;
  levels: Record<'document' | 'passage', { count: number; sums: number[]; expanded: number }>;
  arrays: Record<string, { type: TypeName; offset: number; length: number }>;
}

/** Writes the snapshot (to a temporary name, then renamed: a reader never sees half a file). */
export function writePostingsSnapshot(path: string, parts: PostingParts, identity: SnapshotIdentity): void {
  const arrays: Array<[string, Typed]> = [];
  for (const level of ['document', 'passage'] as const) for (const k of LEVEL_ARRAYS) arrays.push([`${level}.${k}`, parts[level][k]]);
  for (const k of TOP_ARRAYS) arrays.push([k, parts[k]]);
  const header: Header = {
    identity,
    generation: parts.generation,
    levels: {
      document: { count: parts.document.count, sums: parts.document.sums, expanded: parts.document.expanded },
      passage: { count: parts.passage.count, sums: parts.passage.sums, expanded: parts.passage.expanded },
    },
    arrays: {},
  };
  let offset = 0;
  for (const [name, a] of arrays) {
    header.arrays[name] = { type: typeName(a), offset, length: a.length };
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const json = Buffer.from(JSON.stringify(header));
  // The data starts on a multiple of 8, so every array can be a view on the file's buffer.
  const start = Math.ceil((MAGIC.length + 4 + json.length) / 8) * 8;
  const head = Buffer.alloc(start);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, MAGIC.length);
  json.copy(head, MAGIC.length + 4);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, head);
    const pad = Buffer.alloc(8);
    for (const [, a] of arrays) {
      if (a.byteLength) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      const rest = Math.ceil(a.byteLength / 8) * 8 - a.byteLength;
      if (rest) writeSync(fd, pad, 0, rest);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The snapshot's lists when the file exists, is whole and matches `identity`; null otherwise. */
export function readPostingsSnapshot(path: string, identity: SnapshotIdentity): PostingParts | null {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return null;
  }
  try {
    if (file.length < MAGIC.length + 4 || file.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
    const length = file.readUInt32LE(MAGIC.length);
    const header = JSON.parse(file.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + length)) as Header;
    const id = header.identity;
    if (!id || (Object.keys(identity) as Array<keyof SnapshotIdentity>).some((k) => id[k] !== identity[k])) return null;
    const start = Math.ceil((MAGIC.length + 4 + length) / 8) * 8;
    // A large file's buffer is its own allocation (offset 0); a small one may sit in Node's pool at any offset.
    const base = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
    const array = (name: string): Typed => {
      const a = header.arrays[name];
      if (!a || !(a.type in TYPES)) throw new Error(`snapshot: no array ${name}`);
      const T = TYPES[a.type];
      const at = base.byteOffset + start + a.offset;
      if (start + a.offset + a.length * T.BYTES_PER_ELEMENT > base.length) throw new Error(`snapshot: ${name} is cut short`);
      return new T(base.buffer as ArrayBuffer, at, a.length);
    };
    const level = (name: 'document' | 'passage'): LevelParts => {
      const s = header.levels[name];
      return {
        terms: array(`${name}.terms`) as Int32Array<ArrayBuffer>,
        sizes: array(`${name}.sizes`) as Int32Array<ArrayBuffer>,
        dfs: array(`${name}.dfs`) as Int32Array<ArrayBuffer>,
        withExpansion: array(`${name}.withExpansion`) as Uint8Array<ArrayBuffer>,
        ids: array(`${name}.ids`) as Int32Array<ArrayBuffer>,
        tf: array(`${name}.tf`) as Uint16Array<ArrayBuffer>,
        exp: array(`${name}.exp`) as Float32Array<ArrayBuffer>,
        lengths: array(`${name}.lengths`) as Float32Array<ArrayBuffer>,
        present: array(`${name}.present`) as Uint8Array<ArrayBuffer>,
        count: s.count,
        sums: s.sums,
        expanded: s.expanded,
      };
    };
    const parts: PostingParts = {
      generation: header.generation,
      document: level('document'),
      passage: level('passage'),
      passageDoc: array('passageDoc') as Int32Array<ArrayBuffer>,
      expansionDocs: array('expansionDocs') as Int32Array<ArrayBuffer>,
      expansionSizes: array('expansionSizes') as Int32Array<ArrayBuffer>,
      expansionIds: array('expansionIds') as Int32Array<ArrayBuffer>,
      expansionValues: array('expansionValues') as Float32Array<ArrayBuffer>,
    };
    // The concatenated arrays must hold what the directory says.
    for (const l of [parts.document, parts.passage]) {
      let n = 0;
      let e = 0;
      for (let k = 0; k < l.sizes.length; k++) {
        n += l.sizes[k]!;
        if (l.withExpansion[k]) e += l.sizes[k]!;
      }
      if (n !== l.ids.length || n * 3 !== l.tf.length || e !== l.exp.length || l.lengths.length !== l.present.length * 4) return null;
    }
    if (parts.expansionSizes.reduce((a, b) => a + b, 0) !== parts.expansionIds.length) return null;
    return parts;
  } catch {
    return null;
  }
}

export function removePostingsSnapshot(path: string): void {
  rmSync(path, { force: true });
}
