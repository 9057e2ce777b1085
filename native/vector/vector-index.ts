import hnswlib from 'hnswlib-node';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { sha256, sha256FileSync } from '../common/hash.js';
import type { Db } from '../store/database.js';
import type { IndexState } from '../contract.js';

const { HierarchicalNSW } = hnswlib;

/** What the index file covers, written beside it. */
interface Manifest {
  format: 1;
  modelId: string;
  dims: number;
  /** Live (not deleted) labels. */
  count: number;
  /** sha256 over the sorted live labels. */
  idsChecksum: string;
  /** Labels marked deleted inside the file (hnswlib keeps their slots). */
  deleted: number[];
  fileBytes: number;
  fileMtimeMs: number;
  fileSha256: string;
}

export interface VectorHit {
  chunkId: number;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

const M = 16;
// hnswlib's usual trade-off at M=16; inserts cost about half of efConstruction=200 (recall not measured here).
const EF_CONSTRUCTION = 100;
const EF_SEARCH = 96;

/**
 * An HNSW index over chunk embeddings: a cache of the vectors stored in SQLite, never the source
 * of truth. On open it compares itself with the database and adds what is missing, drops what is
 * gone, or rebuilds; a file that fails its checksum is rebuilt rather than trusted.
 */
export class VectorIndex {
  private index: InstanceType<typeof HierarchicalNSW>;
  private live = new Set<number>();
  private deleted = new Set<number>();
  private dirty = false;
  health: IndexState['health'] = 'absent';

  private constructor(
    private readonly path: string,
    readonly modelId: string,
    readonly dims: number,
  ) {
    this.index = new HierarchicalNSW('cosine', dims);
  }

  /** Opens the index at `path` for the vectors of `modelId` in `db`, repairing it as needed. */
  static open(db: Db, path: string, modelId: string, dims: number): VectorIndex {
    const vi = new VectorIndex(path, modelId, dims);
    vi.health = vi.load(db);
    return vi;
  }

  get size(): number {
    return this.live.size;
  }

  private load(db: Db): IndexState['health'] {
    const dbIds = (db.prepare('SELECT id FROM chunks WHERE embedding IS NOT NULL ORDER BY id').pluck().all() as number[]);
    const manifest = readManifest(this.path);
    const fileOk = manifest && manifest.modelId === this.modelId && manifest.dims === this.dims && fileMatches(this.path, manifest);
    if (fileOk) {
      try {
        this.index.readIndexSync(this.path);
        this.deleted = new Set(manifest.deleted);
        for (const id of this.index.getIdsList()) if (!this.deleted.has(id)) this.live.add(id);
        if (manifest.idsChecksum === checksum(dbIds) && this.live.size === dbIds.length) return 'ok';
        // The database moved on since the index was written: bring the index in step.
        const want = new Set(dbIds);
        const gone = [...this.live].filter((id) => !want.has(id));
        this.remove(gone);
        const missing = dbIds.filter((id) => !this.live.has(id));
        this.addFromDb(db, missing);
        this.save();
        return 'repaired';
      } catch {
        // Fall through to a rebuild: the file is not what its manifest says.
      }
    }
    const hadFile = existsSync(this.path);
    this.rebuild(db, dbIds);
    if (dbIds.length) this.save();
    return hadFile || dbIds.length ? 'rebuilt' : 'absent';
  }

  private rebuild(db: Db, ids: number[]): void {
    this.index = new HierarchicalNSW('cosine', this.dims);
    this.index.initIndex({ maxElements: Math.max(1024, Math.ceil(ids.length * 1.25)), m: M, efConstruction: EF_CONSTRUCTION, randomSeed: 42 });
    this.index.setEf(EF_SEARCH);
    this.live.clear();
    this.deleted.clear();
    this.addFromDb(db, ids);
  }

  private addFromDb(db: Db, ids: number[]): void {
    const stmt = db.prepare('SELECT embedding FROM chunks WHERE id = ?').pluck();
    for (const id of ids) {
      const blob = stmt.get(id) as Buffer | null;
      if (blob) this.add(id, blobToVector(blob));
    }
  }

