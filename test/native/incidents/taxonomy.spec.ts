import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HindsightError } from '../../../native/common/errors.js';
import { packageRoot } from '../../../native/common/package-root.js';
import { failureModes, zonesOf } from '../../../native/incidents/failure-modes.js';
import { outline } from '../../../native/incidents/outline.js';
import { buildTaxonomy, defaultTaxonomyPath, literalHints, loadTaxonomy, parseTaxonomyFile, WordPrefixes } from '../../../native/incidents/taxonomy.js';
import { bodyRecord, DEMO, fieldsOf, markdownRecord, POSTMORTEMS, sectionOf, shippedTaxonomy } from './records.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-taxonomy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const teamFile = (name: string, text: string) => {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
};

describe('the shipped failure-mode taxonomy', () => {
  it('covers the failure modes the product needs, each with a label, a description and evidence', () => {
    const t = loadTaxonomy();
    const ids = t.modes.map((m) => m.id);
    for (const id of [
      'certificate-expiry', 'dns', 'config-push', 'deploy-regression', 'capacity-overload', 'dependency-outage', 'database', 'disk-full',
      'memory-oom', 'network-partition', 'rate-limit', 'auth-credentials', 'load-balancer-targets', 'scheduler-cron', 'data-corruption',
      'cluster-upgrade', 'node-not-ready', 'ip-exhaustion', 'retry-storm', 'secret-leak', 'supply-chain', 'dependency-upgrade',
      'client-sdk-regression', 'log-shipping', 'admission-webhook', 'iac-wrong-target', 'false-positive-alert', 'consumer-lag',
    ]) {
      expect(ids).toContain(id);
    }
    for (const m of t.modes) {
      expect(m.label.length).toBeGreaterThan(2);
      expect(m.description.length).toBeGreaterThan(10);
      expect(m.evidence.length).toBeGreaterThan(0);
    }
    // Lessons and action items talk about other failures: they never count.
    expect(t.sectionWeights.lessons).toBe(0);
    expect(t.sectionWeights.actionItems).toBe(0);
    expect(t.sectionWeights.rootCause).toBeGreaterThan(t.sectionWeights.timeline);
  });

  it('is found from the built CLI in dist/ as from the sources', () => {
    const root = packageRoot();
    expect(defaultTaxonomyPath()).toBe(join(root, 'config', 'failure-modes.yaml'));
    // dist/native/incidents/taxonomy.js walks up to the same package root.
    expect(packageRoot(new URL(`file://${join(root, 'dist', 'native', 'incidents', 'taxonomy.js')}`).href)).toBe(root);
  });
});

