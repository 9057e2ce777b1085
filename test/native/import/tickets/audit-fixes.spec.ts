/**
 * What an audit of real exports found imported wrongly (issue 12, second round). Each case failed
 * before its fix. No real Jira/ServiceNow/PagerDuty CSV is in the shared corpus: rows are in the
 * vendors' documented column layouts (the same columns the exporters write), labelled as such.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSource } from '../../../../native/import/read-source.js';
import { parseTrackerDate } from '../../../../native/import/tickets/dates.js';
import { CORPUS } from '../../../support/generated-models.js';
import { parseSource } from '../../../support/parse.js';
import { fixtureWriter, tempDir } from '../../../support/temp.js';

const write = fixtureWriter(tempDir());
const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';

describe('records not imported are reported, never dropped', () => {
  it('a Jira CSV whose Issue key cells are empty imports its rows by file and row, not 0 documents', async () => {
    // Jira's "Export CSV (all fields)" columns; the key column emptied, as a re-saved sheet does.
    const header = ['Summary', 'Issue key', 'Issue id', 'Issue Type', 'Status', 'Created', 'Description'];
    const path = write('jira-nokey.csv', csv([header, ['Checkout 502s after deploy', '', '10001', 'Incident', 'Done', '05/Mar/24 2:22 PM', 'Rolled back the gateway.'], ['', '', '10002', 'Incident', 'Done', '06/Mar/24 9:00 AM', ''], ['DNS timeouts', 'OPS-7', '10003', 'Incident', 'Done', '07/Mar/24 1:00 PM', 'CoreDNS pods OOM.']]));
    const r = await parseSource(path);
    expect(r.documents.map((d) => d.title)).toEqual(['Checkout 502s after deploy', 'OPS-7: DNS timeouts']);
    const keyless = r.documents[0]!;
    expect(keyless.source).toBe(`${path}#row-1`);
    expect(keyless.uid).toMatch(/^file:[0-9a-f]{32}$/);
    expect(keyless.refs.some((x) => x.startsWith('ticket:'))).toBe(false);
    // Stable: the same file read again gives the same identity.
    expect((await parseSource(path)).documents[0]!.uid).toBe(keyless.uid);
    expect(r.reported).toHaveLength(1);
    expect(r.reported[0]).toMatchObject({ source: path, record: '2', reason: 'bad-record' });
    expect(r.reported[0]!.message).toMatch(/record 2: not imported: it has no Issue key, Summary or Description/);
  });

  it('two mapped CSVs without a key column do not collide on "ROW-1"', async () => {
    const a = await parseSource(write('a.csv', csv([['Headline', 'Details'], ['Disk full', 'x']])), { csvMap: { title: 'Headline', body: 'Details' } });
    const b = await parseSource(write('b.csv', csv([['Headline', 'Details'], ['Cert expired', 'y']])), { csvMap: { title: 'Headline', body: 'Details' } });
    expect(a.documents[0]!.uid).not.toBe(b.documents[0]!.uid);
  });

  it('a --map row with an empty title takes its body\'s first line; with neither, it is reported', async () => {
    const path = write('mapped.csv', csv([['Ref', 'Headline', 'Details'], ['R1', '', 'Queue backed up\nmore'], ['R2', '', ''], ['R3', 'Cache stampede', '']]));
    const r = await parseSource(path, { csvMap: { key: 'Ref', title: 'Headline', body: 'Details' } });
    expect(r.documents.map((d) => d.title)).toEqual(['R1: Queue backed up', 'R3: Cache stampede']);
    expect(r.reported).toHaveLength(1);
    expect(r.reported[0]!.message).toMatch(/mapped\.csv record 2 \(R2\): not imported: it has no title \(column "Headline"\) or body \(column "Details"\)/);
  });

  it('a ServiceNow row without number imports by row when it has a short description, else is reported', async () => {
    const path = write('sn-nonum.csv', csv([['number', 'short_description', 'state', 'opened_at'], ['', 'VPN down in Leeds', 'Closed', '2024-03-05 14:22:00'], ['', '', 'Closed', ''], ['INC0010002', 'Printer jam', 'New', '']]));
    const r = await parseSource(path);
    expect(r.format).toBe('servicenow-csv');
    expect(r.documents.map((d) => d.title)).toEqual(['VPN down in Leeds', 'INC0010002: Printer jam']);
    expect(r.documents[0]!.occurredAt).toBe('2024-03-05T14:22:00.000Z');
    expect(r.reported.map((e) => e.record)).toEqual(['2']);
    expect(r.reported[0]!.message).toMatch(/record 2: not imported: it has no number, short_description or description/);
  });

  it('a ServiceNow audit-log row without number is reported, the incidents import', async () => {
    const path = write('sn-audit.csv', csv([['number', 'incident_state', 'sys_mod_count', 'sys_updated_at', 'short_description'], ['INC1', 'New', '0', '2024-03-05 14:00:00', 'Disk full'], ['', 'Active', '1', '2024-03-05 14:05:00', ''], ['INC1', 'Resolved', '2', '2024-03-05 15:00:00', 'Disk full']]));
    const r = await parseSource(path);
    expect(r.documents).toHaveLength(1);
    expect(r.reported.map((e) => e.record)).toEqual(['2']);
    expect(r.reported[0]!.message).toMatch(/has no number/);
  });

  it('a PagerDuty CSV row without incident_number or title is reported', async () => {
    const path = write('pd-nonum.csv', csv([['incident_number', 'title', 'status', 'created_on'], ['', '', 'resolved', '2024-03-05T14:22:00Z'], ['42', 'API latency', 'resolved', '2024-03-05T14:22:00Z']]));
    const r = await parseSource(path);
    expect(r.documents.map((d) => d.title)).toEqual(['PD-42: API latency']);
    expect(r.reported[0]).toMatchObject({ record: '1' });
  });
});

describe('date shapes the audit met', () => {
  it.each([
    ['3/5/24 14:22', '2024-03-05T14:22:00.000Z'], // Excel re-save: two-digit year, month first
    ['13/5/24', '2024-05-13T00:00:00.000Z'], // first number > 12: day first
    ['2024/03/05 14:22', '2024-03-05T14:22:00.000Z'],
    ['March 5, 2024 2:22 PM', '2024-03-05T14:22:00.000Z'],
    ['5 March 2024', '2024-03-05T00:00:00.000Z'],
    ['05-Mar-2024 14:22', '2024-03-05T14:22:00.000Z'],
    ['Tue Mar 05 2024 14:22:00 GMT+0000 (Coordinated Universal Time)', '2024-03-05T14:22:00.000Z'],
    ['Tue Mar 05 2024 15:22:00 GMT+0100 (Central European Standard Time)', '2024-03-05T14:22:00.000Z'],
    ['2024-03-05 2:22 PM', '2024-03-05T14:22:00.000Z'],
  ])('%s → %s', (input, out) => expect(parseTrackerDate(input)).toBe(out));
});

describe('exports saved as .txt are read by their content', () => {
  const fixtures = new URL('../../../fixtures/', import.meta.url).pathname;
  const asTxt = (from: string, name: string) => write(name, readFileSync(from));

  it.each([
    ['Opsgenie alerts JSON', join(fixtures, 'opsgenie/get_alerts.json'), 'opsgenie-json'],
    ['Jira REST search JSON', join(CORPUS, 'jira/go-jira-mock-data/issues_in_sprint.json'), 'jira-json'],
    ['GitLab project-export NDJSON', join(fixtures, 'gitlab/project-export-issues.ndjson'), 'gitlab-ndjson'],
  ])('%s as .txt imports as its tracker, the same as under its own name', async (_what, from, format) => {
    const own = await parseSource(asTxt(from, `own-${basename(from)}`));
    const txt = await parseSource(asTxt(from, `${basename(from)}.txt`));
    expect(own.format).toBe(format);
    expect(txt.format).toBe(format);
    expect(txt.documents.length).toBeGreaterThan(0);
    expect(txt.documents.map((d) => d.title)).toEqual(own.documents.map((d) => d.title));
  });

  it('a Jira CSV saved as .txt, and one with no extension, import as jira-csv', async () => {
    const text = csv([['Summary', 'Issue key', 'Status'], ['Checkout 502s', 'OPS-1', 'Done']]);
    for (const name of ['jira-export.txt', 'jira-export']) {
      const r = await parseSource(write(name, text));
      expect(r.format).toBe('jira-csv');
      expect(r.documents[0]!.title).toBe('OPS-1: Checkout 502s');
    }
  });

  it('prose that opens with a bracket or holds commas stays text', async () => {
    for (const [name, text] of [['notes.txt', '[draft] Checkout outage, 5 March\n\nWe rolled back.'], ['plain.txt', 'Impact, timeline and actions\n\nAll fine.']]) {
      const r = await parseSource(write(name!, text!));
      expect(r.format).toBe('text');
      expect(r.documents).toHaveLength(1);
    }
  });
});

describe('PagerDuty CSV flattened from REST incidents', () => {
  // REST incident objects (PagerDuty's documented example values) written by pandas' to_csv:
  // references become Python dict strings.
  const header = ['id', 'incident_number', 'title', 'status', 'urgency', 'created_at', 'last_status_change_at', 'last_status_change_by', 'service'];
  const by = "{'id': 'PXPGF42', 'type': 'user_reference', 'summary': 'Earline Greenholt', 'self': 'https://api.pagerduty.com/users/PXPGF42'}";
  const service = "{'id': 'PIJ90N7', 'type': 'service_reference', 'summary': 'My Mail Service'}";
  const rows = [header, ['PT4KHLK', '1234', 'The server is on fire.', 'resolved', 'high', '2015-10-06T21:30:42Z', '2015-10-06T21:38:23Z', by, service], ['PT4KHLL', '1235', 'Disk at 91%', 'triggered', 'low', '2015-10-07T08:00:00Z', '2015-10-07T08:00:00Z', by, service]];

  it('takes resolvedAt and the resolver from the last status change of a resolved incident, as the JSON importer does', async () => {
    const r = await parseSource(write('pd-rest.csv', csv(rows)));
    expect(r.format).toBe('pagerduty-csv');
    const [resolved, open] = r.documents;
    expect(resolved!.resolvedAt).toBe('2015-10-06T21:38:23.000Z');
    expect(resolved!.metadata.incident).toMatchObject({ resolvedBy: 'Earline Greenholt', resolvedAt: '2015-10-06T21:38:23.000Z' });
    // Not resolved: its last status change is when it triggered, and whoever did it resolved nothing.
    expect(open!.resolvedAt).toBeNull();
    expect(open!.metadata.incident).toMatchObject({ resolvedBy: null });
  });

  it('the same incidents as REST JSON give the same resolution', async () => {
    const json = { incidents: rows.slice(1).map((row) => ({ ...Object.fromEntries(header.map((h, i) => [h, row[i]])), incident_number: Number(row[1]), last_status_change_by: { id: 'PXPGF42', type: 'user_reference', summary: 'Earline Greenholt' }, service: { id: 'PIJ90N7', summary: 'My Mail Service' } })) };
    const r = await parseSource(write('pd-rest.json', JSON.stringify(json)));
    expect(r.documents.map((d) => [d.resolvedAt, (d.metadata.incident as { resolvedBy: string | null }).resolvedBy])).toEqual([['2015-10-06T21:38:23.000Z', 'Earline Greenholt'], [null, null]]);
  });
});

describe('coercion and placeholders', () => {
  it('a Jira JSON summary written as a number is the title, not a refused record', async () => {
    const r = await parseSource(write('jira-num.json', JSON.stringify({ issues: [{ key: 'OPS-9', fields: { summary: 12345, status: { name: 'Done' } } }] })));
    expect(r.reported).toEqual([]);
    expect(r.documents[0]!.title).toBe('OPS-9: 12345');
  });

  it('"Kein Wert" (German for "no value") is nobody', async () => {
    const r = await parseSource(write('jira-de.csv', csv([['Summary', 'Issue key', 'Assignee', 'Reporter'], ['Zahlungen langsam', 'OPS-3', 'Kein Wert', 'Jana Novak']])));
    const d = r.documents[0]!;
    expect(d.metadata.assignee).toBeNull();
    expect(d.fields.filter((f) => f.type === 'person').map((f) => f.name)).toEqual(['Jana Novak']);
  });
});

describe('a ServiceNow audit log says how far its first pass got', () => {
  it('reports rows scanned before its first incident, then yields every incident', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [`INC${String(i).padStart(7, '0')}`, 'Closed', '1', '2016-02-29 01:16:00', `Disk full on db-${i % 40}`]);
    const path = write('sn-audit-big.csv', csv([['number', 'incident_state', 'sys_mod_count', 'sys_updated_at', 'short_description'], ...rows]));
    const events: string[] = [];
    const source = await readSource({ path, root: path }, { report: () => {}, onScan: (n) => {
      events.push(`scan ${n}`);
    } });
    let docs = 0;
    for await (const _d of source.documents) if (docs++ === 0) events.push('first document');
    expect(events).toEqual(['scan 1000', 'scan 2000', 'scan 3000', 'first document']);
    expect(docs).toBe(3000);
  });
});

describe('dates: the format remembered from the last date never changes a result', () => {
  it('alternating shapes of one family read the same as each alone', () => {
    const shapes = ['3/5/24 14:22', '3/5/2024 14:22', '3/5/99', '05.03.24', '05.03.2024', '29-02-16 01:16', '29-02-2016 01:16', '5 Mar 2024', 'March 5, 2024 2:22 PM'];
    const alone = shapes.map((s) => parseTrackerDate(s));
    const mixed = [...shapes, ...[...shapes].reverse()].map((s) => parseTrackerDate(s));
    expect(mixed).toEqual([...alone, ...[...alone].reverse()]);
    expect(alone).toEqual(['2024-03-05T14:22:00.000Z', '2024-03-05T14:22:00.000Z', '1999-03-05T00:00:00.000Z', '2024-03-05T00:00:00.000Z', '2024-03-05T00:00:00.000Z', '2016-02-29T01:16:00.000Z', '2016-02-29T01:16:00.000Z', '2024-03-05T00:00:00.000Z', '2024-03-05T14:22:00.000Z']);
  });
});

describe('cancel during an audit log\'s first pass', () => {
  it('stops the pass when the listener says so, yielding nothing', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [`INC${String(i).padStart(7, '0')}`, 'Closed', '1', 'Disk full']);
    const path = write('sn-audit-cancel.csv', csv([['number', 'incident_state', 'sys_mod_count', 'short_description'], ...rows]));
    const seen: number[] = [];
    const source = await readSource({ path, root: path }, { report: () => {}, onScan: (n) => {
      seen.push(n);
      return n < 2000;
    } });
    let docs = 0;
    for await (const _d of source.documents) docs++;
    expect(seen).toEqual([1000, 2000]);
    expect(docs).toBe(0);
  });
});
