/**
 * The terms of a text exactly as the FTS5 index stores them (`porter unicode61 remove_diacritics 2`,
 * native/store/migrations/0010-initial.ts): one tokenizer for per-document statistics at import,
 * for the second-pass scorer, for similar and for patterns, so that a term means the same thing
 * everywhere. Verified token for token against FTS5 itself (test/native/rank/tokenize.spec.ts).
 */
import { porterStem } from './porter.js';
import { unicode61Tokens } from './unicode61.js';

export { porterStem } from './porter.js';
export { unicode61Tokens } from './unicode61.js';

/** The indexed terms of text, in order, repeats kept (FTS5's token sequence). */
export function indexTerms(text: string): string[] {
  const tokens = unicode61Tokens(text);
  for (let i = 0; i < tokens.length; i++) tokens[i] = porterStem(tokens[i]!);
  return tokens;
}

/** Term frequencies of text. */
export function termCounts(text: string, into: Map<string, number> = new Map()): Map<string, number> {
  for (const t of indexTerms(text)) into.set(t, (into.get(t) ?? 0) + 1);
  return into;
}