describe('a team taxonomy file', () => {
  it('overrides a mode with the same id, adds new ones and overrides weights', () => {
    const path = teamFile(
      'team.yaml',
      [
        'threshold: 0.8',
        'sectionWeights: { timeline: 0.9 }',
        'modes:',
        '  - id: dns',
        '    label: Our resolver',
        '    description: Our in-house resolver fleet failed.',
        '    evidence: [{ phrase: resolverd, weight: 2 }]',
        '  - id: kafka-rebalance',
        '    label: Kafka rebalance loop',
        '    description: Consumers kept being evicted from their group.',
        '    evidence: [{ pattern: "rebalanc(e|ing) (loop|every)", weight: 1.5 }]',
      ].join('\n'),
    );
    const t = loadTaxonomy({ extraFiles: [path] });
    expect(t.threshold).toBe(0.8);
    expect(t.sectionWeights.timeline).toBe(0.9);
    expect(t.sectionWeights.rootCause).toBe(shippedTaxonomy().sectionWeights.rootCause);
    const dns = t.modes.find((m) => m.id === 'dns')!;
    expect(dns.label).toBe('Our resolver');
    expect(dns.evidence).toHaveLength(1);
    expect(t.modes.filter((m) => m.id === 'dns')).toHaveLength(1);
    expect(t.modes.map((m) => m.id)).toContain('kafka-rebalance');
    expect(t.modes.length).toBe(shippedTaxonomy().modes.length + 1);
    expect(t.sources).toEqual([defaultTaxonomyPath(), path]);
  });

  it("classifies with the team's new mode", () => {
    const t = loadTaxonomy({
      extraFiles: [teamFile('rebalance.yaml', 'modes:\n  - id: kafka-rebalance\n    label: Kafka rebalance loop\n    description: Consumers kept being evicted.\n    evidence: [{ pattern: "rebalance loop", weight: 1.5 }]\n')],
    });
    // The demo data is ours: its root cause names a rebalance loop.
    const record = markdownRecord(new URL('../../../demo/postmortems/2024-02-07-tracking-kafka-lag.md', import.meta.url).pathname);
    const ids = failureModes(record, zonesOf(outline(record)), t, record.title).map((m) => m.value);
    expect(ids).toContain('kafka-rebalance');
    expect(failureModes(record, zonesOf(outline(record)), shippedTaxonomy(), record.title).map((m) => m.value)).not.toContain('kafka-rebalance');
  });

  it('is refused with a message naming the file, the entry and the problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['modes: [id: dns', /is not valid YAML/],
      ['modes:\n  - id: bad\n    label: Bad\n    description: A broken pattern.\n    evidence: [{ pattern: "(unclosed", weight: 1 }]\n', /modes\[0\]\.evidence\[0\]\.pattern \(mode "bad"\) is not a valid regular expression/],
      ['modes:\n  - id: two\n    label: Two\n    description: Both kinds of evidence.\n    evidence: [{ phrase: a, pattern: b, weight: 1 }]\n', /needs exactly one of "phrase" or "pattern"/],
      ['modes:\n  - id: heavy\n    label: Heavy\n    description: Too heavy.\n    evidence: [{ phrase: a, weight: 50 }]\n', /weight/],
      ['modes:\n  - { id: x, label: X, description: One mode., evidence: [{ phrase: a, weight: 1 }] }\n  - { id: x, label: X, description: Same id., evidence: [{ phrase: b, weight: 1 }] }\n', /mode "x" is defined twice/],
      ['modes:\n  - { id: Not An Id, label: X, description: Bad id., evidence: [{ phrase: a, weight: 1 }] }\n', /modes\[0\]\.id/],
      ['sectionWeights: { footnotes: 1 }\n', /sectionWeights/],
      ['colour: blue\n', /colour|unrecognized/i],
    ];
    for (const [text, message] of cases) {
      const path = teamFile('broken.yaml', text);
      let err: unknown;
      try {
        loadTaxonomy({ extraFiles: [path] });
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(HindsightError);
      expect((err as HindsightError).reason).toBe('bad-taxonomy');
      expect((err as HindsightError).message).toContain(path);
      expect((err as HindsightError).message).toMatch(message);
    }
  });

  it('that does not exist is an error, not an empty taxonomy', () => {
    expect(() => loadTaxonomy({ extraFiles: [join(work, 'missing.yaml')] })).toThrow(/does not exist/);
  });

  it('parses to the same modes as the shipped file when it is the shipped file', () => {
    const text = `modes:\n  - { id: only, label: Only, description: The only mode., evidence: [{ phrase: only, weight: 1 }] }\n`;
    const t = buildTaxonomy([{ name: 'a.yaml', data: parseTaxonomyFile(text, 'a.yaml') }]);
    expect(t.modes.map((m) => m.id)).toEqual(['only']);
    expect(t.threshold).toBe(1);
  });
});

