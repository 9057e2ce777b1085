/**
 * ServiceNow incidents that cite one problem record within the same-event window are one event:
 * the reader keeps the problem reference in each shape exports write it, and grouping joins the
 * tickets sharing it within hours — never weeks apart. Rows are the shared corpus's real audit
 * log (UCI event log, "Problem ID  2") and the Table API's documented raw-value shape.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { parseSource } from '../../support/parse.js';
import { fixtureWriter, tempDir } from '../../support/temp.js';

const dir = tempDir();
const write = fixtureWriter(dir);
const LOG = join(CORPUS, 'servicenow/servicenow-incident-event-log/incident_event_log.csv');
type Row = Record<string, string>;
const corpusRows = (): Row[] => parse(readFileSync(LOG), { columns: true }) as Row[];
const rowsOf = (rows: Row[], numbers: string[]) => rows.filter((r) => numbers.includes(r.number!));
/** Rows as a CSV file, every cell quoted (the Python dict cells hold commas and quotes). */
const csv = (rows: Row[]) => {
  const columns = Object.keys(rows[0]!);
  const cell = (v: string | undefined) => `"${(v ?? '').replace(/"/g, '""')}"`;
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
};
/** The same rows as another incident, opened `days` later (dates as the log writes them, day first). */
const later = (rows: Row[], number: string, days: number): Row[] =>
  rows.map((r) => {
    const shift = (s: string | undefined) => {
      const m = /^(\d\d)-(\d\d)-(\d{4}) (\d\d):(\d\d)$/.exec(s ?? '');
      if (!m) return s ?? '';
      const d = new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]) + days, Number(m[4]), Number(m[5])));
      const p = (n: number) => String(n).padStart(2, '0');
      return `${p(d.getUTCDate())}-${p(d.getUTCMonth() + 1)}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
    };
    return { ...r, number, opened_at: shift(r.opened_at), sys_created_at: shift(r.sys_created_at), sys_updated_at: shift(r.sys_updated_at), resolved_at: shift(r.resolved_at), closed_at: shift(r.closed_at) };
  });
const problemLinks = (d: { links: Array<{ relation: string; target: string }> }) => d.links.filter((l) => l.relation === 'problem').map((l) => l.target);

describe('the problem record a ServiceNow incident cites', () => {
  it('is kept from the real audit log, whose problem_id is a display value without a number', async () => {
    const rows = corpusRows();
    const r = await parseSource(write('log.csv', csv(rowsOf(rows, ['INC0000057', 'INC0000045']))));
    const byKey = new Map(r.documents.map((d) => [d.externalId, d]));
    // INC0000057's latest row cites "Problem ID  2"; INC0000045's problem_id is "?" (none).
    expect(problemLinks(byKey.get('INC0000057')!)).toEqual(['servicenow:problem/problem id 2']);
    expect(problemLinks(byKey.get('INC0000045')!)).toEqual([]);
  });

  it('is kept as a number, a display value, or the sys_id of a raw {link, value} reference (also flattened into a CSV cell)', async () => {
    const sys = '9d385017c611228701d22104cc95c371';
    const link = { link: `https://dev1.service-now.com/api/now/table/problem/${sys}`, value: sys };
    const json = { result: [
      { number: 'INC0000001', short_description: 'Email down', opened_at: '2024-03-01 10:00:00', problem_id: { display_value: 'PRB0040123', value: sys } },
      { number: 'INC0000002', short_description: 'Email slow', opened_at: '2024-03-01 11:00:00', problem_id: link },
      { number: 'INC0000003', short_description: 'VPN down', opened_at: '2024-03-01 12:00:00', problem_id: '' },
    ] };
    const j = await parseSource(write('sn.json', JSON.stringify(json)));
    expect(j.documents.map(problemLinks)).toEqual([['servicenow:PRB0040123'], [`servicenow:problem/${sys}`], []]);
    const cell = `{'link': 'https://dev1.service-now.com/api/now/table/problem/${sys}', 'value': '${sys}'}`;
    const c = await parseSource(write('sn.csv', csv([{ number: 'INC0000004', short_description: 'Email down', opened_at: '2024-03-01 10:00:00', problem_id: cell }])));
    expect(c.documents.map(problemLinks)).toEqual([[`servicenow:problem/${sys}`]]);
  });
});

describe('incidents citing one problem record', () => {
  let api: TestApi;
  const incidents = () => api.db.prepare(`SELECT d.external_id AS k, r.incident_id AS i FROM incident_records r JOIN documents d ON d.id = r.document_id ORDER BY d.external_id`).all() as Array<{ k: string; i: number }>;
  const incidentOf = (k: string) => incidents().find((x) => x.k === k)!.i;
  beforeAll(async () => {
    api = await TestApi.open({ dbPath: join(dir, 'p.db'), models: NO_MODEL });
    const rows = corpusRows();
    // Three real incidents citing "Problem ID  2" within 2.5 hours, one citing none opened among
    // them, and the first again as another incident citing the problem three weeks later.
    const cited = rowsOf(rows, ['INC0000057', 'INC0000073', 'INC0000086']);
    const folder = join(dir, 'export');
    mkdirSync(folder);
    write('export/log.csv', csv([...cited, ...rowsOf(rows, ['INC0000045']), ...later(rowsOf(rows, ['INC0000057']), 'INC0900057', 21)]));
    await api.import({ paths: [folder] });
  });
  afterAll(() => api.close());

  it('within hours of each other are one incident', () => {
    expect(new Set(['INC0000057', 'INC0000073', 'INC0000086'].map(incidentOf)).size).toBe(1);
  });

  it('weeks apart, or citing none, are incidents of their own', () => {
    const one = incidentOf('INC0000057');
    expect(incidentOf('INC0900057')).not.toBe(one);
    expect(incidentOf('INC0000045')).not.toBe(one);
    expect(new Set(incidents().map((x) => x.i)).size).toBe(3);
  });

  it('stay one incident when the export is imported again with a record changed', async () => {
    const rows = corpusRows();
    const changed = rowsOf(rows, ['INC0000073']).map((r) => ({ ...r, short_description: 'Mail delivery delayed' }));
    writeFileSync(join(dir, 'export/log.csv'), csv([...rowsOf(rows, ['INC0000057', 'INC0000086']), ...changed, ...rowsOf(rows, ['INC0000045']), ...later(rowsOf(rows, ['INC0000057']), 'INC0900057', 21)]));
    await api.import({ paths: [join(dir, 'export')] });
    expect(new Set(['INC0000057', 'INC0000073', 'INC0000086'].map(incidentOf)).size).toBe(1);
    expect(new Set(incidents().map((x) => x.i)).size).toBe(3);
  });
});
