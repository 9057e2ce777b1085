import { existsSync, readdirSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';

/** Whether a path lies in browser mode's upload folder (a dropped file, gone after its import). */
export function isUpload(path: string, uploadDir: string | undefined): boolean {
  if (!uploadDir) return false;
  const root = resolve(uploadDir) + sep;
  return resolve(path).startsWith(root);
}

/**
 * What the user calls an import, for its card and the history: the names they dropped (the top
 * entries of an upload batch), or the names of the files and folders they chose. Never an upload
 * folder's path.
 */
export function importLabel(paths: readonly string[], uploadDir?: string): string {
  const names: string[] = [];
  for (const p of paths) {
    if (isUpload(p, uploadDir)) {
      const rel = relative(resolve(uploadDir!), resolve(p)).split(sep);
      // `<uploads>/<batch>` is the whole drop: its entries are what was dropped.
      if (rel.length > 1) names.push(rel[rel.length - 1]!);
      else names.push(...droppedNames(resolve(p)));
    } else {
      names.push(basename(resolve(p)) || p);
    }
  }
  return joinNames(names.length ? names : ['Dropped files']);
}

function droppedNames(batch: string): string[] {
  if (!existsSync(batch)) return [];
  try {
    const entries = readdirSync(batch).sort((a, b) => a.localeCompare(b));
    // Hidden files come along with a dropped folder's contents; they are not what the user dropped.
    const visible = entries.filter((e) => !e.startsWith('.'));
    return visible.length ? visible : entries;
  } catch {
    return [];
  }
}

/** "a.md", "a.md, b.pdf", "a.md, b.pdf and 3 more". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 2) return names.join(', ');
  return `${names[0]}, ${names[1]} and ${names.length - 2} more`;
}
