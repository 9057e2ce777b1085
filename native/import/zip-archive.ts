import yauzl from 'yauzl';
import { HindsightError, type ErrorReason } from '../common/errors.js';
import { IMPORT_LIMITS } from './limits.js';

export interface ZipEntryInfo {
  name: string;
  size: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * A ZIP read in place, never extracted to disk. Opening it checks every entry first and refuses
 * the archive as a whole when something is wrong: paths that escape (zip-slip) or are absolute,
 * symlinks, encrypted entries, too many entries, or an expansion that looks like a zip bomb.
 * Entry sizes are verified again while reading, so a lying header cannot expand past them.
 */
export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly byName: Map<string, yauzl.Entry>,
    readonly what: string,
  ) {}

  static async fromBuffer(buffer: Buffer, what: string): Promise<ZipArchive> {
    return ZipArchive.init(() => yauzl.fromBufferPromise(buffer, options), what);
  }

  static async fromPath(path: string, what: string): Promise<ZipArchive> {
    return ZipArchive.init(() => yauzl.openPromise(path, options), what);
  }

  private static async init(open: () => Promise<yauzl.ZipFile>, what: string): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    try {
      zip = await open();
    } catch (err) {
      throw new HindsightError('bad-archive', `${what} is not a readable ZIP archive (${(err as Error).message}).`);
    }
    try {
      const entries = await readEntries(zip, what);
      return new ZipArchive(zip, entries, what);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  get entries(): ZipEntryInfo[] {
    return [...this.byName.values()].filter((e) => !e.fileName.endsWith('/')).map((e) => ({ name: e.fileName, size: e.uncompressedSize }));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The bytes of one entry, at most `maxBytes`. */
  async read(name: string, maxBytes: number = IMPORT_LIMITS.maxDocumentBytes): Promise<Buffer> {
    const entry = this.byName.get(name);
    if (!entry) throw new HindsightError('not-found', `${this.what} has no entry ${name}.`);
    if (entry.uncompressedSize > maxBytes) {
      throw new HindsightError('too-large', `${this.what}!${name} is ${entry.uncompressedSize} bytes; the limit is ${maxBytes}.`);
    }
    const stream = await this.zip.openReadStreamPromise(entry);
    const parts: Buffer[] = [];
    let total = 0;
    try {
      for await (const part of stream) {
        total += (part as Buffer).length;
        if (total > maxBytes) throw new HindsightError('too-large', `${this.what}!${name} expands past ${maxBytes} bytes.`);
        parts.push(part as Buffer);
      }
    } catch (err) {
      stream.destroy();
      if (err instanceof HindsightError) throw err;
      throw new HindsightError('bad-archive', `${this.what}!${name} cannot be read (${(err as Error).message}).`);
    }
    return Buffer.concat(parts, total);
  }

  close(): void {
    this.zip.close();
  }
}

const options: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true, decodeStrings: true };

function readEntries(zip: yauzl.ZipFile, what: string): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const byName = new Map<string, yauzl.Entry>();
    let expanded = 0;
    let compressed = 0;
    const fail = (code: ErrorReason, message: string) => reject(new HindsightError(code, `${what}: ${message}`));
    zip.on('error', (err: Error) => {
      // yauzl reports unsafe names ("invalid relative path", "absolute path") as errors.
      const unsafe = /relative path|absolute path|invalid characters/i.test(err.message);
      fail(unsafe ? 'unsafe-archive' : 'bad-archive', unsafe ? `refused: an entry's path escapes the archive (${err.message}).` : `not a readable ZIP archive (${err.message}).`);
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      if (byName.size >= IMPORT_LIMITS.maxArchiveEntries) return fail('zip-bomb', `refused: more than ${IMPORT_LIMITS.maxArchiveEntries.toLocaleString()} entries.`);
      if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).includes('..')) {
        return fail('unsafe-archive', `refused: entry "${name}" points outside the archive.`);
      }
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
        return fail('unsafe-archive', `refused: entry "${name}" is a symbolic link.`);
      }
      if (entry.isEncrypted()) return fail('encrypted', `refused: entry "${name}" is encrypted; export it again without a password.`);
      expanded += entry.uncompressedSize;
      compressed += entry.compressedSize;
      if (expanded > IMPORT_LIMITS.maxArchiveExpandedBytes) {
        return fail('zip-bomb', `refused: it expands to more than ${Math.round(IMPORT_LIMITS.maxArchiveExpandedBytes / 1048576)} MB.`);
      }
      // Many entries that are each just under the per-entry check add up: the archive as a whole is measured too.
      if (expanded > 64 * 1024 * 1024 && expanded / Math.max(1, compressed) > IMPORT_LIMITS.maxCompressionRatio) {
        return fail('zip-bomb', `refused: its entries expand ${Math.round(expanded / Math.max(1, compressed))}x in all, which looks like a zip bomb.`);
      }
      if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize / Math.max(1, entry.compressedSize) > IMPORT_LIMITS.maxCompressionRatio) {
        return fail('zip-bomb', `refused: entry "${name}" expands ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}x, which looks like a zip bomb.`);
      }
      byName.set(name, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(byName));
    zip.readEntry();
  });
}
