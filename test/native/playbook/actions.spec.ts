/**
 * Mitigations reduced to actions and grouped across incidents, on the mitigations extraction reads
 * from real write-ups of the shared corpus (and our demo's).
 */
import { describe, expect, it } from 'vitest';
import { actionsOf, sameAction } from '../../../native/playbook/actions.js';
import { buildPlaybook } from '../../../native/playbook/playbook.js';
import type { IncidentFields } from '../../../native/incidents/types.js';
import type { IncidentRow } from '../../../native/store/store.js';
import { fieldsOf, markdownRecord } from '../incidents/records.js';

/** The mitigation extraction reads from a corpus postmortem. */
function mitigationOf(path: string): { fields: IncidentFields; text: string } {
  const fields = fieldsOf(markdownRecord(path));
  expect(fields.mitigation, `${path} has a mitigation`).not.toBeNull();
  return { fields, text: fields.mitigation!.value };
}

const labels = (text: string) => actionsOf(text).map((a) => a.label);

let nextId = 1;
function row(fields: IncidentFields, startedAt: string): IncidentRow {
  return {
    id: nextId++, title: `incident ${nextId}`, primaryDocumentId: null, startedAt, detectedAt: null, mitigatedAt: null, resolvedAt: null,
    severity: null, minutesToDetect: null, minutesToResolve: null, fields, records: [], links: [],
  };
}

describe('mitigation actions', () => {
  it('reads a passive step\'s object from the words before its verb', () => {
    expect(labels(mitigationOf('dfds/PM2020-004_-_CoreDNS_upgrade_issue.md').text)).toEqual(['roll back coredns deployment']);
    expect(labels(mitigationOf('dfds/PM2022-002_-_Logs_not_shipped_to_CloudWatch.md').text)).toEqual(['roll back change']);
    expect(labels(mitigationOf('moj-cloud-platform/2025-07-23-multiple-secrets-leaked-to-public.md').text)[0]).toBe('revoke personal access token');
  });

  it('reads every step of a mitigation, not only the first', () => {
    // "resolved by cordoning and draining nodes one by one before deleting the instance group"
    expect(labels(mitigationOf('moj-cloud-platform/2020-09-28-termination-nodes-updating-kops.md').text)).toEqual(['drain nodes', 'remove instance group']);
  });

  it('ends the object where an instrument, a purpose or a hyphenated word begins', () => {
    // "A restart of the leader ingress-controller pod was required so the other pods in the replica-set could connect"
    expect(labels(mitigationOf('moj-cloud-platform/2020-08-14-ingress-controllers-crashlooping.md').text)).toEqual(['restart leader ingress-controller pod']);
    expect(labels('x509: certificate has expired; renewed with cmctl renew')).toEqual(['renew certificate']);
    expect(labels('Timeout values increased to accommodate peak load scenarios')).toEqual(['raise timeout values']);
  });

  it('keeps a dotted setting name whole: a dot ends a step only before a space or the end', () => {
    const steps = labels('Raised max.poll.interval.ms to 15 minutes and lowered max.poll.records to 100. Restarted the consumers.');
    expect(steps[0]).toMatch(/^raise max\.poll\.interval\.ms/);
    expect(steps[1]).toMatch(/^lower max\.poll\.records/);
    expect(steps).toContain('restart consumers');
  });

  it('takes no outcome for a step ("count started slowly increasing")', () => {
    expect(actionsOf('Mempool spendbundle count started slowly increasing.')).toEqual([]);
  });

  it('a step that names no object is the same action as one that does', () => {
    const [bare] = actionsOf('forced a renewal with cmctl renew');
    const [named] = actionsOf('Certificate rolled over and login via ADFS confirmed working');
    expect(bare).toMatchObject({ verb: 'renew', object: [] });
    expect(named!.label).toBe('renew certificate');
    expect(sameAction(bare!, named!)).toBe(true);
    expect(sameAction(named!, actionsOf('Restarted the kafka-exporter pod')[0]!)).toBe(false);
    // Issuing a new certificate is renewing it, whatever the write-up calls it.
    const [issued] = actionsOf('Issued a new certificate and replaced the ingress secret');
    expect(issued!.label).toBe('renew certificate');
    expect(sameAction(bare!, issued!)).toBe(true);
  });

  it('groups the same action across incidents under one readable label, citing each incident once', () => {
    // Three write-ups of three organisations' templates, each rolling back a change.
    const rows = [
      row(mitigationOf('dfds/PM2025-002_-_Traefik_rule_preventing_some_inbound_traffic.md').fields, '2025-01-01T00:00:00Z'),
      row(mitigationOf('dfds/PM2022-002_-_Logs_not_shipped_to_CloudWatch.md').fields, '2022-01-01T00:00:00Z'),
      row(mitigationOf('kubernetes-test-infra/2019-01-23.md').fields, '2019-01-23T00:00:00Z'),
      row(mitigationOf('moj-cloud-platform/2020-09-28-termination-nodes-updating-kops.md').fields, '2020-09-28T00:00:00Z'),
    ];
    const p = buildPlaybook('test', rows);
    const rollback = p.mitigations[0]!;
    expect(rollback.action).toBe('roll back change');
    expect(rollback.incidents.map((i) => i.incidentId).sort()).toEqual([rows[0]!.id, rows[1]!.id, rows[2]!.id].sort());
    expect(rollback.examples).toHaveLength(3);
    // The kops incident's two steps are two actions, each citing it once.
    expect(p.mitigations.map((m) => m.action)).toEqual(expect.arrayContaining(['drain nodes', 'remove instance group']));
    for (const m of p.mitigations) expect(new Set(m.incidents.map((i) => i.incidentId)).size).toBe(m.incidents.length);
  });

  it('gives the typical time to resolve as the median: the mean of the middle two when their number is even', () => {
    const timed = (minutes: number) => ({ ...row(mitigationOf('dfds/PM2022-002_-_Logs_not_shipped_to_CloudWatch.md').fields, '2022-01-01T00:00:00Z'), minutesToResolve: minutes });
    expect(buildPlaybook('t', [timed(88), timed(182)]).timeToResolve).toEqual({ medianMinutes: 135, fastestMinutes: 88, slowestMinutes: 182, known: 2 });
    expect(buildPlaybook('t', [timed(182), timed(30), timed(88)]).timeToResolve.medianMinutes).toBe(88);
  });
});
