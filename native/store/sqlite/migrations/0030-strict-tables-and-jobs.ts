import type Database from 'better-sqlite3';

/**
 * Every table rebuilt as STRICT (a value of the wrong type is an error, not a silent coercion),
 * and imports become jobs: queued before they run, owned by a process (an import whose process
 * died is `interrupted`, not `running` forever), with skipped files kept beside failed ones.
 *
 * Rows keep their ids, so the contentless full-text index (keyed by passage id) and the vector
 * index stay valid; the passage id sequence is carried over so that ids are never reused.
 */
const SQL = `
CREATE TABLE imports_new (
  id                  INTEGER PRIMARY KEY,
  started_at          TEXT NOT NULL,           -- when it was asked for
  finished_at         TEXT,
  status              TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
  paths               TEXT NOT NULL,           -- JSON array of what the user asked to import
  pid                 INTEGER,                 -- the process that runs it
  files_total         INTEGER NOT NULL DEFAULT 0,
  files_seen          INTEGER NOT NULL DEFAULT 0,
  files_failed        INTEGER NOT NULL DEFAULT 0,
  files_skipped       INTEGER NOT NULL DEFAULT 0,
  documents_added     INTEGER NOT NULL DEFAULT 0,
  documents_updated   INTEGER NOT NULL DEFAULT 0,
  documents_unchanged INTEGER NOT NULL DEFAULT 0,
  documents_duplicate INTEGER NOT NULL DEFAULT 0,
  chunks_written      INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO imports_new (id, started_at, finished_at, status, paths, files_total, files_seen, files_failed,
  documents_added, documents_updated, documents_unchanged, chunks_written)
SELECT id, started_at, finished_at, CASE status WHEN 'running' THEN 'interrupted' ELSE status END, paths,
  files_seen, files_seen, files_failed, documents_added, documents_updated, documents_unchanged, chunks_written
FROM imports;

-- What an import could not take: files (or records inside them) that failed, and files it skipped.
CREATE TABLE import_issues (
  id        INTEGER PRIMARY KEY,
  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  outcome   TEXT NOT NULL CHECK (outcome IN ('failed', 'skipped')),
  source    TEXT NOT NULL,
  record    TEXT,                              -- position or key inside the file
  code      TEXT NOT NULL,
  reason    TEXT,
  message   TEXT NOT NULL
) STRICT;
INSERT INTO import_issues (import_id, outcome, source, code, message)
SELECT import_id, 'failed', source, code, message FROM import_errors;
DROP TABLE import_errors;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
CREATE INDEX import_issues_import ON import_issues(import_id);
CREATE INDEX imports_status ON imports(status);

CREATE TABLE documents_new (
  id            INTEGER PRIMARY KEY,
  uid           TEXT NOT NULL UNIQUE,
  origin        TEXT NOT NULL,
  kind          TEXT NOT NULL,
  format        TEXT NOT NULL,
  title         TEXT NOT NULL,
  source        TEXT NOT NULL,
  url           TEXT,
  external_id   TEXT,
  occurred_at   TEXT,
  resolved_at   TEXT,
  severity      TEXT,
  status        TEXT,
  metadata      TEXT NOT NULL DEFAULT '{}',
  body          TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  import_id     INTEGER REFERENCES imports(id) ON DELETE SET NULL,
  imported_at   TEXT NOT NULL
) STRICT;
INSERT INTO documents_new SELECT id, uid, origin, kind, format, title, source, url, external_id, occurred_at, resolved_at,
  severity, status, metadata, body, content_hash, import_id, imported_at FROM documents;

CREATE TABLE chunks_new (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ord          INTEGER NOT NULL,
  heading      TEXT NOT NULL,
  role         TEXT NOT NULL,
  text         TEXT NOT NULL,
  start_offset INTEGER NOT NULL,
  end_offset   INTEGER NOT NULL,
  tokens       INTEGER NOT NULL,
  embedding    BLOB,
  UNIQUE (document_id, ord)
) STRICT;
INSERT INTO chunks_new SELECT id, document_id, ord, heading, role, text, start_offset, end_offset, tokens, embedding FROM chunks;

CREATE TABLE entities_new (
  id   INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  key  TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (type, key)
) STRICT;
INSERT INTO entities_new SELECT id, type, key, name FROM entities;

CREATE TABLE document_entities_new (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  entity_id   INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  mentions    INTEGER NOT NULL DEFAULT 1,
  from_field  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (document_id, entity_id)
) STRICT, WITHOUT ROWID;
INSERT INTO document_entities_new SELECT document_id, entity_id, mentions, from_field FROM document_entities;

CREATE TABLE document_refs_new (
  ref         TEXT NOT NULL,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  PRIMARY KEY (ref, document_id)
) STRICT, WITHOUT ROWID;
INSERT INTO document_refs_new SELECT ref, document_id FROM document_refs;

CREATE TABLE links_new (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  target      TEXT NOT NULL,
  relation    TEXT NOT NULL,
  PRIMARY KEY (document_id, target, relation)
) STRICT, WITHOUT ROWID;
INSERT INTO links_new SELECT document_id, target, relation FROM links;

CREATE TABLE meta_new (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT INTO meta_new SELECT key, CAST(value AS TEXT) FROM meta;

DROP TABLE links;
DROP TABLE document_refs;
DROP TABLE document_entities;
DROP TABLE entities;
DROP TABLE chunks;
DROP TABLE documents;
DROP TABLE meta;
ALTER TABLE documents_new RENAME TO documents;
ALTER TABLE chunks_new RENAME TO chunks;
ALTER TABLE entities_new RENAME TO entities;
ALTER TABLE document_entities_new RENAME TO document_entities;
ALTER TABLE document_refs_new RENAME TO document_refs;
ALTER TABLE links_new RENAME TO links;
ALTER TABLE meta_new RENAME TO meta;

CREATE INDEX documents_kind ON documents(kind);
CREATE INDEX documents_occurred ON documents(occurred_at);
CREATE INDEX documents_origin ON documents(origin);
CREATE INDEX documents_import ON documents(import_id);
CREATE INDEX chunks_pending ON chunks(id) WHERE embedding IS NULL;
CREATE INDEX document_entities_entity ON document_entities(entity_id);
CREATE INDEX document_refs_document ON document_refs(document_id);
CREATE INDEX links_target ON links(target);

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
`;

export const migration0030 = {
  version: 30,
  up(db: Database.Database): void {
    // The passage id sequence moves with its table: ids of deleted passages stay unused.
    const seq = (db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'chunks'`).pluck().get() as number | undefined) ?? 0;
    db.exec(SQL);
    const now = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'chunks'`).pluck().get() as number | undefined;
    if (now === undefined) db.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES ('chunks', ?)`).run(seq);
    else if (now < seq) db.prepare(`UPDATE sqlite_sequence SET seq = ? WHERE name = 'chunks'`).run(seq);
  },
};
