import { readdir, lstat, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { HindsightError } from '../common/errors.js';
import { IMPORT_LIMITS } from './limits.js';
import { ZipArchive } from './zip-archive.js';

/**
 * A tree of files read the same way whether it is an unzipped folder or a ZIP archive (a Slack
 * export comes as either). Paths are relative, '/'-separated.
 */
export interface FileTree {
  /** For messages: the folder or archive path. */
  readonly root: string;
  readonly files: ReadonlyArray<{ path: string; size: number }>;
  read(path: string, maxBytes?: number): Promise<Buffer>;
  /** How a file inside is named in sources and errors ("export.zip!general/2024-01-01.json"). */
  name(path: string): string;
  close(): void;
  /** A bare message file without the export's metadata (users.json, channels.json). */
  loose?: boolean;
  /** Hidden entries a folder's walk passed over (paths inside, as in `files`; a folder ends in "/"), to be listed as skipped. */
  readonly hidden?: readonly string[];
}

export async function folderTree(root: string): Promise<FileTree> {
  const files: Array<{ path: string; size: number }> = [];
  const hidden: string[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.name.startsWith('.')) {
        hidden.push(relative(root, p).split(sep).join('/') + (e.isDirectory() ? '/' : ''));
        continue;
      }
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        files.push({ path: relative(root, p).split(sep).join('/'), size: (await lstat(p)).size });
        if (files.length > IMPORT_LIMITS.maxArchiveEntries) throw new HindsightError('too-many-files', `${root} has more than ${IMPORT_LIMITS.maxArchiveEntries} files.`);
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    root,
    files,
    hidden: hidden.sort(),
    read: async (path, maxBytes = IMPORT_LIMITS.maxDocumentBytes) => {
      const f = files.find((x) => x.path === path);
      if (f && f.size > maxBytes) throw new HindsightError('too-large', `${join(root, path)} is ${f.size} bytes; the limit is ${maxBytes}.`);
      return readFile(join(root, path));
    },
    name: (path) => join(root, path),
    close: () => {},
  };
}

/** A ZIP held in memory (a part inside another ZIP), named `outer!part!member` in messages. */
export async function bufferZipTree(buffer: Buffer, name: string): Promise<FileTree> {
  return archiveTree(await ZipArchive.fromBuffer(buffer, name), name);
}

export async function zipTree(path: string): Promise<FileTree> {
  return archiveTree(await ZipArchive.fromPath(path, path), path);
}

/** An opened archive (same bomb checks whether on disk or in memory) as a tree named `name!member`. */
function archiveTree(zip: ZipArchive, name: string): FileTree {
  const files = zip.entries.sort((a, b) => (a.name < b.name ? -1 : 1)).map((e) => ({ path: e.name, size: e.size }));
  return {
    root: name,
    files,
    read: (p, maxBytes) => zip.read(p, maxBytes),
    name: (p) => `${name}!${p}`,
    close: () => zip.close(),
  };
}
