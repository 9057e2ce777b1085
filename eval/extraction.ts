/**
 * `npx tsx eval/extraction.ts`: how well incident fields are extracted, against
 *  - eval/incident-labels.jsonl (ours): 39 corpus postmortems from all six organisations and 10
 *    tickets / Slack conversations, labelled by reading them before the rules were written;
 *  - ../shared/eval/corpus-failure-modes.tsv: failure-mode labels of all 125 postmortems, through the
 *    written mapping below from our taxonomy ids to its labels.
 * Prints, per field, the match rule and the figures, and the extraction time per record over the
 * whole corpus (postmortems, Jira and ServiceNow tickets, Slack conversations).
 *
 * A label of null means the document does not state the field: extraction is right to leave it
 * empty, and filling it counts against it ("filled" below).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSource } from '../native/import/read-source.js';
import type { ParsedDocument } from '../native/import/parsed-document.js';
import { extractRecordFields } from '../native/incidents/extract.js';
import { personKey } from '../native/incidents/people.js';
import { recordFromParsed } from '../native/incidents/record.js';
import { loadTaxonomy } from '../native/incidents/taxonomy.js';
import { tokens } from '../native/incidents/text.js';
import type { IncidentFields, IncidentRecord } from '../native/incidents/types.js';
import { CORPUS, SHARED } from '../test/support/generated-models.js';

interface Label {
  path: string;
  uid?: string;
  kind: string;
  title: string | null;
  services: string[];
  symptom: string | null;
  trigger: string | null;
  rootCause: string | null;
  mitigation: string | null;
  failureModes: string[];
  actionItems: number;
  people: Array<{ name: string; role: string }>;
  severity: string | null;
  startedAt: string | null;
  detectedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
}

/**
 * Our taxonomy ids → the labels of corpus-failure-modes.tsv that mean the same failure. Written
 * from the two vocabularies, not from individual lines of the table.
 */
const TSV_MAPPING: Record<string, string[]> = {
  'certificate-expiry': ['certificate-expiry'],
  dns: ['dns'],
  'config-push': ['config-push', 'ingress-config', 'config-validation', 'config-rename', 'monitoring-config', 'malformed-resource'],
  'deploy-regression': ['deploy-regression', 'validation-regression'],
  'capacity-overload': ['capacity', 'capacity-overload', 'cloud-capacity', 'cpu-saturation', 'resource-starvation', 'resource-exhaustion', 'io-throttling', 'performance'],
  'dependency-outage': ['cloud-provider-outage', 'az-outage', 'ci-outage', 'third-party-breach'],
  database: ['db-connection-exhaustion', 'db-limit', 'db-overload', 'db-unavailable'],
  'disk-full': ['disk-full', 'storage-volume'],
  'memory-oom': ['memory-oom'],
  'network-partition': ['network'],
  'rate-limit': ['rate-limit', 'third-party-ban'],
  'auth-credentials': ['auth/credentials', 'sso', 'secret-rotation'],
  'load-balancer-targets': ['load-balancer-targets', 'load-balancer-health', 'load-balancer', 'stale-target'],
  'scheduler-cron': ['scheduler/cron'],
  'data-corruption': ['data-sync-bug', 'record-deletion'],
  'cluster-upgrade': ['cluster-upgrade'],
  'node-not-ready': ['node-notready', 'node-loss'],
  'ip-exhaustion': ['ip-exhaustion'],
  'retry-storm': ['retry-storm'],
  'secret-leak': ['secret-leak'],
  'supply-chain': ['supply-chain', 'ci-compromise'],
  'dependency-upgrade': ['dependency-upgrade'],
  'client-sdk-regression': ['client-sdk-regression'],
  'log-shipping': ['log-shipping', 'ingestion-lag'],
  'admission-webhook': ['admission-webhook'],
  'iac-wrong-target': ['iac-wrong-target'],
  'false-positive-alert': ['false-positive', 'waf-false-positive', 'alert-noise'],
  'node-rollover': ['node-rollover'],
  'security-vulnerability': ['security-vulnerability', 'dos', 'input-validation', 'command-injection', 'untrusted-input'],
  'account-compromise': ['account-compromise', 'phishing', 'suspicious-login', 'suspected-compromise', 'social-engineering', 'fraud', 'endpoint-security', 'malicious-link'],
  'probe-failure': ['probe-misconfig'],
  'image-pull': ['image-pull'],
};

