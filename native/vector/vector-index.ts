import type hnswlib from 'hnswlib-node';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { sha256, sha256FileSync } from '../common/hash.js';
import type { PassageStore } from '../store/store.js';
import type { IndexState } from '../contract.js';
import { VectorTable } from './vector-table.js';

/**
 * hnswlib's addon, loaded by the first `VectorIndex.open`: a lexical-only process (no model
 * installed, the usual CLI search) never needs it, and loading it is part of a cold start.
 */
let HierarchicalNSW: typeof hnswlib.HierarchicalNSW;

/** What the index file covers, written beside it. */
interface Manifest {
  format: 2;
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
  /** The flat vector table file (`<index>.vectors`): trusted on size and mtime only. */
  tableBytes: number;
  tableMtimeMs: number;
}

export interface VectorHit {
  chunkId: number;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/**
 * HNSW parameters, chosen with `npm run bench -- --only vectors` (recall@10 against exact search,
 * on bag-of-words vectors of the synthetic corpus, 200 short queries). At 100,000 vectors:
 * M=16/efC=100/ef=96 (the old setting) 0.79; M=32/efC=200: 0.95 at ef=400, 0.97 at ef=800;
 * M=48/efC=300: 0.97 at ef=400, 0.98 at ef=800 (p50 5 ms on a loaded 2-core machine, 15× faster
 * than the exact scan). Inserts cost a few ms each, small beside embedding the passage (tens of ms).
 */
export interface HnswParams {
  m: number;
  efConstruction: number;
  ef: number;
  /** At or below this many vectors, search scans them all (exact, and about as fast as HNSW there). */
  exactBelow: number;
}

/** Below 5,000 vectors the exact scan takes ~2 ms (and is exact); above, HNSW is faster. */
export const HNSW_DEFAULTS: HnswParams = { m: 48, efConstruction: 300, ef: 800, exactBelow: 5_000 };

/**
 * An HNSW index over chunk embeddings: a cache of the vectors stored in SQLite, never the source
 * of truth. On open it compares itself with the database and adds what is missing, drops what is
 * gone, or rebuilds; a file that fails its checksum is rebuilt rather than trusted.
 */
export class VectorIndex {
  private index: InstanceType<typeof HierarchicalNSW>;
  private table: VectorTable;
  private deleted = new Set<number>();
  private dirty = false;
  health: IndexState['health'] = 'absent';
  readonly params: HnswParams;

  private constructor(
    private readonly path: string,
    readonly modelId: string,
    readonly dims: number,
    params: Partial<HnswParams> = {},
  ) {
    this.index = new HierarchicalNSW('cosine', dims);
    this.table = new VectorTable(dims);
    this.params = { ...HNSW_DEFAULTS, ...params };
  }

  /**
   * Opens the index at `path` for the vectors of `modelId` in the store, repairing it as needed.
   * A read-only store gets an index it never saves (the folder may not be writable).
   */
  static async open(passages: PassageStore, path: string, modelId: string, dims: number, options: { readOnly?: boolean; params?: Partial<HnswParams> } = {}): Promise<VectorIndex> {
    HierarchicalNSW ??= (await import('hnswlib-node')).default.HierarchicalNSW;
    const vi = new VectorIndex(path, modelId, dims, options.params);
    vi.readOnly = options.readOnly ?? false;
    vi.health = await vi.load(passages);
    return vi;
  }

  private readOnly = false;

  get size(): number {
    return this.table.size;
  }

  /** The stored vectors of these passages (those the index holds), from memory. */
  vectorsOf(ids: Iterable<number>): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    for (const id of ids) {
      const v = this.table.get(id);
      if (v) out.set(id, v);
    }
    return out;
  }

