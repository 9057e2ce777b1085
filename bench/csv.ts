/**
 * `--only csv`: a 100k-row tracker CSV. Rows are generated (seeded) in the real column layout of
 * the ServiceNow incident event log in the shared corpus (its 36 columns, sys_mod_count included,
 * so the audit-log reader with its two passes is what runs), one row per distinct incident, plus
 * short_description and description of recombined real postmortem sentences. Printed beside a
 * floor measured in the same run over the same file: csv-parse alone (no records, no tickets).
 *
 * Three figures: the floor; our reader alone (CSV → ticket documents, no store); the whole lexical
 * import (store, entities, incident records). Options: --rows N (default 100000).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { Engine } from '../native/engine.js';
import { readSource } from '../native/import/read-source.js';
import { CORPUS } from '../test/support/generated-models.js';
import { realSentences, rng } from './synthetic.js';

const HEADER_OF = join(CORPUS, 'servicenow/servicenow-incident-event-log/incident_event_log.csv');

const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** `rows` distinct incidents in the event log's columns, with text columns after them. */
export function writeServiceNowCsv(path: string, rows: number, sentences: string[], seed = 12): number {
  const header = readFileSync(HEADER_OF, 'utf8').split('\n', 1)[0]!.trim().split(',');
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const states = ['New', 'Active', 'Awaiting User Info', 'Resolved', 'Closed'];
  const date = (day: number, minutes: number) => {
    const d = new Date(Date.UTC(2016, 0, 1) + day * 86_400_000 + minutes * 60_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(d.getUTCDate())}-${p(d.getUTCMonth() + 1)}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  };
  const lines = [[...header, 'short_description', 'description'].join(',')];
  for (let i = 0; i < rows; i++) {
    const day = Math.floor(r() * 700);
    const opened = Math.floor(r() * 1440);
    const values: Record<string, string> = {
      number: `INC${String(i + 1).padStart(7, '0')}`,
      incident_state: pick(states),
      active: 'TRUE',
      reassignment_count: String(Math.floor(r() * 4)),
      reopen_count: '0',
      sys_mod_count: String(Math.floor(r() * 8)),
      made_sla: 'TRUE',
      caller_id: `Caller ${Math.floor(r() * 5000)}`,
      opened_by: `Opened by  ${Math.floor(r() * 200)}`,
      opened_at: date(day, opened),
      sys_created_at: date(day, opened + 5),
      sys_updated_at: date(day, opened + 90),
      sys_updated_by: `Updated by ${Math.floor(r() * 800)}`,
      category: `Category ${Math.floor(r() * 60)}`,
      subcategory: `Subcategory ${Math.floor(r() * 250)}`,
      assignment_group: `Group ${Math.floor(r() * 80)}`,
      assigned_to: `Resolver ${Math.floor(r() * 230)}`,
      priority: pick(['1 - Critical', '2 - High', '3 - Moderate', '4 - Low']),
      closed_code: `code ${Math.floor(r() * 17)}`,
      resolved_by: `Resolved by ${Math.floor(r() * 230)}`,
      resolved_at: date(day, opened + 300),
      closed_at: date(day + 5, opened),
      short_description: pick(sentences).slice(0, 120),
      description: [pick(sentences), pick(sentences)].join(' '),
    };
    lines.push([...header, 'short_description', 'description'].map((h) => cell(values[h] ?? '?')).join(','));
  }
  writeFileSync(path, lines.join('\r\n') + '\r\n');
  return statSync(path).size;
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const peak = () => process.resourceUsage().maxRSS * 1024;

export async function benchCsv(work: string, rows: number): Promise<void> {
  console.log(`\nF. A ${rows.toLocaleString()}-row ServiceNow CSV (event-log columns, distinct incidents, seeded), lexical`);
  const path = join(work, 'servicenow-incidents.csv');
  const bytes = writeServiceNowCsv(path, rows, await realSentences());
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);
  line('file', `${mb(bytes)}, ${rows.toLocaleString()} rows`);

  // Floor: csv-parse alone over the same text, fed the same way (64 KB slices).
  const text = readFileSync(path, 'utf8');
  let t = performance.now();
  let parsed = 0;
  const slices = function* () {
    for (let i = 0; i < text.length; i += 65_536) yield text.slice(i, i + 65_536);
  };
  for await (const _row of Readable.from(slices()).pipe(parse({ bom: true, relax_column_count: true }))) parsed++;
  const floorSecs = (performance.now() - t) / 1000;
  line('floor: csv-parse alone', `${floorSecs.toFixed(1)} s (${((parsed - 1) / floorSecs).toFixed(0)} rows/s)`);

  // Our reader: rows → records → tickets → documents, no store.
  t = performance.now();
  const errors: string[] = [];
  const source = await readSource({ path, root: path }, { report: (e) => errors.push(e.message) });
  let docs = 0;
  for await (const _d of source.documents) docs++;
  source.close();
  const readSecs = (performance.now() - t) / 1000;
  line('reader: CSV → ticket documents', `${readSecs.toFixed(1)} s (${(docs / readSecs).toFixed(0)} records/s, ${(readSecs / floorSecs).toFixed(1)}× the floor; ${errors.length} reported)`);

  // The whole lexical import: store, entities, incident records. Once with a transaction per
  // document (HINDSIGHT_IMPORT_BATCH=1, as before write batches) and once as shipped, each into a
  // fresh database, so that the ratio is measured under the same load.
  const importOnce = async (label: string, batch: string | undefined, db: string) => {
    if (batch === undefined) delete process.env.HINDSIGHT_IMPORT_BATCH;
    else process.env.HINDSIGHT_IMPORT_BATCH = batch;
    const engine = await Engine.open({ dbPath: join(work, db), models: { roots: [], preferred: 'gte-small', allowUnverified: false } });
    let firstProgressMs: number | null = null;
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const s = await engine.import({ paths: [path] }, {
      onProgress: (p) => {
        if (firstProgressMs === null && p.currentRecords > 0) firstProgressMs = performance.now() - t0;
      },
    });
    const secs = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSecs = (used.user + used.system) / 1e6;
    line(label, `${secs.toFixed(1)} s (${(s.documentsAdded / secs).toFixed(0)} records/s, ${(secs / floorSecs).toFixed(0)}× the floor; CPU ${cpuSecs.toFixed(1)} s); ${s.documentsAdded.toLocaleString()} documents, ${s.errors.length} errors`);
    line('  first progress with records read', firstProgressMs === null ? 'none' : `${(firstProgressMs / 1000).toFixed(1)} s`);
    await engine.close();
    delete process.env.HINDSIGHT_IMPORT_BATCH;
    return { secs, cpuSecs };
  };
  const single = await importOnce('import, a transaction per document', '1', 'csv-single.db');
  const batched = await importOnce('import (lexical, incident records built)', undefined, 'csv.db');
  line('batched writes against one per document', `${(single.secs / batched.secs).toFixed(1)}× faster (wall), ${(single.cpuSecs / batched.cpuSecs).toFixed(1)}× less CPU`);
  line('peak RSS (whole process)', `${mb(peak())} (target ≤ 1 GB)`);
}