const STOP = new Set('a an the of to in on for and or was were is are be been by with at from as that this it its our we their they which into than then so'.split(' '));
const words = (s: string) => tokens(s).filter((w) => !STOP.has(w));

function tokenF1(a: string, b: string): number {
  const x = words(a);
  const y = words(b);
  if (!x.length || !y.length) return 0;
  const counts = new Map<string, number>();
  for (const w of y) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of x) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  if (!common) return 0;
  const p = common / x.length;
  const r = common / y.length;
  return (2 * p * r) / (p + r);
}

const norm = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
/** Two service names are one when either's words contain the other's ("Prometheus" ~ "Prometheus server"). */
function sameService(a: string, b: string): boolean {
  const x = norm(a);
  const y = norm(b);
  return !!x && !!y && (x === y || x.includes(y) || y.includes(x));
}

// ---- load records -------------------------------------------------------------------------------

const labels = readFileSync(new URL('./incident-labels.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Label);

async function documentsOf(path: string): Promise<ParsedDocument[]> {
  const abs = path.startsWith('demo/') ? new URL(`../${path}`, import.meta.url).pathname : join(CORPUS, path);
  const isSlack = /(^|\/)slack(\/|$)/.test(path) && !path.endsWith('.zip');
  const src = await readSource({ path: abs, root: abs, slackExport: isSlack }, { report: () => {} });
  const docs: ParsedDocument[] = [];
  for await (const d of src.documents) docs.push(d);
  src.close();
  return docs;
}

const taxonomy = loadTaxonomy();
const cache = new Map<string, ParsedDocument[]>();
const records: Array<{ label: Label; record: IncidentRecord }> = [];
let nextId = 1;
for (const label of labels) {
  if (!cache.has(label.path)) cache.set(label.path, await documentsOf(label.path));
  const docs = cache.get(label.path)!;
  const doc = label.uid ? docs.find((d) => d.uid === label.uid) : docs[0];
  if (!doc) throw new Error(`${label.path}: no document ${label.uid ?? ''}`);
  records.push({ label, record: recordFromParsed(doc, nextId++) });
}

// ---- field accuracy -----------------------------------------------------------------------------

type Tally = { labelled: number; right: number; empty: number; abstained: number; filled: number };
const tally = (): Tally => ({ labelled: 0, right: 0, empty: 0, abstained: 0, filled: 0 });

function scoreOptional(t: Tally, want: unknown, got: unknown, same: () => boolean) {
  if (want === null || want === undefined) {
    t.empty++;
    if (got === null || got === undefined) t.abstained++;
    else t.filled++;
    return;
  }
  t.labelled++;
  if (got !== null && got !== undefined && same()) t.right++;
}

const TEXT_FIELDS = ['title', 'symptom', 'trigger', 'rootCause', 'mitigation'] as const;
const TIME_FIELDS = ['startedAt', 'detectedAt', 'mitigatedAt', 'resolvedAt'] as const;

function evaluate(subset: Array<{ label: Label; fields: IncidentFields }>) {
  const t: Record<string, Tally> = {};
  for (const f of [...TEXT_FIELDS, ...TIME_FIELDS, 'severity']) t[f] = tally();
  const svc = { docsRight: 0, docs: 0, tp: 0, predicted: 0, labelled: 0 };
  const modes = { tp: 0, predicted: 0, labelled: 0 };
  const items = { exact: 0, within1: 0, n: 0, extracted: 0, labelled: 0 };
  const people = { tp: 0, predicted: 0, labelled: 0, nameTp: 0, namePredicted: 0, nameLabelled: 0 };
  for (const { label, fields } of subset) {
    for (const f of TEXT_FIELDS) scoreOptional(t[f]!, label[f], fields[f]?.value, () => tokenF1(fields[f]!.value, label[f]!) >= 0.5);
    for (const f of TIME_FIELDS) scoreOptional(t[f]!, label[f], fields[f]?.value, () => Math.abs(Date.parse(fields[f]!.value) - Date.parse(label[f]!)) <= 5 * 60_000);
    scoreOptional(t.severity!, label.severity, fields.severity?.value, () => sameService(fields.severity!.value, label.severity!));
    // Services: per-document set F1 (a predicted name matches a labelled one when one contains the other).
    const got = fields.services.map((s) => s.value);
    const tp = got.filter((g) => label.services.some((w) => sameService(g, w))).length;
    const found = label.services.filter((w) => got.some((g) => sameService(g, w))).length;
    svc.tp += tp;
    svc.predicted += got.length;
    svc.labelled += label.services.length;
    if (label.services.length || got.length) {
      svc.docs++;
      const p = got.length ? tp / got.length : 0;
      const r = label.services.length ? found / label.services.length : 0;
      if ((p + r ? (2 * p * r) / (p + r) : 0) >= 0.5) svc.docsRight++;
    }
    const predicted = new Set(fields.failureModes.map((m) => m.value));
    modes.predicted += predicted.size;
    modes.labelled += label.failureModes.length;
    modes.tp += label.failureModes.filter((m) => predicted.has(m)).length;
    items.n++;
    items.extracted += fields.actionItems.length;
    items.labelled += label.actionItems;
    if (fields.actionItems.length === label.actionItems) items.exact++;
    if (Math.abs(fields.actionItems.length - label.actionItems) <= 1) items.within1++;
    const pairs = new Set(fields.people.map((p) => `${personKey(p.value.name)}:${p.value.role}`));
    const wanted = new Set(label.people.map((p) => `${personKey(p.name)}:${p.role}`));
    people.predicted += pairs.size;
    people.labelled += wanted.size;
    people.tp += [...wanted].filter((w) => pairs.has(w)).length;
    const names = new Set(fields.people.map((p) => personKey(p.value.name)));
    const wantedNames = new Set(label.people.map((p) => personKey(p.name)));
    people.namePredicted += names.size;
    people.nameLabelled += wantedNames.size;
    people.nameTp += [...wantedNames].filter((w) => names.has(w)).length;
  }
  return { t, svc, modes, items, people };
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)}%` : '—');
const f1 = (p: number, r: number) => (p + r ? ((2 * p * r) / (p + r)).toFixed(2) : '0.00');

function report(title: string, subset: Array<{ label: Label; fields: IncidentFields }>) {
  const { t, svc, modes, items, people } = evaluate(subset);
  console.log(`\n## ${title} (${subset.length} records)\n`);
  console.log('field        | rule                                   | right when labelled | empty when not stated | filled without a label');
  console.log('-------------|----------------------------------------|---------------------|-----------------------|-----------------------');
  const rule: Record<string, string> = {
    title: 'token-F1 ≥ 0.5', symptom: 'token-F1 ≥ 0.5', trigger: 'token-F1 ≥ 0.5', rootCause: 'token-F1 ≥ 0.5', mitigation: 'token-F1 ≥ 0.5',
    severity: 'same words (normalised, one contains the other)', startedAt: 'within 5 minutes', detectedAt: 'within 5 minutes', mitigatedAt: 'within 5 minutes', resolvedAt: 'within 5 minutes',
  };
  for (const [f, x] of Object.entries(t)) {
    console.log(`${f.padEnd(12)} | ${rule[f]!.padEnd(38)} | ${`${x.right}/${x.labelled} ${pct(x.right, x.labelled)}`.padEnd(19)} | ${`${x.abstained}/${x.empty} ${pct(x.abstained, x.empty)}`.padEnd(21)} | ${x.filled}`);
  }
  const sp = svc.predicted ? svc.tp / svc.predicted : 0;
  const sr = svc.labelled ? svc.tp / svc.labelled : 0;
  console.log(`services     | per-record set F1 ≥ 0.5 (name containment) | ${svc.docsRight}/${svc.docs} ${pct(svc.docsRight, svc.docs)}; micro P ${sp.toFixed(2)} R ${sr.toFixed(2)}`);
  const mp = modes.predicted ? modes.tp / modes.predicted : 0;
  const mr = modes.labelled ? modes.tp / modes.labelled : 0;
  console.log(`failureModes | exact taxonomy id, micro               | P ${mp.toFixed(2)} R ${mr.toFixed(2)} F1 ${f1(mp, mr)} (${modes.tp} right of ${modes.predicted} predicted, ${modes.labelled} labelled)`);
  console.log(`actionItems  | item count exact / within ±1           | ${pct(items.exact, items.n)} / ${pct(items.within1, items.n)} (${items.extracted} extracted, ${items.labelled} labelled)`);
  const pp = people.predicted ? people.tp / people.predicted : 0;
  const pr = people.labelled ? people.tp / people.labelled : 0;
  const np = people.namePredicted ? people.nameTp / people.namePredicted : 0;
  const nr = people.nameLabelled ? people.nameTp / people.nameLabelled : 0;
  console.log(`people       | (name, role) pairs, micro              | P ${pp.toFixed(2)} R ${pr.toFixed(2)}; names alone P ${np.toFixed(2)} R ${nr.toFixed(2)} (${people.predicted} predicted, ${people.labelled} labelled)`);
}

