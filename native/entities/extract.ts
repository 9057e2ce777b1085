import type { EntityType } from '../contract.js';

/**
 * Entities named in text: services, error signatures, technologies, hosts, ticket keys, URLs.
 * (People come from structured fields: chat authors, assignees, postmortem authors.)
 * Everything is normalised to a key so that the same thing found twice is one entity.
 */
export interface Entity {
  type: EntityType;
  key: string;
  name: string;
}

export interface FoundEntity extends Entity {
  mentions: number;
  fromField: boolean;
}

/** Technologies by canonical name, with the spellings that mean them. */
const TECHNOLOGIES: Record<string, string[]> = {
  Kubernetes: ['kubernetes', 'k8s', 'kubectl', 'kubelet', 'kube-proxy', 'kube-apiserver'],
  EKS: ['eks'],
  GKE: ['gke'],
  AKS: ['aks'],
  Docker: ['docker', 'dockerhub', 'docker hub'],
  Helm: ['helm'],
  Kafka: ['kafka', 'msk'],
  RabbitMQ: ['rabbitmq'],
  SQS: ['sqs'],
  Redis: ['redis', 'elasticache'],
  Memcached: ['memcached'],
  PostgreSQL: ['postgresql', 'postgres', 'psql', 'pgbouncer'],
  MySQL: ['mysql', 'mariadb', 'aurora'],
  MongoDB: ['mongodb', 'mongod', 'mongos'],
  Cassandra: ['cassandra'],
  ClickHouse: ['clickhouse'],
  Elasticsearch: ['elasticsearch', 'opensearch'],
  Kibana: ['kibana'],
  Prometheus: ['prometheus', 'alertmanager', 'thanos'],
  Grafana: ['grafana'],
  Datadog: ['datadog'],
  PagerDuty: ['pagerduty'],
  DNS: ['dns', 'route53', 'route 53', 'coredns', 'kube-dns', 'nxdomain'],
  CoreDNS: ['coredns'],
  TLS: ['tls', 'ssl', 'x509', 'certificate', 'certificates', 'cert-manager', "let's encrypt", 'letsencrypt'],
  CDN: ['cdn', 'cloudfront', 'cloudflare', 'fastly', 'akamai'],
  'Load balancer': ['alb', 'elb', 'nlb', 'load balancer', 'load balancers', 'haproxy'],
  Nginx: ['nginx', 'ingress-nginx'],
  Ingress: ['ingress', 'ingress controller', 'ingress-controller'],
  Traefik: ['traefik'],
  Envoy: ['envoy'],
  Istio: ['istio'],
  Consul: ['consul'],
  Vault: ['vault'],
  etcd: ['etcd'],
  Terraform: ['terraform'],
  AWS: ['aws', 'amazon web services'],
  EC2: ['ec2', 'ami'],
  S3: ['s3'],
  RDS: ['rds'],
  Lambda: ['lambda'],
  IAM: ['iam', 'kiam', 'irsa'],
  VPC: ['vpc', 'vpc cni', 'subnet', 'subnets'],
  GCP: ['gcp', 'google cloud'],
  Azure: ['azure'],
  'GitHub Actions': ['github actions'],
  CircleCI: ['circleci'],
  Jenkins: ['jenkins'],
  'Argo CD': ['argocd', 'argo cd'],
  Flux: ['flux', 'fluxcd'],
  JVM: ['jvm', 'java', 'garbage collection', 'gc pause'],
  'Node.js': ['node.js', 'nodejs', 'npm'],
  Python: ['python'],
  Go: ['golang'],
  Linux: ['linux', 'systemd', 'kernel', 'inotify'],
  Fluentd: ['fluentd', 'fluent-bit', 'fluentbit'],
  CloudWatch: ['cloudwatch'],
  'Active Directory': ['active directory', 'adfs', 'adsync', 'ldap'],
  OAuth: ['oauth', 'oidc', 'auth0', 'saml', 'sso'],
  Cron: ['cron', 'cronjob'],
};

