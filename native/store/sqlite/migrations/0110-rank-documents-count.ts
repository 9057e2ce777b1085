/**
 * A small index over `rank_documents`, so that counting its rows reads a few pages instead of
 * every row (each holds its document's term blob: 149 ms to count 10,000 of them cold, at 100,000
 * passages). Every open asks whether some document has no term statistics yet
 * (`ranking.unanalysed`, the backfill of databases written before them): with the index the
 * answer is two index counts when none is due, not a scan of the documents table and the blobs.
 */
export const migration0110 = {
  version: 110,
  sql: `
CREATE INDEX rank_documents_count ON rank_documents(len_title);
`,
};