const extracted = records.map(({ label, record }) => ({ label, fields: extractRecordFields(record, taxonomy) }));
console.log(`Incident-field extraction, ${taxonomy.modes.length} failure modes from ${taxonomy.sources.join(', ')}`);
report('Postmortems', extracted.filter((x) => x.label.kind === 'postmortem'));
report('Tickets and Slack conversations', extracted.filter((x) => x.label.kind !== 'postmortem'));

// ---- failure modes against the shared table -----------------------------------------------------

const tsv = readFileSync(join(SHARED, 'eval', 'corpus-failure-modes.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => {
    const [path, modesCol] = l.split('\t');
    return { path: path!, labels: modesCol!.split(',').map((s) => s.trim()).filter(Boolean) };
  });
const coverable = new Set(Object.values(TSV_MAPPING).flat());
let tp = 0;
let predicted = 0;
let found = 0;
let labelled = 0;
let outside = 0;
const allRecords: IncidentRecord[] = [];
for (const row of tsv) {
  const [doc] = await documentsOf(row.path);
  const record = recordFromParsed(doc!, nextId++);
  allRecords.push(record);
  const ids = extractRecordFields(record, taxonomy).failureModes.map((m) => m.value);
  const mapped = ids.map((id) => TSV_MAPPING[id] ?? []);
  predicted += ids.length;
  tp += mapped.filter((m) => m.some((l) => row.labels.includes(l))).length;
  for (const l of row.labels) {
    if (!coverable.has(l)) {
      outside++;
      continue;
    }
    labelled++;
    if (mapped.some((m) => m.includes(l))) found++;
  }
}
const tp2 = predicted ? tp / predicted : 0;
const tr2 = labelled ? found / labelled : 0;
console.log(`\n## Failure modes against ../shared/eval/corpus-failure-modes.tsv (${tsv.length} postmortems)\n`);
console.log('rule: a predicted id is right when one of the TSV labels it maps to is on the document; recall over the TSV labels the mapping covers');
console.log(`precision ${tp2.toFixed(2)} (${tp}/${predicted}), recall ${tr2.toFixed(2)} (${found}/${labelled}), F1 ${f1(tp2, tr2)}; ${outside} TSV labels have no taxonomy id (e.g. mempool, chain-stall, human-error)`);

