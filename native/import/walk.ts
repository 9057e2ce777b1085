import { lstat, readdir, realpath } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { HindsightError } from '../common/errors.js';
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
  errors: Array<{ source: string; code: string; message: string }>;
}

/**
 * Expands the paths a user gave into files. Folders are walked recursively; hidden entries and
 * symbolic links inside folders are skipped (no loops, no escaping the folder), and only known
 * extensions are picked up there. A path named explicitly is always tried.
 */
export async function walkPaths(paths: string[], extensions: ReadonlySet<string> = IMPORTABLE_EXTENSIONS): Promise<WalkResult> {
  const files: FoundFile[] = [];
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
      errors.push({ source: abs, code: 'not-a-file', message: `${abs} is neither a file nor a folder.` });
      continue;
    }
    const stack = [abs];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        errors.push({ source: dir, code: 'unreadable', message: `The folder ${dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).` });
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
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) stack.push(p);
        else if (e.isFile() && extensions.has(extname(e.name).toLowerCase()) && !seen.has(p)) {
          seen.add(p);
          files.push({ path: p, root: abs });
          if (files.length > IMPORT_LIMITS.maxFilesPerImport) {
            throw new HindsightError('too-many-files', `More than ${IMPORT_LIMITS.maxFilesPerImport.toLocaleString()} files under ${abs}; import a narrower folder.`);
          }
        }
      }
    }
  }
  return { files, errors };
}
