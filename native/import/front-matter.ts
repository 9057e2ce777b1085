import { parse as parseYaml } from 'yaml';
import { IMPORT_LIMITS } from './limits.js';

export interface FrontMatter {
  data: Record<string, unknown>;
  body: string;
}

/**
 * Splits a leading YAML front-matter block from Markdown. A block that is not valid YAML (or is
 * too large, or uses alias bombs) is left in the body untouched rather than failing the file.
 */
export function splitFrontMatter(text: string): FrontMatter {
  const m = /^---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/.exec(text);
  if (!m || m[1]!.length > IMPORT_LIMITS.maxFrontMatterBytes) return { data: {}, body: text };
  try {
    const data = parseYaml(m[1]!, { maxAliasCount: 20, prettyErrors: false }) as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) return { data: {}, body: text };
    return { data: data as Record<string, unknown>, body: text.slice(m[0].length) };
  } catch {
    return { data: {}, body: text };
  }
}