// ---- speed --------------------------------------------------------------------------------------

for (const extra of ['jira/mongodb-jira-xml-export/example_jira_mongodb_resolved-recently.xml', 'jira/mongodb-jira-xml-export/example_jira_mongodb_new-issues.xml', 'servicenow/servicenow-incident-event-log/incident_event_log.csv', 'slack/houstondatavis-2016']) {
  for (const d of await documentsOf(extra)) allRecords.push(recordFromParsed(d, nextId++));
}
for (const r of allRecords.slice(0, 50)) extractRecordFields(r, taxonomy); // warm up the JIT
/** Best of three passes: the machine is shared, and the slowest pass measures the neighbours. */
function msPerRecord(list: IncidentRecord[]): number {
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const t0 = performance.now();
    for (const r of list) extractRecordFields(r, taxonomy);
    best = Math.min(best, (performance.now() - t0) / list.length);
  }
  return best;
}
const byKind = (k: string) => allRecords.filter((r) => r.kind === k);
const all = msPerRecord(allRecords);
console.log(`\n## Speed\n\nextractRecordFields, best of 3 passes over ${allRecords.length} records: ${all.toFixed(3)} ms per record on average`);
for (const k of ['postmortem', 'ticket', 'slack-thread']) console.log(`  ${k}: ${msPerRecord(byKind(k)).toFixed(3)} ms per record (${byKind(k).length} records)`);
