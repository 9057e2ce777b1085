import type { ImportFileError } from '../../native/contract.js';
import type { ParsedDocument } from '../../native/import/parsed-document.js';
import { readSource, type SourceOptions } from '../../native/import/read-source.js';
import { walkPaths } from '../../native/import/walk.js';

/** Reads one path (file or export folder) the way an import does, collecting its documents. */
export async function parseSource(
  path: string,
  options: Partial<SourceOptions> = {},
): Promise<{ format: string; documents: ParsedDocument[]; reported: ImportFileError[]; channels?: unknown }> {
  const reported: ImportFileError[] = [];
  const { files } = await walkPaths([path]);
  const found = files.find((f) => f.path === path) ?? { path, root: path };
  const source = await readSource(found, { report: (e) => reported.push(e), ...options });
  const documents: ParsedDocument[] = [];
  try {
    for await (const d of source.documents) documents.push(d);
  } finally {
    source.close();
  }
  return { format: source.format, documents, reported, channels: source.channels };
}
