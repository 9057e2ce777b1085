import { extractEntities } from '../entities/extract.js';
import type { FieldKind, Segment } from './outline.js';
import { isPlaceholder } from './text.js';
import type { IncidentRecord, Sourced } from './types.js';

/**
 * Technologies the entity extractor knows that are components a service runs on or is (a broker,
 * a store, a proxy), as opposed to platforms and languages ("Kubernetes", "AWS", "Python") that
 * would name every incident of a team.
 */
const COMPONENTS = new Set([
  'Kafka', 'RabbitMQ', 'SQS', 'Redis', 'Memcached', 'PostgreSQL', 'MySQL', 'MongoDB', 'Cassandra', 'ClickHouse', 'Elasticsearch', 'Kibana',
  'Prometheus', 'Grafana', 'CoreDNS', 'Nginx', 'Ingress', 'Traefik', 'Envoy', 'Istio', 'Consul', 'Vault', 'etcd', 'RDS', 'Lambda', 'Fluentd',
  'CloudWatch', 'Active Directory', 'Argo CD', 'Flux', 'Load balancer', 'Jenkins', 'CircleCI',
]);

/** Where the affected services are named: the title, the summary and impact, the cause. */
const WHERE: ReadonlySet<FieldKind> = new Set(['summary', 'impact', 'symptom', 'rootCause', 'trigger', 'detection']);

const key = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** A structured field's value that names a service (not "Group 56", a pseudonymised assignment group). */
function isServiceName(name: string): boolean {
  const n = name.trim();
  return n.length >= 2 && n.length <= 80 && !isPlaceholder(n) && !/^[\p{L} ]{1,30} \d{1,6}$/u.test(n);
}

/** Title words that say what happened or when, not what broke. */
const NOT_A_NAME = new Set(
  ('incident incidents outage outages issue issues problem problems postmortem post-mortem post mortem report review bug bugs error errors failure failures ' +
    'down partial total multiple several some all any the a an of on in for to with from by at and or due causing caused during after before while ' +
    'slow performance degraded degradation unavailable broken missing delayed delays new old two three first second user users customer customers ' +
    'service services system systems platform production prod staging cluster clusters node nodes pod pods data access unauthorized attack compromise ' +
    'kubernetes k8s aws gcp azure cloud linux internal external api apis update upgrade upgrades migration deploy deployment release change changes ' +
    'jan january feb february mar march apr april may jun june jul july aug august sep sept september oct october nov november dec december ' +
    'monday tuesday wednesday thursday friday saturday sunday st nd rd th is are was were be been not no').split(' '),
);

/**
 * Names in the title that the body keeps using ("Prow", "Boskos", "ADFS", "Feature Flags
 * Service"): what the write-up is about. A name must recur, so a one-off word of the title is not one.
 */
function titleNames(title: string, body: string): string[] {
  const out: string[] = [];
  const words = title.replace(/[^\p{L}\p{N}_.\s-]+/gu, ' ').split(/\s+/).filter(Boolean);
  let run: string[] = [];
  const flush = () => {
    if (run.length) out.push(run.join(' '));
    run = [];
  };
  for (const w of words) {
    const bare = w.replace(/^[-.]+|[-.]+$/g, '');
    const named = /^\p{Lu}/u.test(bare) || /\p{Ll}\p{Lu}/u.test(bare);
    if (!bare || !named || NOT_A_NAME.has(bare.toLowerCase()) || /^\d/.test(bare)) flush();
    else run.push(bare);
  }
  flush();
  return out.filter((name) => {
    const first = name.split(' ')[0]!;
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'gu');
    return (body.match(re) ?? []).length >= 3;
  });
}

/** Services and components affected: the structured fields first, then those the text names. */
export function services(record: IncidentRecord, segments: Segment[], title: string | null, max = 6): Array<Sourced<string>> {
  const out: Array<Sourced<string>> = [];
  const seen = new Set<string>();
  const add = (name: string, section: string | null, start?: number, end?: number) => {
    const k = key(name);
    if (!k || seen.has(k) || out.length >= max) return;
    seen.add(k);
    out.push({ value: name, from: { documentId: record.documentId, section, ...(start !== undefined ? { start, end } : {}) } });
  };
  const system = typeof record.metadata.system === 'string' ? record.metadata.system : null;
  for (const name of record.fieldServices ?? []) {
    // ServiceNow's assignment group and Linear's team are who worked on it, not what broke.
    if ((system === 'servicenow' || system === 'linear') && (record.metadata.components as unknown[] | undefined)?.includes(name)) continue;
    if (isServiceName(name)) add(name.trim(), null);
  }
  // A ticket or chat title is a sentence someone typed; a write-up's title names its subject.
  if (title && record.kind === 'postmortem') for (const name of titleNames(title, record.body)) add(name, null);
  const parts: Array<{ text: string; section: string | null; start: number }> = [];
  if (title) parts.push({ text: title, section: null, start: -1 });
  for (const s of segments) if (WHERE.has(s.kind)) parts.push({ text: record.body.slice(s.start, s.end), section: s.heading, start: s.start });
  for (const p of parts) {
    for (const e of extractEntities(p.text)) {
      if (e.type !== 'service' && !(e.type === 'technology' && COMPONENTS.has(e.name))) continue;
      const at = p.start >= 0 ? p.text.toLowerCase().indexOf(e.name.toLowerCase()) : -1;
      add(e.name, p.section, at >= 0 ? p.start + at : undefined, at >= 0 ? p.start + at + e.name.length : undefined);
    }
  }
  return out;
}
