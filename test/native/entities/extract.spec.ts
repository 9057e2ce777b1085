import { describe, expect, it } from 'vitest';
import { extractEntities, normaliseUrl } from '../../../native/entities/extract.js';
import { refsFromUrl } from '../../../native/entities/refs.js';

const names = (text: string, type: string) => extractEntities(text).filter((e) => e.type === type).map((e) => e.name).sort();
const keys = (text: string, type: string) => extractEntities(text).filter((e) => e.type === type).map((e) => e.key).sort();

describe('entity extraction', () => {
  it('finds error signatures: exceptions, HTTP statuses in context, errno, k8s states, exit codes, quoted errors', () => {
    const text = [
      'The API threw java.lang.NullPointerException and a ConnectionTimeout.',
      'All services returning 503 in Kubernetes; the ALB gave HTTP 502 errors.',
      'Pods in CrashLoopBackOff, then OOMKilled; connect ECONNREFUSED 10.0.0.5:5432.',
      'The job exited with code 137.',
      'Logs said "pool timed out while waiting for an open connection".',
      'Mitigated at 15:03 after 503 seconds of panic; port 8080 was fine.',
    ].join('\n');
    expect(keys(text, 'error')).toEqual(
      ['connectiontimeout', 'crashloopbackoff', 'econnrefused', 'exit code 137', 'http 502 bad gateway', 'http 503 service unavailable', 'nullpointerexception', 'oomkilled', 'pool timed out while waiting for an open connection'].sort(),
    );
  });

  it('does not take years, times or durations for HTTP codes', () => {
    expect(names('On 2021-06-22 at 08:21 the 500 users saw nothing; it took 404ms.', 'error')).toEqual([]);
  });

  it('normalises technologies by their aliases: the same thing is one entity', () => {
    const found = extractEntities('k8s and Kubernetes, postgres and PostgreSQL, the ALB and ELB, CoreDNS');
    const tech = found.filter((e) => e.type === 'technology');
    expect(tech.find((e) => e.name === 'Kubernetes')?.mentions).toBe(2);
    expect(tech.find((e) => e.name === 'PostgreSQL')?.mentions).toBe(2);
    expect(tech.find((e) => e.name === 'Load balancer')?.mentions).toBe(2);
    // CoreDNS is both itself and DNS.
    expect(tech.map((e) => e.name)).toEqual(expect.arrayContaining(['CoreDNS']));
  });

  it('finds services, hosts, ticket keys and URLs; hosts and keys inside URLs are not counted twice', () => {
    const text = 'payments-api and the checkout-service failed; service: ledger. db-1.prod.internal and 10.2.3.4 were hot. See INC-123, OPS-42 and https://jira.acme.io/browse/OPS-42. UTF-8 and SHA-256 are not tickets.';
    expect(keys(text, 'service')).toEqual(['checkout-service', 'ledger', 'payments-api']);
    expect(keys(text, 'host')).toEqual(['10.2.3.4', 'db-1.prod.internal']);
    expect(keys(text, 'ticket')).toEqual(['INC-123', 'OPS-42']);
    expect(keys(text, 'url')).toEqual(['https://jira.acme.io/browse/OPS-42']);
  });

  it('takes no ticket key from the tail of a hyphenated name', () => {
    // A ServiceNow configuration item of the vendor's demo data (INC0000060's cmdb_ci).
    expect(keys('Affected CI: EXCH-SD-05, host web-PROD-12. Fixed in OPS-7 (see SRE-1024).', 'ticket')).toEqual(['OPS-7', 'SRE-1024']);
  });

  it('marks entities named by structured fields', () => {
    const e = extractEntities('Alice fixed it', [{ type: 'person', name: 'Alice Smith' }]);
    expect(e).toContainEqual({ type: 'person', key: 'alice-smith', name: 'Alice Smith', mentions: 1, fromField: true });
  });
});

describe('references from URLs', () => {
  it('knows Jira, GitHub, PagerDuty and Slack permalinks', () => {
    expect(refsFromUrl('https://jira.acme.io/browse/OPS-42')).toContain('ticket:OPS-42');
    expect(refsFromUrl('https://github.com/Acme/Infra/issues/7')).toContain('github:acme/infra#7');
    expect(refsFromUrl('https://acme.pagerduty.com/incidents/PT4KHLK')).toContain('pagerduty:PT4KHLK');
    expect(refsFromUrl('https://acme.slack.com/archives/C024BE91L/p1590000000000100?thread_ts=1589999999.000200')).toEqual(
      expect.arrayContaining(['slack:C024BE91L:1590000000.000100', 'slack:C024BE91L:1589999999.000200']),
    );
  });

  it('normalises URLs: no fragment, no tracking, no trailing slash, lower-case host', () => {
    expect(normaliseUrl('https://Status.Acme.io/incidents/12/?utm_source=x#top')).toBe('https://status.acme.io/incidents/12');
  });
});
