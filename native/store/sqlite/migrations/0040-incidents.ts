/**
 * Incidents: what users think in. One incident groups the records of one event (a postmortem, its
 * Slack threads, its tickets and pages); recurrences stay separate incidents, linked.
 *
 * - `record_fields`: the fields extracted from each record (JSON of `IncidentFields`, with
 *   provenance), and the extraction version that wrote them (a newer one re-extracts).
 * - `incidents`: the merged fields of each incident, with the columns features filter and sort by.
 *   `dirty` is set by a trigger whenever a record leaves, so that whatever deleted it (a re-import
 *   that no longer yields it, a deleted source) leaves the incident to be rebuilt, never stale.
 * - `incident_records`: which incident each record belongs to (exactly one), and how.
 * - `incident_facets`: failure modes, services, mechanisms and people of each incident, for
 *   patterns, playbooks, experts and filters.
 * - `incident_links`: incidents that cite each other ("recurrence of", "related to").
 * - `record_alerts`: the alert a page (PagerDuty, Opsgenie) was raised for, so that the chat
 *   thread and the ticket that name the same alert within hours join its incident.
 */
export const migration0040 = {
  version: 40,
  sql: `
CREATE TABLE record_fields (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  fields      TEXT NOT NULL
) STRICT;
CREATE INDEX record_fields_version ON record_fields(version);

CREATE TABLE incidents (
  id                  INTEGER PRIMARY KEY,
  title               TEXT NOT NULL,
  primary_document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
  started_at          TEXT,
  detected_at         TEXT,
  mitigated_at        TEXT,
  resolved_at         TEXT,
  severity            TEXT,
  minutes_to_detect   INTEGER,
  minutes_to_resolve  INTEGER,
  fields              TEXT NOT NULL DEFAULT '{}',
  dirty               INTEGER NOT NULL DEFAULT 1,
  updated_at          TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_started ON incidents(started_at);
CREATE INDEX incidents_dirty ON incidents(id) WHERE dirty = 1;

CREATE TABLE incident_records (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('primary', 'record', 'follow-up'))
) STRICT;
CREATE INDEX incident_records_incident ON incident_records(incident_id);

CREATE TRIGGER incident_records_gone AFTER DELETE ON incident_records BEGIN
  UPDATE incidents SET dirty = 1 WHERE id = old.incident_id;
END;

CREATE TABLE incident_facets (
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  facet       TEXT NOT NULL CHECK (facet IN ('failure-mode', 'service', 'mechanism', 'person')),
  key         TEXT NOT NULL,           -- normalised
  label       TEXT NOT NULL,           -- as shown
  role        TEXT NOT NULL DEFAULT '',-- a person's role; '' otherwise
  weight      REAL NOT NULL DEFAULT 1,
  PRIMARY KEY (incident_id, facet, key, role)
) STRICT, WITHOUT ROWID;
CREATE INDEX incident_facets_key ON incident_facets(facet, key);

CREATE TABLE incident_links (
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  other_id    INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  relation    TEXT NOT NULL CHECK (relation IN ('recurrence of', 'related to')),
  PRIMARY KEY (incident_id, other_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX incident_links_other ON incident_links(other_id);

CREATE TABLE record_alerts (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  key         TEXT NOT NULL,           -- lower-cased alert name as records write it
  at          TEXT NOT NULL,           -- when the page was raised
  PRIMARY KEY (document_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX record_alerts_at ON record_alerts(at);
`,
};
