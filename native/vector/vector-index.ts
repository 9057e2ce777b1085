import hnswlib from 'hnswlib-node';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { sha256, sha256FileSync } from '../common/hash.js';
import type { PassageStore } from '../store/store.js';
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

  /**
   * Opens the index at `path` for the vectors of `modelId` in the store, repairing it as needed.
   * A read-only store gets an index it never saves (the folder may not be writable).
   */
  static async open(passages: PassageStore, path: string, modelId: string, dims: number, options: { readOnly?: boolean } = {}): Promise<VectorIndex> {
    const vi = new VectorIndex(path, modelId, dims);
    vi.readOnly = options.readOnly ?? false;
    vi.health = await vi.load(passages);
    return vi;
  }

  private readOnly = false;

  get size(): number {
    return this.live.size;
  }

  private async load(passages: PassageStore): Promise<IndexState['health']> {
    const dbIds = await passages.embeddedIds();
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
        await this.addFromStore(passages, missing);
        this.save();
        return 'repaired';
      } catch {
        // Fall through to a rebuild: the file is not what its manifest says.
      }
    }
    const hadFile = existsSync(this.path);
    await this.rebuild(passages, dbIds);
    if (dbIds.length) this.save();
    return hadFile || dbIds.length ? 'rebuilt' : 'absent';
  }

  private async rebuild(passages: PassageStore, ids: number[]): Promise<void> {
    this.index = new HierarchicalNSW('cosine', this.dims);
    this.index.initIndex({ maxElements: Math.max(1024, Math.ceil(ids.length * 1.25)), m: M, efConstruction: EF_CONSTRUCTION, randomSeed: 42 });
    this.index.setEf(EF_SEARCH);
    this.live.clear();
    this.deleted.clear();
    await this.addFromStore(passages, ids);
  }

  /** Vectors read in pages: a rebuild of a million passages does not hold them all at once. */
  private async addFromStore(passages: PassageStore, ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 4096) {
      const page = await passages.vectors(ids.slice(i, i + 4096));
      for (const [id, v] of page) this.add(id, v);
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
    if (this.readOnly) return;
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
