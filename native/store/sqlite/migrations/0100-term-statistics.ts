/**
 * Term statistics for ranking (native/rank): what "similar past incidents" scores with, stored at
 * import in the document's own transaction and kept current by exactly each document's rows.
 *
 * Rows are kept per document and per passage (their term frequencies as one blob each), not per
 * (term, document): a table keyed by term would make every imported document dirty hundreds of
 * pages spread over the whole table, and each commit writes every dirty page to the WAL (measured:
 * 40× the cost of writing the passages and their FTS5 rows). Blobs keyed by document and passage
 * are appended where the rows of the last import are, so a document costs a handful of pages.
 * The posting lists the scorers read are built from these rows in memory and kept in step with
 * every write (store/sqlite/term-postings.ts); `rank_state.generation` tells another process
 * that its copy is out of date.
 *
 * - `rank_vocabulary`: every term any document has held, with a stable id (blobs name terms by id).
 * - `rank_documents`: field lengths (title, headings, text) and term frequencies of a document
 *   (term id, title, headings, text; see term-blobs.ts).
 * - `rank_passages`: the same per passage (the document title is counted with every passage, as
 *   the FTS5 index does).
 * - `rank_expansions`: a document's neighbour expansion (term id → pseudo-frequency) and the
 *   neighbours that lent it; `rank_expansion_queue`: documents written since their last expansion.
 * - `rank_latent_model`: the corpus's latent model (LSA), with what changed since it was trained
 *   (its staleness); `rank_latent_vectors`: each passage's vector in it (the model's projection of
 *   the passage's terms, unit length), written with the model for the passages it trained on and
 *   with each passage written later (folded in). Stored rather than recomputed on load: projecting
 *   100,000 passages costs seconds (a random basis row per term), reading them a fraction of that.
 */
export const migration0100 = {
  version: 100,
  sql: `
CREATE TABLE rank_vocabulary (
  id   INTEGER PRIMARY KEY,
  term TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE rank_documents (
  document_id  INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  len_title    INTEGER NOT NULL,
  len_headings INTEGER NOT NULL,
  len_text     INTEGER NOT NULL,
  terms        BLOB NOT NULL
) STRICT;

CREATE TABLE rank_passages (
  passage_id   INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
  document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  len_title    INTEGER NOT NULL,
  len_headings INTEGER NOT NULL,
  len_text     INTEGER NOT NULL,
  terms        BLOB NOT NULL
) STRICT;
CREATE INDEX rank_passages_document ON rank_passages(document_id);

CREATE TABLE rank_expansions (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  terms       BLOB NOT NULL,
  neighbours  TEXT NOT NULL DEFAULT '[]'   -- JSON [[document id, similarity], ...]
) STRICT;

CREATE TABLE rank_expansion_queue (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE
) STRICT;

CREATE TABLE rank_state (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL
) STRICT;
INSERT INTO rank_state (id, generation) VALUES (1, 0);

CREATE TABLE rank_latent_model (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  trained_at      TEXT NOT NULL,
  settings        TEXT NOT NULL,            -- JSON LsaSettings
  trained_units   INTEGER NOT NULL,         -- passages in the corpus when it was trained
  trained_through INTEGER NOT NULL,         -- highest passage id it had seen
  vocabulary      BLOB NOT NULL,            -- its terms, UTF-8, one per line, in basis order
  idf             BLOB NOT NULL,            -- float32 per term
  basis           BLOB NOT NULL,            -- float32, terms × rank, row-major
  singular_values BLOB NOT NULL,            -- float32 per dimension
  added           INTEGER NOT NULL DEFAULT 0,
  removed         INTEGER NOT NULL DEFAULT 0,
  folded_weight   REAL NOT NULL DEFAULT 0,
  unknown_weight  REAL NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE rank_latent_vectors (
  passage_id  INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  vector      BLOB NOT NULL               -- float32 × the model's rank
) STRICT;
CREATE INDEX rank_latent_vectors_document ON rank_latent_vectors(document_id);
`,
};
