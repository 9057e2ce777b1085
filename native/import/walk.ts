import { lstat, readdir, realpath } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { HindsightError } from '../common/errors.js';
import type { ImportFileError } from '../contract.js';
import { IMPORTABLE_EXTENSIONS } from './detect-format.js';
import { IMPORT_LIMITS } from './limits.js';

export interface FoundFile {
  path: string;
  /** The folder the user named, or the file itself. */
  root: string;
  /** An unzipped Slack export: the folder is read as one source. */
  slackExport?: boolean;
}

export interface WalkResult {
  files: FoundFile[];
  /** What a folder walk passed over, and why (listed in the import summary, not errors). */
  skipped: Array<{ source: string; reason: string }>;
  errors: ImportFileError[];
}

/** Files that sit beside records in repositories and exports but are not incident records. */
const NOT_RECORDS = /^(readme|licen[cs]e|copying|notice|changelog|changes|contributing|code_of_conduct|security|authors|provenance|source)(\.[a-z0-9]+)?$/i;
/** Folders that hold tooling, not records. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__MACOSX', '__pycache__']);

/**
 * Expands the paths a user gave into files. Folders are walked recursively; hidden entries,
 * symbolic links, tooling folders, readme/licence files and files of unknown kinds inside folders
 * are skipped, each with its reason. A path named explicitly is always tried.
 */
export async function walkPaths(
  paths: string[],
  extensions: ReadonlySet<string> = IMPORTABLE_EXTENSIONS,
  // A parameter so that tests can meet the limit with a few files rather than 200,000.
  maxFiles: number = IMPORT_LIMITS.maxFilesPerImport,
): Promise<WalkResult> {
  const files: FoundFile[] = [];
  const skipped: WalkResult['skipped'] = [];
  const errors: WalkResult['errors'] = [];
  const seen = new Set<string>();
  for (const given of paths) {
    const abs = resolve(given);
    let st;
    try {
      st = await lstat(abs);
      if (st.isSymbolicLink()) st = await lstat(await realpath(abs));
    } catch {
      errors.push({ source: abs, code: 'not-found', message: `${abs} does not exist or cannot be read.` });
      continue;
    }
    if (st.isFile()) {
      if (!seen.has(abs)) files.push({ path: abs, root: abs });
      seen.add(abs);
      continue;
    }
    if (!st.isDirectory()) {
      errors.push({ source: abs, code: 'refused-input', reason: 'not-a-file', message: `${abs} is neither a file nor a folder.` });
      continue;
    }
    const stack = [abs];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        errors.push({ source: dir, code: 'refused-input', reason: 'unreadable', message: `The folder ${dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).` });
        continue;
      }
      // A folder with the export's metadata is a Slack export: read as one source, not file by file.
      if (entries.some((e) => e.isFile() && (e.name === 'channels.json' || e.name === 'users.json'))) {
        if (!seen.has(dir)) files.push({ path: dir, root: abs, slackExport: true });
        seen.add(dir);
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const p = join(dir, e.name);
        const why = skipReason(e.name, e.isDirectory(), e.isSymbolicLink(), extensions);
        if (why) {
          skipped.push({ source: p, reason: why });
          continue;
        }
        if (e.isDirectory()) stack.push(p);
        else if (e.isFile() && !seen.has(p)) {
          seen.add(p);
          files.push({ path: p, root: abs });
          if (files.length > maxFiles) {
            throw new HindsightError('too-many-files', `More than ${maxFiles.toLocaleString()} files under ${abs}; import a narrower folder.`);
          }
        }
      }
    }
  }
  return { files, skipped, errors };
}

/** Why a folder walk passes over an entry, or null when it reads it. */
export function skipReason(name: string, isDirectory: boolean, isSymlink: boolean, extensions: ReadonlySet<string> = IMPORTABLE_EXTENSIONS): string | null {
  if (name.startsWith('.')) return isDirectory ? 'a hidden folder' : 'a hidden file';
  if (isSymlink) return 'a symbolic link (links inside folders are not followed)';
  if (isDirectory) return SKIPPED_FOLDERS.has(name) ? 'a tooling folder, not records' : null;
  if (NOT_RECORDS.test(name)) return 'a readme or licence file, not an incident record';
  const ext = extname(name).toLowerCase();
  if (!extensions.has(ext)) return ext ? `not a kind of file Hindsight imports (${ext})` : 'not a kind of file Hindsight imports (no extension)';
  return null;
}