describe('the quick test before each pattern runs', () => {
  it('never skips a pattern that would match (checked over the whole corpus)', () => {
    const t = shippedTaxonomy();
    let checked = 0;
    for (const org of readdirSync(POSTMORTEMS)) {
      if (org.endsWith('.txt')) continue;
      for (const f of readdirSync(join(POSTMORTEMS, org)).filter((x) => x.endsWith('.md'))) {
        const body = markdownRecord(join(POSTMORTEMS, org, f)).body;
        const words = new WordPrefixes(body.toLowerCase());
        for (const ev of [...t.modes.flatMap((m) => m.evidence), ...t.mechanisms.flatMap((m) => m.patterns)]) {
          ev.re.lastIndex = 0;
          if (ev.re.test(body)) {
            checked++;
            expect(words.mayMatch(ev.hints), `${ev.re.source} in ${org}/${f}`).toBe(true);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('reads the words a pattern must start with', () => {
    expect(literalHints('\\b(certificates?|certs?)\\b[^.\\n]{0,60}\\bexpired')).toEqual(['certificate', 'cert']);
    expect(literalHints('\\bnot ?ready\\b')).toEqual(['not']);
    // Nothing is required when the start is optional or a class.
    expect(literalHints('(a|b)?c')).toBeNull();
    expect(literalHints('[abc]+d')).toBeNull();
    expect(literalHints('foo|bar')).toBeNull();
    // A second branch after a leading group: its words need not be there ("compromised" alone matches).
    expect(literalHints('\\b(passwords?|accounts?)\\b[^.\\n]{0,20}\\b(takeover)\\b|\\bcompromised\\b')).toBeNull();
    // A "|" inside a class or a group is no branch of the whole pattern.
    expect(literalHints('\\b(dns|coredns)\\b[|,]')).toEqual(['dns', 'coredns']);
    const text = "modes:\n  - { id: takeover, label: Takeover, description: An account taken over., evidence: [{ pattern: '\\b(passwords?|accounts?)\\b[^.\\n]{0,20}\\btakeover\\b|\\bcompromised\\b', weight: 1 }] }\n";
    const ev = buildTaxonomy([{ name: 'a.yaml', data: parseTaxonomyFile(text, 'a.yaml') }]).modes[0]!.evidence[0]!;
    // The quick test must not skip the pattern on a text only its second branch matches.
    expect(new WordPrefixes('the laptop was compromised').mayMatch(ev.hints)).toBe(true);
  });
});

describe('failure modes of a record', () => {
  it('finds the cause a postmortem states, with where it says it', () => {
    const record = markdownRecord('dfds/PM2021-004_-_ADFS_outage.md');
    const modes = fieldsOf(record).failureModes;
    const cert = modes.find((m) => m.value === 'certificate-expiry');
    expect(cert).toBeDefined();
    expect(cert!.score).toBeGreaterThanOrEqual(shippedTaxonomy().threshold);
    expect(cert!.from.documentId).toBe(record.documentId);
    expect(record.body.slice(cert!.from.start, cert!.from.end)).toMatch(/certificates?.*expire/i);
  });

  it('does not count a failure mode named only in lessons or action items', () => {
    // ADFS's own follow-up names certificate expiry; as the only mention it says nothing of this incident.
    const actions = sectionOf('dfds/PM2021-004_-_ADFS_outage.md', '## Action Items');
    expect(actions).toMatch(/certificate expiry/);
    const record = bodyRecord(`# Login trouble\n\n## Summary\n\nPeople had trouble logging in.\n\n${actions}\n`);
    expect(fieldsOf(record).failureModes.map((m) => m.value)).not.toContain('certificate-expiry');
  });

  it('does not accept a generic word alone', () => {
    const record = bodyRecord('# Certificate page\n\n## Root cause\n\nThe certificate page of the portal had a typo in its heading.\n');
    expect(fieldsOf(record).failureModes.map((m) => m.value)).not.toContain('certificate-expiry');
  });

  it('reads several failure modes of one incident (multi-label)', () => {
    const ids = fieldsOf(markdownRecord('zalando-kubernetes-on-aws/jan-2019-dns-outage.md')).failureModes.map((m) => m.value);
    expect(ids).toEqual(expect.arrayContaining(['dns', 'memory-oom']));
  });

  it('does not count a negated mention', () => {
    const record = bodyRecord('# Slow pages\n\n## Root cause\n\nThis was not a DNS failure: the resolvers were healthy. A slow query held a table lock.\n');
    expect(fieldsOf(record).failureModes.map((m) => m.value)).not.toContain('dns');
  });

  it('reads consumer lag (a rebalance loop, consumers falling behind) as its own failure mode', () => {
    // Both demo write-ups (ours) tell a consumer group's rebalance loop; no other mode covers it.
    for (const file of ['2024-02-07-tracking-kafka-lag.md', '2024-09-18-tracking-kafka-rebalance.md']) {
      expect(fieldsOf(markdownRecord(`${DEMO}postmortems/${file}`)).failureModes.map((m) => m.value)).toContain('consumer-lag');
    }
    const generic = bodyRecord('# Kafka upgrade\n\n## Root cause\n\nThe Kafka brokers were upgraded and one topic lost its retention setting.\n');
    expect(fieldsOf(generic).failureModes.map((m) => m.value)).not.toContain('consumer-lag');
  });

  it('reads the usual wordings of a failure it knows, stated once in the root cause', () => {
    const modes = (root: string) => fieldsOf(bodyRecord(`# Incident\n\n## Root cause\n\n${root}\n`)).failureModes.map((m) => m.value);
    expect(modes('The server certificate for the identity broker, a service that hands out cloud credentials to pods, expires.')).toContain('certificate-expiry');
    expect(modes('Scaling out failed: the cloud API kept returning InsufficientInstanceCapacity.')).toContain('capacity-overload');
    expect(modes('Requests piled up on undersized nodes, CPU pegged at 100%.')).toContain('capacity-overload');
    expect(modes('Every apply failed calling webhook validate.policy.example.com: context deadline exceeded.')).toContain('admission-webhook');
    expect(modes('The primary key is a 32-bit serial and it reached its maximum value.')).toContain('database');
    expect(modes('No logs reached the log store for two hours after the agent restarted.')).toContain('log-shipping');
    expect(modes('The root filesystem of the node was 100% full.')).toContain('disk-full');
    expect(modes('The alert turned out to be benign: no evidence of compromise.')).toContain('false-positive-alert');
    expect(modes('We upgraded the ingress controller from 1.8.7 to 1.11.1.')).toContain('dependency-upgrade');
    // A generic word alone still says nothing.
    expect(modes('The certificate page had a typo; the logs were fine.')).toEqual([]);
  });

  it('reads an HTTP status as "5xx errors", never an amount ("batches of 500 events", "500 GB disks", "$500")', () => {
    const mech = (root: string) => fieldsOf(bodyRecord(`# Incident\n\n## Root cause\n\n${root}\n`)).mechanism;
    expect(mech('Batches of 500 events took longer than the poll interval.')).not.toContain('5xx errors');
    expect(mech('We migrated the cluster to 500 GB disks.')).not.toContain('5xx errors');
    expect(mech('The attacker asked for four $500 gift cards.')).not.toContain('5xx errors');
    expect(mech('All services were returning 503 to the load balancer.')).toContain('5xx errors');
    expect(mech('The ingress served 502s for ten minutes.')).toContain('5xx errors');
    expect(mech('Clients saw status 504 messages.')).toContain('5xx errors');
    expect(mech('Batches of 500 take more than 5 min, so the poll interval kicks them out.')).not.toContain('5xx errors');
    expect(mech('We bought a 500 GB volume.')).not.toContain('5xx errors');
    expect(mech('The API answered with a 502 Bad Gateway.')).toContain('5xx errors');
    expect(mech('Checkout returned HTTP/1.1 503 to most callers.')).toContain('5xx errors');
    expect(mech('Error rate of 500 errors per minute on checkout.')).toContain('5xx errors');
  });
});