  private async load(passages: PassageStore): Promise<IndexState['health']> {
    const dbIds = await passages.embeddedIds();
    const manifest = readManifest(this.path);
    const fileOk = manifest && manifest.modelId === this.modelId && manifest.dims === this.dims && fileMatches(this.path, manifest);
    if (fileOk) {
      try {
        this.index.readIndexSync(this.path);
        this.index.setEf(this.params.ef);
        this.deleted = new Set(manifest.deleted);
        const table = tableMatches(this.path, manifest) ? VectorTable.load(tablePath(this.path), this.dims) : null;
        const live = this.index.getIdsList().filter((id) => !this.deleted.has(id));
        if (table && table.size === live.length) this.table = table;
        else {
          // The table file is missing or stale: the vectors come from SQLite (the index keeps
          // them only inside its graph).
          this.table = new VectorTable(this.dims, live.length);
          await this.pageFromStore(passages, live, (id, v) => this.table.set(id, normalized(v)));
          this.dirty = true;
        }
        if (manifest.idsChecksum === checksum(dbIds) && this.table.size === dbIds.length) {
          if (this.dirty) this.save();
          return 'ok';
        }
        // The database moved on since the index was written: bring the index in step.
        const want = new Set(dbIds);
        this.remove(this.table.idList().filter((id) => !want.has(id)));
        const missing = dbIds.filter((id) => !this.table.has(id));
        await this.pageFromStore(passages, missing, (id, v) => this.add(id, v));
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
    this.initIndex(Math.max(1024, Math.ceil(ids.length * 1.25)));
    this.table = new VectorTable(this.dims, ids.length);
    this.deleted.clear();
    await this.pageFromStore(passages, ids, (id, v) => this.add(id, v));
  }

  private initIndex(maxElements: number): void {
    this.index.initIndex({ maxElements, m: this.params.m, efConstruction: this.params.efConstruction, randomSeed: 42 });
    this.index.setEf(this.params.ef);
  }

  /** Vectors read in pages: a rebuild of a million passages does not hold them all twice. */
  private async pageFromStore(passages: PassageStore, ids: number[], use: (id: number, v: Float32Array) => void): Promise<void> {
    for (let i = 0; i < ids.length; i += 4096) {
      const page = await passages.vectors(ids.slice(i, i + 4096));
      for (const [id, v] of page) use(id, v);
    }
  }

  add(chunkId: number, vector: Float32Array): void {
    if (vector.length !== this.dims) throw new Error(`vector of ${vector.length} dims for an index of ${this.dims}`);
    if (this.index.getMaxElements() === 0) this.initIndex(1024);
    if (this.index.getCurrentCount() >= this.index.getMaxElements()) {
      this.index.resizeIndex(Math.ceil(this.index.getMaxElements() * 1.5) + 1024);
    }
    // Chunk ids are never reused (AUTOINCREMENT), so a label is only ever added once.
    if (this.deleted.has(chunkId)) {
      this.index.unmarkDelete(chunkId);
      this.deleted.delete(chunkId);
    }
    this.index.addPoint(Array.from(vector), chunkId);
    this.table.set(chunkId, normalized(vector));
    this.dirty = true;
  }

  remove(chunkIds: Iterable<number>): void {
    for (const id of chunkIds) {
      if (!this.table.has(id)) continue;
      this.index.markDelete(id);
      this.table.delete(id);
      this.deleted.add(id);
      this.dirty = true;
    }
  }

  /**
   * Nearest chunks to `vector`; `allow` restricts the labels considered (filters). Small indexes
   * are scanned exactly; larger ones go through HNSW with the configured ef.
   */
  search(vector: Float32Array, k: number, allow?: (chunkId: number) => boolean): VectorHit[] {
    if (!this.table.size) return [];
    const n = Math.min(k, this.table.size);
    if (this.table.size <= this.params.exactBelow) return this.exact(vector, n, allow);
    this.index.setEf(Math.max(this.params.ef, n));
    const res = allow ? this.index.searchKnn(Array.from(vector), n, allow) : this.index.searchKnn(Array.from(vector), n);
    return res.neighbors.map((chunkId, i) => ({ chunkId, similarity: 1 - res.distances[i]! }));
  }

  /** Exact nearest neighbours by scanning every vector (the benchmark's reference too). */
  exact(vector: Float32Array, k: number, allow?: (chunkId: number) => boolean): VectorHit[] {
    return this.table.nearest(normalized(vector), k, allow).map((h) => ({ chunkId: h.id, similarity: h.score }));
  }

  /** Writes the index and its manifest (temp file + rename, so a crash leaves the old pair or none). */
  save(): void {
    if (this.readOnly) return;
    if (!this.dirty && existsSync(this.path)) return;
    if (!this.table.size && !this.deleted.size) {
      VectorIndex.discard(this.path);
      this.dirty = false;
      return;
    }
    const tmp = `${this.path}.tmp`;
    this.index.writeIndexSync(tmp);
    this.table.save(`${tablePath(this.path)}.tmp`);
    rmSync(manifestPath(this.path), { force: true });
    renameSync(tmp, this.path);
    renameSync(`${tablePath(this.path)}.tmp`, tablePath(this.path));
    const st = statSync(this.path);
    const tt = statSync(tablePath(this.path));
    const manifest: Manifest = {
      format: 2,
      modelId: this.modelId,
      dims: this.dims,
      count: this.table.size,
      idsChecksum: checksum(this.table.idList()),
      deleted: [...this.deleted],
      fileBytes: st.size,
      fileMtimeMs: st.mtimeMs,
      fileSha256: sha256FileSync(this.path),
      tableBytes: tt.size,
      tableMtimeMs: tt.mtimeMs,
    };
    writeFileSync(`${manifestPath(this.path)}.tmp`, JSON.stringify(manifest));
    renameSync(`${manifestPath(this.path)}.tmp`, manifestPath(this.path));
    this.dirty = false;
  }

  /** Removes the index files (e.g. when the model changes). */
  static discard(path: string): void {
    rmSync(path, { force: true });
    rmSync(manifestPath(path), { force: true });
    rmSync(tablePath(path), { force: true });
  }
}

function tablePath(indexPath: string): string {
  return `${indexPath}.vectors`;
}

function tableMatches(indexPath: string, m: Manifest): boolean {
  try {
    const st = statSync(tablePath(indexPath));
    return st.size === m.tableBytes && st.mtimeMs === m.tableMtimeMs;
  } catch {
    return false;
  }
}

/** hnswlib's cosine space normalises what it stores; the table does the same, so scores agree. */
function normalized(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (!n || Math.abs(n - 1) < 1e-6) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

export function manifestPath(indexPath: string): string {
  return `${indexPath}.json`;
}

function readManifest(path: string): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(manifestPath(path), 'utf8')) as Manifest;
    return m.format === 2 && Array.isArray(m.deleted) ? m : null;
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