const TECH_BY_ALIAS = new Map<string, string>();
for (const [name, aliases] of Object.entries(TECHNOLOGIES)) for (const a of aliases) TECH_BY_ALIAS.set(a, name);
const TECH_RE = new RegExp(
  `(?<![\\w.-])(${[...TECH_BY_ALIAS.keys()].sort((a, b) => b.length - a.length).map((a) => a.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&')).join('|')})(?![\\w-])`,
  'gi',
);

/** Ticket-key lookalikes that are not tickets. */
const NOT_TICKET_PREFIXES = new Set(['UTF', 'SHA', 'ISO', 'RFC', 'TLS', 'SSL', 'HTTP', 'IPV', 'AES', 'RSA', 'MD', 'ECDSA', 'COVID', 'GPT', 'X', 'PM', 'CVE', 'CWE', 'GHSA', 'WIN', 'T', 'V', 'P', 'S', 'R', 'Q', 'K', 'IE', 'EC', 'GC', 'PR', 'US', 'EU', 'AP', 'UTC', 'GMT', 'PST', 'PDT', 'CET', 'BST']);

const URL_RE = /\bhttps?:\/\/[^\s<>"'`)\]|]+/gi;
// Not the tail of a hyphenated name: a ServiceNow CI "EXCH-SD-05" is no ticket SD-05.
const TICKET_RE = /(?<![\w-])([A-Z][A-Z0-9]{1,9})-(\d{1,7})\b/g;
const EXCEPTION_RE = /\b([A-Z][A-Za-z0-9]*(?:Exception|Error|Timeout|Failure))\b/g;
const K8S_STATES_RE = /\b(CrashLoopBackOff|OOMKilled|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|Evicted|NodeNotReady|NotReady|DiskPressure|MemoryPressure|PIDPressure|DeadlineExceeded)\b/g;
const ERRNO_RE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|ENOSPC|EMFILE|EPIPE|EACCES|SIGKILL|SIGTERM|SIGSEGV|NXDOMAIN|SERVFAIL)\b/g;
const HTTP_RE = /\b([45]\d\d)s?\b/g;
const HTTP_NAMES: Record<string, string> = {
  '400': 'Bad Request', '401': 'Unauthorized', '403': 'Forbidden', '404': 'Not Found', '408': 'Request Timeout', '409': 'Conflict',
  '413': 'Payload Too Large', '429': 'Too Many Requests', '499': 'Client Closed Request', '500': 'Internal Server Error',
  '502': 'Bad Gateway', '503': 'Service Unavailable', '504': 'Gateway Timeout',
};
const EXIT_RE = /\bexit(?:ed)?(?: with)?(?: status| code)\s*(-?\d{1,3})\b/gi;
const QUOTED_ERROR_RE = /["'“`]([^"'”`\n]{3,120}?(?:error|failed|failure|refused|timed? ?out|denied|unavailable|not found|exceeded|invalid|unable|cannot|can't|could not|panic|fatal)[^"'”`\n]{0,80}?)["'”`]/gi;
const CVE_RE = /\bCVE-\d{4}-\d{4,7}\b/g;
const SERVICE_RE = /\b([a-z][a-z0-9]*(?:[-_][a-z0-9]+)*[-_](?:service|svc|api|worker|gateway|proxy|server|daemon|controller|operator|scheduler|consumer|producer|ingester|ingestion))\b/g;
const SERVICE_LABEL_RE = /\bservices?\s*[:=]\s*[`"']?([A-Za-z][\w.-]{1,60})/g;
const HOST_RE = /\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:internal|local|lan|corp|com|net|org|io|cloud|dev|svc\.cluster\.local))\b/g;
const IPV4_RE = /\b((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})\b/g;

export function normaliseKey(type: EntityType, name: string): string {
  const s = name.trim();
  switch (type) {
    case 'url':
      return normaliseUrl(s);
    case 'ticket':
      return s.toUpperCase();
    case 'error':
      return s.toLowerCase().replace(/\s+/g, ' ').replace(/[.:;,]+$/, '');
    default:
      return s.toLowerCase().replace(/[\s_]+/g, '-').replace(/[^\p{L}\p{N}.@/+-]+/gu, '');
  }
}

/** URLs compare without fragments, trailing slashes or tracking parameters; hosts in lower case. */
export function normaliseUrl(raw: string): string {
  try {
    const u = new URL(raw.replace(/[.,;:!?]+$/, ''));
    u.hash = '';
    for (const k of [...u.searchParams.keys()]) if (/^utm_|^(ref|source|token)$/i.test(k)) u.searchParams.delete(k);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return raw;
  }
}

class Collector {
  private map = new Map<string, FoundEntity>();
  add(type: EntityType, name: string, fromField = false) {
    const display = name.trim();
    if (!display) return;
    const key = normaliseKey(type, display);
    if (!key) return;
    const id = `${type}\u0000${key}`;
    const e = this.map.get(id);
    if (e) {
      e.mentions++;
      e.fromField ||= fromField;
    } else this.map.set(id, { type, key, name: display, mentions: 1, fromField });
  }
  get all(): FoundEntity[] {
    return [...this.map.values()];
  }
}

/**
 * Entities in a text, plus those given by structured fields. Code blocks are searched too:
 * that is where error messages and exception names usually are.
 */
export function extractEntities(text: string, fields: Array<{ type: EntityType; name: string }> = []): FoundEntity[] {
  const c = new Collector();
  for (const f of fields) c.add(f.type, f.name, true);
  // Markdown link titles ([x](url "title")) are the linked page's words, not this document's.
  text = text.replace(/\]\((\S+?)\s+"[^"\n]*"\)/g, ']($1)');
  const urls = [...text.matchAll(URL_RE)].map((m) => m[0].replace(/[.,;:!?]+$/, ''));
  for (const u of urls) c.add('url', u);
  // Hosts and ticket keys inside URLs are the URL's business, not separate mentions.
  const plain = text.replace(URL_RE, ' ');
  for (const m of plain.matchAll(TICKET_RE)) if (!NOT_TICKET_PREFIXES.has(m[1]!) && !/^\d+$/.test(m[1]!)) c.add('ticket', m[0]);
  for (const m of plain.matchAll(CVE_RE)) c.add('error', m[0]);
  for (const re of [EXCEPTION_RE, K8S_STATES_RE, ERRNO_RE]) for (const m of plain.matchAll(re)) c.add('error', m[1]!);
  for (const m of plain.matchAll(HTTP_RE)) {
    // A bare number is only an HTTP status with a word around it that says so.
    const ctx = plain.slice(Math.max(0, m.index - 24), m.index + m[0].length + 32).toLowerCase();
    if (!/http|status|error|response|returning|returned|gateway|unavailable|server|bad request|not found|timeout|5xx|4xx/.test(ctx)) continue;
    if (/\d{4}-\d\d|\d:\d\d|\$|ms\b|%|\bport\b/.test(plain.slice(Math.max(0, m.index - 6), m.index + m[0].length + 4))) continue;
    const code = m[1]!;
    c.add('error', `HTTP ${code}${HTTP_NAMES[code] ? ` ${HTTP_NAMES[code]}` : ''}`);
  }
  for (const m of plain.matchAll(EXIT_RE)) c.add('error', `exit code ${m[1]}`);
  for (const m of plain.matchAll(QUOTED_ERROR_RE)) c.add('error', m[1]!.trim());
  for (const m of plain.matchAll(TECH_RE)) {
    const name = TECH_BY_ALIAS.get(m[1]!.toLowerCase());
    if (name) c.add('technology', name);
  }
  for (const m of plain.matchAll(SERVICE_RE)) c.add('service', m[1]!);
  for (const m of plain.matchAll(SERVICE_LABEL_RE)) c.add('service', m[1]!.replace(/[.-]+$/, ''));
  for (const m of plain.matchAll(HOST_RE)) if (!/\.(md|txt|json|yaml|yml|js|ts|py|go|html|png|jpg)$/i.test(m[1]!)) c.add('host', m[1]!);
  for (const m of plain.matchAll(IPV4_RE)) if (!m[1]!.startsWith('0.') && !/^\d+\.\d+\.\d+\.\d+\.\d/.test(plain.slice(m.index))) c.add('host', m[1]!);
  return c.all;
}
