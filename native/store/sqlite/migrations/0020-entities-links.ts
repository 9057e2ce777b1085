/**
 * Entities extracted at import, and links between documents.
 *
 * A link points at a *reference* ("ticket:SERVER-123", "slack:C024BE91L:1590000000.000100",
 * "url:https://…"), not at a row: the target may be imported later, or never. Documents declare
 * the references they answer to in `document_refs`, and a link resolves by joining the two.
 */
export const migration0020 = {
  version: 20,
  sql: `
CREATE TABLE entities (
  id      INTEGER PRIMARY KEY,
  type    TEXT NOT NULL,           -- service, error, technology, host, person, ticket, url
  key     TEXT NOT NULL,           -- normalised: the same thing is one entity
  name    TEXT NOT NULL,           -- how it is shown
  UNIQUE (type, key)
);

CREATE TABLE document_entities (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  entity_id   INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  mentions    INTEGER NOT NULL DEFAULT 1,
  from_field  INTEGER NOT NULL DEFAULT 0,  -- 1 when a structured field named it (assignee, component...)
  PRIMARY KEY (document_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX document_entities_entity ON document_entities(entity_id);

CREATE TABLE document_refs (
  ref         TEXT NOT NULL,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  PRIMARY KEY (ref, document_id)
) WITHOUT ROWID;
CREATE INDEX document_refs_document ON document_refs(document_id);

CREATE TABLE links (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  target      TEXT NOT NULL,        -- a reference, as in document_refs.ref
  relation    TEXT NOT NULL,        -- mentions, duplicates, relates to, is caused by, ...
  PRIMARY KEY (document_id, target, relation)
) WITHOUT ROWID;
CREATE INDEX links_target ON links(target);
`,
};
