/**
 * The number of passages, kept by triggers, so that search's share of passages holding a term
 * (`lexical.total`) and the stats read one row instead of counting an index of every passage:
 * `count(*)` took 8–13 ms of a cold search at 100,000 passages (HINDSIGHT_SQL_PROFILE), ten times
 * that at a million. FTS5's own row count cannot stand in: chunks_fts is contentless-delete, and
 * its averages record counts inserts, not deletes. A migration that rebuilds `chunks` must
 * recreate these triggers (and recount).
 */
export const migration0120 = {
  version: 120,
  sql: `
CREATE TABLE passage_count (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
) STRICT;
INSERT INTO passage_count (id, n) SELECT 1, count(*) FROM chunks;

CREATE TRIGGER passage_count_insert AFTER INSERT ON chunks BEGIN
  UPDATE passage_count SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER passage_count_delete AFTER DELETE ON chunks BEGIN
  UPDATE passage_count SET n = n - 1 WHERE id = 1;
END;
`,
};
