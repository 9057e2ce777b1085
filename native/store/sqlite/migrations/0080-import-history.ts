/**
 * The import history needs two things the imports table did not keep: what the user called the
 * thing they imported (the names a file was dropped with are gone with its upload) and the choices
 * of the import (Slack channels, a CSV mapping), so that "re-import" reads the source the same way.
 *
 * Numbered 0080 so that the incident migrations (0040–0070) can land before it.
 */
export const migration0080 = {
  version: 80,
  sql: `
ALTER TABLE imports ADD COLUMN label TEXT;
ALTER TABLE imports ADD COLUMN request TEXT;   -- JSON: { channels?, csvMap? }
`,
};
