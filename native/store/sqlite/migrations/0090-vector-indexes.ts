/**
 * A partial index over the passages that have a vector (`chunks_pending` already covers those
 * without). Opening the vector index compares its labels with `SELECT id … WHERE embedding IS
 * NOT NULL`: without it that is a scan of the whole chunks table, vectors and text included
 * (most of the 1.1 s the index took to open at 100,000 passages), on every cold start; with it,
 * a read of a small index. It also covers (document, role), so the passages of candidate
 * documents are listed without touching their rows (the vectors themselves come from memory).
 *
 * Numbered 0090 to stay clear of the migrations being written in parallel (0040…).
 */
export const migration0090 = {
  version: 90,
  sql: `
CREATE INDEX chunks_embedded ON chunks(document_id, id, role) WHERE embedding IS NOT NULL;
`,
};
