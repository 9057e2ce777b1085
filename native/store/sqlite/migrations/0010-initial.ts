/** Documents, their passages with embeddings, full-text index, imports and meta. */
export const migration0010 = {
  version: 10,
  sql: `
CREATE TABLE imports (
  id            INTEGER PRIMARY KEY,
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  paths         TEXT NOT NULL,           -- JSON array of what the user asked to import
  files_seen    INTEGER NOT NULL DEFAULT 0,
  files_failed  INTEGER NOT NULL DEFAULT 0,
  documents_added     INTEGER NOT NULL DEFAULT 0,
  documents_updated   INTEGER NOT NULL DEFAULT 0,
  documents_unchanged INTEGER NOT NULL DEFAULT 0,
  chunks_written      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE import_errors (
  id        INTEGER PRIMARY KEY,
  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  source    TEXT NOT NULL,
  code      TEXT NOT NULL,
  message   TEXT NOT NULL
);
CREATE INDEX import_errors_import ON import_errors(import_id);

CREATE TABLE documents (
  id            INTEGER PRIMARY KEY,
  uid           TEXT NOT NULL UNIQUE,    -- stable identity across re-imports (file path, ticket key, thread ts)
  origin        TEXT NOT NULL,           -- the file (or archive) it was read from; one file may yield many documents
  kind          TEXT NOT NULL,
  format        TEXT NOT NULL,           -- markdown, html, docx, pdf, text, ...
  title         TEXT NOT NULL,
  source        TEXT NOT NULL,           -- absolute path as imported, archive member, or URL
  url           TEXT,
  external_id   TEXT,
  occurred_at   TEXT,
  resolved_at   TEXT,
  severity      TEXT,
  status        TEXT,
  metadata      TEXT NOT NULL DEFAULT '{}',
  body          TEXT NOT NULL,           -- normalized Markdown
  content_hash  TEXT NOT NULL,
  import_id     INTEGER REFERENCES imports(id) ON DELETE SET NULL,
  imported_at   TEXT NOT NULL
);
CREATE INDEX documents_kind ON documents(kind);
CREATE INDEX documents_occurred ON documents(occurred_at);
CREATE INDEX documents_origin ON documents(origin);

-- AUTOINCREMENT: a chunk id is never reused, so the vector index can use it as a label and a
-- stale index can never attach an old vector to a new passage.
CREATE TABLE chunks (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ord          INTEGER NOT NULL,
  heading      TEXT NOT NULL,            -- heading path, " > " separated
  role         TEXT NOT NULL,
  text         TEXT NOT NULL,
  start_offset INTEGER NOT NULL,         -- into documents.body
  end_offset   INTEGER NOT NULL,
  tokens       INTEGER NOT NULL,         -- estimated model tokens
  embedding    BLOB,                     -- float32 little-endian, model named in meta
  UNIQUE (document_id, ord)
);
CREATE INDEX chunks_pending ON chunks(id) WHERE embedding IS NULL;

-- Contentless with delete support: we render our own snippets, so FTS only needs the index.
-- The title is indexed with every passage so that a title match lifts all of a document.
CREATE VIRTUAL TABLE chunks_fts USING fts5(
  title, heading, text,
  content = '',
  contentless_delete = 1,
  tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts (rowid, title, heading, text)
  VALUES (new.id, (SELECT title FROM documents WHERE id = new.document_id), new.heading, new.text);
END;
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
  DELETE FROM chunks_fts WHERE rowid = old.id;
END;
CREATE TRIGGER chunks_fts_update AFTER UPDATE OF heading, text ON chunks BEGIN
  DELETE FROM chunks_fts WHERE rowid = old.id;
  INSERT INTO chunks_fts (rowid, title, heading, text)
  VALUES (new.id, (SELECT title FROM documents WHERE id = new.document_id), new.heading, new.text);
END;

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
};
