/**
 * The posting lists as a file beside the database (`<db>.postings`), so that the first ranking
 * of a new process reads one file instead of rebuilding the lists from every rank_documents and
 * rank_passages row (at 100,000 passages that rebuild took ~10 s). Its directory (lengths, dfs,
 * where each list lies) is read at once, each list's postings when a query first needs them.
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
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { LevelDirectory, ListSource, PostingParts, SnapshotParts } from './term-postings.js';

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

/**
 * The snapshot's directory when the file exists, is whole and matches `identity`; null otherwise.
 * Only the header and the small arrays (lengths, dfs, passages, expansions) are read now; each
 * list's postings are read from the open file when first asked for (`lists`), so a process that
 * runs one query reads the lists of its terms, not the file. The file stays open until `close`:
 * a newer snapshot is written under another name and renamed over this one, so what is read
 * later is still the state the identity matched.
 */
export function readPostingsSnapshot(path: string, identity: SnapshotIdentity): SnapshotParts | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const parts = readDirectory(fd, path, identity);
    if (!parts) closeSync(fd);
    return parts;
  } catch {
    closeSync(fd);
    return null;
  }
}

function readDirectory(fd: number, path: string, identity: SnapshotIdentity): SnapshotParts | null {
  const fileSize = fstatSync(fd).size;
  const bytes = (position: number, length: number, into: Uint8Array = new Uint8Array(length)): Uint8Array => {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, into, done, length - done, position + done);
      if (n === 0) throw new Error(`snapshot ${path} is cut short`);
      done += n;
    }
    return into;
  };
  const head = Buffer.from(bytes(0, Math.min(fileSize, MAGIC.length + 4)));
  if (head.length < MAGIC.length + 4 || head.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const length = head.readUInt32LE(MAGIC.length);
  if (MAGIC.length + 4 + length > fileSize) return null;
  const header = JSON.parse(Buffer.from(bytes(MAGIC.length + 4, length)).toString('utf8')) as Header;
  const id = header.identity;
  if (!id || (Object.keys(identity) as Array<keyof SnapshotIdentity>).some((k) => id[k] !== identity[k])) return null;
  const start = Math.ceil((MAGIC.length + 4 + length) / 8) * 8;
  const place = (name: string) => {
    const a = header.arrays[name];
    if (!a || !(a.type in TYPES)) throw new Error(`snapshot: no array ${name}`);
    const T = TYPES[a.type];
    if (start + a.offset + a.length * T.BYTES_PER_ELEMENT > fileSize) throw new Error(`snapshot: ${name} is cut short`);
    return { T, at: start + a.offset, length: a.length };
  };
  // Every array's place is checked now, the lists' too: a cut file is refused before any use.
  for (const name of Object.keys(header.arrays)) place(name);
  /** `length` elements of an array from element `from` (all of it by default), in an allocation of their own. */
  const array = (name: string, from = 0, count?: number): Typed => {
    const { T, at, length: n } = place(name);
    const k = count ?? n - from;
    if (from < 0 || from + k > n) throw new Error(`snapshot: ${name} has no elements ${from}–${from + k}`);
    const out = new T(k);
    bytes(at + from * T.BYTES_PER_ELEMENT, k * T.BYTES_PER_ELEMENT, new Uint8Array(out.buffer));
    return out;
  };
  const level = (name: 'document' | 'passage'): LevelDirectory => {
    const s = header.levels[name];
    return {
      terms: array(`${name}.terms`) as Int32Array<ArrayBuffer>,
      sizes: array(`${name}.sizes`) as Int32Array<ArrayBuffer>,
      dfs: array(`${name}.dfs`) as Int32Array<ArrayBuffer>,
      withExpansion: array(`${name}.withExpansion`) as Uint8Array<ArrayBuffer>,
      lengths: array(`${name}.lengths`) as Float32Array<ArrayBuffer>,
      present: array(`${name}.present`) as Uint8Array<ArrayBuffer>,
      count: s.count,
      sums: s.sums,
      expanded: s.expanded,
    };
  };
  const document = level('document');
  const passage = level('passage');
  // The concatenated lists must hold what the directory says.
  for (const [name, l] of [['document', document], ['passage', passage]] as const) {
    let n = 0;
    let e = 0;
    for (let k = 0; k < l.sizes.length; k++) {
      n += l.sizes[k]!;
      if (l.withExpansion[k]) e += l.sizes[k]!;
    }
    if (n !== place(`${name}.ids`).length || n * 3 !== place(`${name}.tf`).length || e !== place(`${name}.exp`).length || l.lengths.length !== l.present.length * 4) return null;
  }
  const expansionSizes = array('expansionSizes') as Int32Array<ArrayBuffer>;
  if (expansionSizes.reduce((a, b) => a + b, 0) !== place('expansionIds').length) return null;
  let open = true;
  const lists: ListSource = {
    read: (name, at) => {
      if (!open) throw new Error(`snapshot ${path}: read after it was closed`);
      return {
        ids: array(`${name}.ids`, at.at, at.size) as Int32Array<ArrayBuffer>,
        tf: array(`${name}.tf`, at.at * 3, at.size * 3) as Uint16Array<ArrayBuffer>,
        exp: at.expAt >= 0 ? (array(`${name}.exp`, at.expAt, at.size) as Float32Array<ArrayBuffer>) : null,
      };
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
  return {
    generation: header.generation,
    document,
    passage,
    passageDoc: array('passageDoc') as Int32Array<ArrayBuffer>,
    expansionDocs: array('expansionDocs') as Int32Array<ArrayBuffer>,
    expansionSizes,
    expansionIds: array('expansionIds') as Int32Array<ArrayBuffer>,
    expansionValues: array('expansionValues') as Float32Array<ArrayBuffer>,
    lists,
  };
}

export function removePostingsSnapshot(path: string): void {
  rmSync(path, { force: true });
}