  add(chunkId: number, vector: Float32Array): void {
    if (vector.length !== this.dims) throw new Error(`vector of ${vector.length} dims for an index of ${this.dims}`);
    if (this.index.getMaxElements() === 0) {
      this.index.initIndex({ maxElements: 1024, m: M, efConstruction: EF_CONSTRUCTION, randomSeed: 42 });
      this.index.setEf(EF_SEARCH);
    }
    if (this.index.getCurrentCount() >= this.index.getMaxElements()) {
      this.index.resizeIndex(Math.ceil(this.index.getMaxElements() * 1.5) + 1024);
    }
    // Chunk ids are never reused (AUTOINCREMENT), so a label is only ever added once.
    if (this.deleted.has(chunkId)) {
      this.index.unmarkDelete(chunkId);
      this.deleted.delete(chunkId);
    }
    this.index.addPoint(Array.from(vector), chunkId);
    this.live.add(chunkId);
    this.dirty = true;
  }

  remove(chunkIds: Iterable<number>): void {
    for (const id of chunkIds) {
      if (!this.live.has(id)) continue;
      this.index.markDelete(id);
      this.live.delete(id);
      this.deleted.add(id);
      this.dirty = true;
    }
  }

  /** Nearest chunks to `vector`; `allow` restricts the labels considered (filters). */
  search(vector: Float32Array, k: number, allow?: (chunkId: number) => boolean): VectorHit[] {
    if (!this.live.size) return [];
    const n = Math.min(k, this.live.size);
    this.index.setEf(Math.max(EF_SEARCH, n));
    const res = allow ? this.index.searchKnn(Array.from(vector), n, allow) : this.index.searchKnn(Array.from(vector), n);
    return res.neighbors.map((chunkId, i) => ({ chunkId, similarity: 1 - res.distances[i]! }));
  }

  /** Writes the index and its manifest (temp file + rename, so a crash leaves the old pair or none). */
  save(): void {
    if (!this.dirty && existsSync(this.path)) return;
    if (!this.live.size && !this.deleted.size) {
      rmSync(this.path, { force: true });
      rmSync(manifestPath(this.path), { force: true });
      this.dirty = false;
      return;
    }
    const tmp = `${this.path}.tmp`;
    this.index.writeIndexSync(tmp);
    rmSync(manifestPath(this.path), { force: true });
    renameSync(tmp, this.path);
    const st = statSync(this.path);
    const manifest: Manifest = {
      format: 1,
      modelId: this.modelId,
      dims: this.dims,
      count: this.live.size,
      idsChecksum: checksum([...this.live].sort((a, b) => a - b)),
      deleted: [...this.deleted],
      fileBytes: st.size,
      fileMtimeMs: st.mtimeMs,
      fileSha256: sha256FileSync(this.path),
    };
    writeFileSync(`${manifestPath(this.path)}.tmp`, JSON.stringify(manifest));
    renameSync(`${manifestPath(this.path)}.tmp`, manifestPath(this.path));
    this.dirty = false;
  }

  /** Removes the index files (e.g. when the model changes). */
  static discard(path: string): void {
    rmSync(path, { force: true });
    rmSync(manifestPath(path), { force: true });
  }
}

export function manifestPath(indexPath: string): string {
  return `${indexPath}.json`;
}

function readManifest(path: string): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(manifestPath(path), 'utf8')) as Manifest;
    return m.format === 1 && Array.isArray(m.deleted) ? m : null;
  } catch {
    return null;
  }
}

/** Same size and mtime as recorded means untouched; otherwise the content hash decides. */
function fileMatches(path: string, m: Manifest): boolean {
  try {
    const st = statSync(path);
    if (st.size !== m.fileBytes) return false;
    if (st.mtimeMs === m.fileMtimeMs) return true;
    return sha256FileSync(path) === m.fileSha256;
  } catch {
    return false;
  }
}

function checksum(sortedIds: number[]): string {
  return sha256(Buffer.from(new Float64Array(sortedIds).buffer));
}

export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function blobToVector(b: Buffer): Float32Array {
  // Copy: the Buffer may share a pool and need not be 4-byte aligned.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
