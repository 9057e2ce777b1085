import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outline } from '../../../native/incidents/outline.js';
import { runStart } from '../../../native/incidents/time-fields.js';
import { plain } from '../../../native/incidents/text.js';
import { FIXTURES, POSTMORTEMS, bodyRecord, fieldsOf, markdownRecord, sectionOf, spanOf } from './records.js';

const read = (path: string) => readFileSync(join(POSTMORTEMS, path), 'utf8');
/** The list items under a MOJ-style bold label ("- **Resolution**:"), as written. */
function itemsUnder(path: string, label: string): string[] {
  const text = read(path);
  const at = text.indexOf(`**${label}**`);
  const rest = text.slice(at).split('\n').slice(1);
  const out: string[] = [];
  for (const line of rest) {
    if (/^- \*\*/.test(line)) break;
    const m = /^\s+- (.+)$/.exec(line);
    if (m) out.push(m[1]!.trim());
  }
  return out;
}

describe('a MOJ write-up (inline labels, "Key events", "Review actions")', () => {
  const path = 'moj-cloud-platform/2021-09-04-pingdom-check-prometheus-down.md';
  const record = markdownRecord(path);
  const f = fieldsOf(record);

  it('takes the symptom from "Identified" and the mitigation from "Resolution"', () => {
    const identified = /\*\*Identified\*\*: (.+)/.exec(read(path))![1]!;
    expect(f.symptom?.value).toBe(identified.replace(/`/g, ''));
    expect(f.symptom?.from.section).toBe('Identified');
    expect(f.mitigation?.value).toBe(itemsUnder(path, 'Resolution')[0]);
    expect(f.mitigation?.from.section).toBe('Resolution');
  });

  it('reads the labelled key events as the detection, repair and resolution times', () => {
    const text = read(path);
    const at = (label: string) => new RegExp(`${label}:? (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d)`).exec(text)![1]!.replace(' ', 'T') + ':00Z';
    expect(f.detectedAt?.value).toBe(at('First detected'));
    expect(f.mitigatedAt?.value).toBe(at('Repaired'));
    expect(f.resolvedAt?.value).toBe(at('Resolved'));
    expect(spanOf(record, f.detectedAt!.from)).toContain('First detected');
  });

  it('takes every review action as an action item, with the ticket it links', () => {
    const reviews = itemsUnder(path, 'Review actions');
    expect(f.actionItems).toHaveLength(reviews.length);
    expect(f.actionItems[0]!.value.ticket).toBe('github:ministryofjustice/cloud-platform#3185');
    expect(f.actionItems.every((a) => a.from.section === 'Review actions')).toBe(true);
  });

  it('never takes an action item as the mitigation', () => {
    const actionTexts = f.actionItems.map((a) => a.value.text);
    expect(actionTexts).not.toContain(f.mitigation!.value);
    expect(f.mitigation!.value).not.toMatch(/60Gi/);
  });
});

describe('the mitigation', () => {
  it('is never a follow-up, even when the follow-ups are the only actions a write-up lists', () => {
    const path = 'dfds/PM2021-004_-_ADFS_outage.md';
    const summary = sectionOf(path, '## Summary');
    const actions = sectionOf(path, '## Action Items');
    const f = fieldsOf(bodyRecord(`# ADFS Outage\n\n${summary}\n\n${actions}\n`));
    expect(f.actionItems.length).toBeGreaterThan(1);
    expect(f.mitigation).toBeNull();
  });

  it('of a write-up with follow-ups and no resolution section comes from what its timeline says was done', () => {
    const record = markdownRecord('dfds/PM2020-008_-_Alcide_admission_causing_Kubernetes_timeouts.md');
    const f = fieldsOf(record);
    expect(f.mitigation?.from.section).toBe('Timeline');
    expect(spanOf(record, f.mitigation!.from)).toMatch(/Alcide admission controller/);
    for (const a of f.actionItems) expect(f.mitigation!.value).not.toContain(a.value.text);
  });
});

describe('a DFDS write-up (timeline table in CET)', () => {
  const record = markdownRecord('dfds/PM2020-004_-_CoreDNS_upgrade_issue.md');
  const f = fieldsOf(record);

  it('converts the timeline to UTC with the zone the document states', () => {
    expect(read('dfds/PM2020-004_-_CoreDNS_upgrade_issue.md')).toMatch(/All times in CET/);
    // | 2020-02-03 11:21 | EKS 1.14 upgrade cause CoreDNS pods to crash loop |
    expect(f.startedAt?.value).toBe('2020-02-03T10:21:00Z');
    // | 2020-02-03 11:52 | CoreDNS deployment manually downgraded, which solved the issue |
    expect(f.mitigatedAt?.value).toBe('2020-02-03T10:52:00Z');
    expect(f.mitigation?.value).toMatch(/manually downgraded/);
    expect(f.mitigation?.from.section).toBe('Timeline');
  });

  it('names the component and the way it failed', () => {
    expect(f.services.map((s) => s.value)).toContain('CoreDNS');
    expect(f.mechanism).toContain('crash loop');
    expect(f.failureModes.map((m) => m.value)).toContain('dns');
  });

  it('keeps "Time to detection: ?" out of every field', () => {
    expect(f.detectedAt).toBeNull();
  });
});

describe('a Kubernetes test-infra write-up', () => {
  const record = markdownRecord('kubernetes-test-infra/2019-01-23.md');
  const f = fieldsOf(record);

  it('reads "Created By: Name <email>" as the author, without the address', () => {
    expect(f.people).toContainEqual(expect.objectContaining({ value: { name: 'Benjamin Elder', role: 'author' } }));
    expect(f.people.some((p) => p.value.name.includes('@'))).toBe(false);
  });

  it('takes the root cause from "Root Cause", not from "What went wrong"', () => {
    const rc = sectionOf('kubernetes-test-infra/2019-01-23.md', '## Root Cause');
    expect(f.rootCause?.from.section).toBe('Root Cause');
    expect(plain(rc)).toContain(f.rootCause!.value.slice(0, 60));
  });

  it('times PST entries on the dates the timeline gives', () => {
    // "2019-01-23" then "- 4:49 AM: first recorded instance of a user seeing Prow being unresponsive".
    expect(f.detectedAt?.value).toBe('2019-01-23T12:49:00Z');
  });
});

describe('a PostHog write-up (remediation split into immediate actions and improvements)', () => {
  const path = 'posthog/2025-10-03-surveys-sdk-bug.md';
  const record = markdownRecord(path);
  const f = fieldsOf(record);

  it('takes what was done as the mitigation and the improvements as action items', () => {
    const remediation = /## Remediation\n\n(.+)/.exec(read(path))![1]!;
    expect(f.mitigation?.value).toBe(remediation);
    const texts = f.actionItems.map((a) => a.value.text);
    expect(texts.some((t) => t.startsWith('Version compatibility testing'))).toBe(true);
    expect(texts.some((t) => t.startsWith('Start incidents earlier'))).toBe(true);
    // "✅ Reverted the backwards-incompatible changes" was done during the incident: not a follow-up.
    expect(texts.some((t) => /Reverted the backwards-incompatible/.test(t))).toBe(false);
    for (const a of f.actionItems) expect(a.from.section).not.toMatch(/Immediate Actions$/);
  });

  it('reads severity, the deploy that triggered it and the action-item links', () => {
    expect(f.severity?.value).toBe('Major');
    expect(f.trigger?.value).toMatch(/1\.270\.0 deployed/);
    expect(f.actionItems.find((a) => a.value.text.startsWith('API compatibility layer'))?.value.ticket).toBe('github:posthog/posthog-js#2428');
    expect(f.failureModes[0]?.value).toBe('client-sdk-regression');
  });
});

describe('a Chia write-up (template heading left in, times in PST)', () => {
  const record = markdownRecord('chia/04-25-User_Account_Compromise.md');
  const f = fieldsOf(record);

  it('titles it with the line under the "ISSUE NAME" placeholder', () => {
    const second = read('chia/04-25-User_Account_Compromise.md').split('# ISSUE NAME\n')[1]!.split('\n')[0]!;
    expect(record.title).toBe('ISSUE NAME');
    expect(f.title?.value).toBe(second.replace(/\.$/, ''));
  });

  it('dates "11:12 AM: ..." under "_4/21/23_" in PST', () => {
    expect(f.detectedAt?.value).toBe('2023-04-21T19:12:00Z');
    expect(f.failureModes.map((m) => m.value)).toContain('account-compromise');
  });

  it('takes the root cause the resolution section states', () => {
    expect(f.rootCause?.value).toMatch(/^The root cause was determined to be/);
  });
});

describe('a write-up with no sections at all', () => {
  it('finds what was done to stop the bleeding in its prose', () => {
    const f = fieldsOf(markdownRecord('zalando-kubernetes-on-aws/jun-2019-kubelet-qps.md'));
    expect(f.mitigation?.value).toMatch(/^To stop the bleeding, the cluster was manually scaled up/);
    expect(f.failureModes.map((m) => m.value)).toContain('rate-limit');
  });
});

describe('a 2i2c report (times as headings, checkbox action items)', () => {
  const record = markdownRecord(join(FIXTURES, '2i2c-leap-outage.md'));
  const f = fieldsOf(record);

  it('reads "### 5:37 PM" under "Timeline (times in BST)" on the date of the title', () => {
    // "### 5:37 PM / First reports of users encountering 404 errors ..." (BST is UTC+1).
    expect(f.detectedAt?.value).toBe('2025-08-12T16:37:00Z');
    expect(f.resolvedAt?.value).toBe('2025-08-12T17:11:00Z');
    expect(spanOf(record, f.resolvedAt!.from)).toMatch(/6:11 PM/);
  });

  it('gives checkbox items their status and their tickets, and leaves the follow-up timeline out', () => {
    const boxes = sectionOf(join(FIXTURES, '2i2c-leap-outage.md'), '## Action Items').split('\n').filter((l) => l.startsWith('- ['));
    expect(f.actionItems.map((a) => a.value.status)).toEqual(boxes.map((l) => (l.startsWith('- [x]') ? 'done' : 'open')));
    expect(f.actionItems.map((a) => a.value.ticket)).toEqual([null, null, 'github:2i2c-org/jupyterhub-home-nfs#34', 'github:2i2c-org/infrastructure#6555', null]);
  });

  it('takes the person the first user reports came from as the reporter', () => {
    expect(f.people).toContainEqual(expect.objectContaining({ value: { name: 'Sarika de Bruyn', role: 'reporter' } }));
  });
});

describe('action items in a table with a status column', () => {
  // No permissively licensed real sample was found: this is the layout of the Google SRE
  // postmortem template's action-item table (our own rows), with a status column added.
  const body = [
    '# Search outage',
    '',
    '## Action Items',
    '',
    '| Action Item | Type | Owner | Bug | Status |',
    '| ----------- | ---- | ----- | --- | ------ |',
    '| Update playbook for cascading failure | mitigate | jennifer | OPS-101 | Done |',
    '| Add load shedding to the search frontend | prevent | martym | [#77](https://github.com/acme/search/issues/77) | In progress |',
    '| Schedule a cascading-failure test | process | docbrown | n/a **TODO** | |',
  ].join('\n');

  it('reads each row with its status and ticket', () => {
    const f = fieldsOf(bodyRecord(body));
    expect(f.actionItems.map((a) => [a.value.text, a.value.status, a.value.ticket])).toEqual([
      ['Update playbook for cascading failure', 'done', 'ticket:OPS-101'],
      ['Add load shedding to the search frontend', 'open', 'github:acme/search#77'],
      ['Schedule a cascading-failure test', 'open', null],
    ]);
  });
});

describe('the outline of a write-up', () => {
  it('tells immediate actions (the mitigation) from follow-ups (action items)', () => {
    const kinds = Object.fromEntries(outline(markdownRecord('posthog/2025-11-15-persons-db-migration.md')).map((s) => [s.title, s.kind]));
    expect(kinds['Immediate actions (completed)']).toBe('mitigation');
    expect(kinds['Planned actions (planned or in-progress)']).toBe('actionItems');
    expect(kinds['What could have gone better?']).toBe('lessonsWrong');
    expect(kinds['Appendix: OID Exhaustion Diagrams']).toBe('other');
  });
});

describe('causes and triggers a template has no section for', () => {
  it('takes the diagnosis its timeline records as the root cause (DFDS: summary, timeline, contributing factors)', () => {
    const adfs = fieldsOf(markdownRecord('dfds/PM2021-004_-_ADFS_outage.md')).rootCause;
    expect(adfs?.value).toMatch(/expired token signing and decryption certificates/);
    expect(adfs?.from.section).toBe('Timeline');
    // The clause that states it, not the "however, …" that follows.
    const ami = fieldsOf(markdownRecord('dfds/PM2024-002_-_PODs_not_able_to_start_while_being_moved_to_new_nodes_during_AMI_update.md')).rootCause;
    expect(ami?.value).toMatch(/Rate limit by Amazon ECS\/ECR/);
    expect(ami?.value).not.toMatch(/however/i);
  });

  it('never takes a search for the cause as a finding', () => {
    const record = bodyRecord('# Slow API\n\n## Timeline\n\n- 2024-01-02 10:00 UTC - Alert fired for API latency\n- 2024-01-02 10:20 UTC - Trying to identify the cause of the latency\n');
    expect(fieldsOf(record).rootCause).toBeNull();
  });

  it('reads what someone was doing when it broke as the trigger ("was deleting old clusters (he ran `terraform destroy`)")', () => {
    const t = fieldsOf(markdownRecord('moj-cloud-platform/2020-02-12.md')).trigger;
    expect(t?.value).toMatch(/deleting old clusters/);
  });

  it('reads "Leadup" (PagerDuty\'s template) as the trigger and "Fault" as the root cause', () => {
    const f = fieldsOf(bodyRecord('# Checkout errors\n\n## Leadup\n\nAt 14:02 UTC we deployed a change to the payment client.\n\n## Fault\n\nThe new client sent an empty idempotency key, which the gateway rejected.\n'));
    expect(f.trigger?.value).toMatch(/deployed a change to the payment client/);
    expect(f.rootCause?.value).toMatch(/empty idempotency key/);
  });
});

describe('the symptom of a write-up titled by it', () => {
  it('is the title when no section says what users saw ("All services returning 404 in Kubernetes")', () => {
    const f = fieldsOf(markdownRecord('dfds/PM2021-009_-_All_services_returning_404_in_Kubernetes.md'));
    expect(f.symptom?.value).toMatch(/returning 404/);
    // A title that names no symptom gives none.
    expect(fieldsOf(bodyRecord('# Quarterly database maintenance notes\n\n## Notes\n\nWe moved the backups to a new bucket.\n')).symptom).toBeNull();
  });
});

describe('a timeline that opens with background days before the incident', () => {
  it('starts the incident with the run of events that leads to its detection (MOJ: a beta made available 18 days before)', () => {
    const path = 'moj-cloud-platform/2026-03-30-ingress-nginx-rollback.md';
    // | 2026-03-12 14:06 | Cloud Platform made a beta ingress available … (the timeline's first row)
    expect(read(path)).toMatch(/\| 2026-03-12 14:06 \| Cloud Platform made a beta ingress available/);
    const f = fieldsOf(markdownRecord(path));
    expect(f.detectedAt?.value).toBe('2026-03-30T08:56:00Z');
    // | 2026-03-30 07:11| Cloud Platform begin the deployment of the updated ingress-nginx component …
    expect(f.startedAt?.value).toBe('2026-03-30T07:11:00Z');
    expect(f.trigger?.value).toMatch(/^Cloud Platform begin the deployment of the updated ingress-nginx component/);
    expect(f.resolvedAt?.value).toBe('2026-03-30T14:39:00Z');
  });

  it('takes the change that reached production, not the vendor release two days before it (DFDS: a bad AMI)', () => {
    const f = fieldsOf(markdownRecord('dfds/PM2022-009_-_Bad_AWS_EKS_AMI_causing_Kubernetes_issues.md'));
    // | 2022-10-29 01:02 | AMI v20221027 released |, then | 2022-10-31 07:30 | Daily roll-over of nodes … replaces existing nodes …
    expect(f.startedAt?.value).toBe('2022-10-31T07:30:00Z');
    expect(f.trigger?.value).toMatch(/^Daily roll-over of nodes picks up new latest AMI image/);
  });

  it('finds the run by quiet days: a gap under a day keeps events together', () => {
    const h = 3600_000;
    expect(runStart([0, 2 * h, 30 * h, 31 * h], 32 * h)).toBe(30 * h);
    expect(runStart([0, 20 * h, 40 * h], 41 * h)).toBe(-Infinity);
    // Events after the anchor do not move it; the anchor itself can end a quiet day.
    expect(runStart([0, 2 * h, 90 * h], 3 * h)).toBe(-Infinity);
    expect(runStart([0, 2 * h], 2 * h + 24 * h)).toBe(26 * h);
  });
});
