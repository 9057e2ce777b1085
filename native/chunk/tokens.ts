/**
 * A cheap upper estimate of how many WordPiece tokens a text becomes. Chunking runs on every
 * import, so it must not call the tokenizer; the estimate errs high so chunks fit the model.
 */
const PIECE = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

export function estimateTokens(text: string): number {
  let n = 0;
  for (const m of text.matchAll(PIECE)) {
    // Long words split into several word pieces; about one extra per 6 characters past 6.
    n += 1 + (m[0].length > 6 ? Math.ceil((m[0].length - 6) / 6) : 0);
  }
  return n;
}
