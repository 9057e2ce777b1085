import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPersonName } from '../../../native/incidents/people.js';
import { isPlaceholder } from '../../../native/incidents/text.js';
import type { IncidentFields } from '../../../native/incidents/types.js';
import { CORPUS } from '../../support/generated-models.js';
import { bodyRecord, FIXTURES, fieldsOf, markdownRecord, sourceDocuments, sourceRecord } from './records.js';

/** Every field a template must leave empty. */
function expectNothingFilled(f: IncidentFields) {
  expect(f.symptom).toBeNull();
  expect(f.trigger).toBeNull();
  expect(f.rootCause).toBeNull();
  expect(f.mitigation).toBeNull();
  expect(f.severity).toBeNull();
  expect(f.actionItems).toEqual([]);
  expect(f.people).toEqual([]);
  expect(f.failureModes).toEqual([]);
  expect([f.startedAt, f.detectedAt, f.mitigatedAt, f.resolvedAt]).toEqual([null, null, null, null]);
}

describe("real postmortem templates (the organisations' own, unfilled)", () => {
  it('DFDS: "Incident Title", "Short event description", empty bullets and "Someone Fromtheteam" fill nothing', () => {
    const f = fieldsOf(markdownRecord(join(FIXTURES, 'dfds-postmortem-template.md')));
    expect(f.title).toBeNull();
    expectNothingFilled(f);
  });

  it('Chia: "ISSUE NAME", lorem ipsum and "12:45 PM DATE: Thing 1 happened" fill nothing', () => {
    const f = fieldsOf(markdownRecord(join(FIXTURES, 'chia-postmortem-template.md')));
    expect(f.title).toBeNull();
    expectNothingFilled(f);
  });

  it('PostHog: an empty "Incident Lead:", instructions in italics and unanswered prompts fill nothing', () => {
    const f = fieldsOf(markdownRecord(join(FIXTURES, 'posthog-investigation-template.md')));
    expect(f.title).toBeNull();
    expectNothingFilled(f);
  });

  it('2i2c: "YYYY-MM-DD - Incident Title", empty table cells and "Action item 1" fill nothing', () => {
    const f = fieldsOf(markdownRecord(join(FIXTURES, '2i2c-report-template.md')));
    expect(f.title).toBeNull();
    expectNothingFilled(f);
  });

  it('a template line under a real heading stays empty while the written sections are read', () => {
    // A real root cause (DFDS's CoreDNS postmortem) under a template's placeholders elsewhere.
    const real = 'CoreDNS, which handles internal cluster DNS services, had additional vendor specific changes which caused the CoreDNS service to fail and crash-loop.';
    const f = fieldsOf(bodyRecord(`# CoreDNS upgrade issue\n\n## Summary\n\nTBD\n\n## Root cause\n\n${real}\n\n## Resolution\n\n[Describe the resolution]\n\n## Action Items\n\n- \n- N/A\n\n<!-- Add more action items here -->\n`));
    expect(f.rootCause?.value).toContain('vendor specific changes');
    expect(f.mitigation).toBeNull();
    expect(f.actionItems).toEqual([]);
  });
});

describe('placeholder text', () => {
  it('is what templates leave behind', () => {
    for (const t of ['TBD', 'N/A', 'n/a', '-', '—', '?', '[Describe the root cause]', '<root cause>', '{{ROOT_CAUSE}}', '<!-- fill in -->', 'Lorem ipsum dolor', 'Sit amet, consectetur', 'To be determined', 'YYYY-MM-DD HH:mm', '_Give a summary of what caused the incident._', 'Did the right people get involved quickly?']) {
      expect(isPlaceholder(t), t).toBe(true);
    }
  });

  it('is not a real statement, even a short one', () => {
    for (const t of ['Increased the memory limit for Prometheus container from 25Gi to 50Gi', 'Rolled back to v1.2.3', 'The certificate expired.', 'Add a new node group with 20 nodes running version 1.30 was deployed manually']) {
      expect(isPlaceholder(t), t).toBe(false);
    }
  });
});

describe('people', () => {
  it('are never placeholders, in any language', () => {
    for (const n of ['Unassigned', 'None', 'nobody', 'N/A', 'TBD', 'Не назначено', 'Nicht zugewiesen', 'Non assigné', 'Sin asignar', 'Non assegnato', 'Niet toegewezen', 'Nieprzypisany', '未割り当て', '未分配', 'Someone Fromtheteam', '{{NAME}}', '[Name]']) {
      expect(isPersonName(n), n).toBe(false);
    }
  });

  it('are never bots or machine values', () => {
    for (const n of ['xgen-internal-githook', 'dbeng-pm-bot', 'dependabot[bot]', 'github-actions', 'PagerDuty', 'JIRAUSER1272792', '5b10a2844c20165700ede21g'.replace('g', 'f'), '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077', '9d385017c611228701d22104cc95c371', 'U061A5N1G', 'jane.doe@example.com', 'Resolved by 149', 'Caller 2403', 'xgen-buildbaron-user']) {
      expect(isPersonName(n), n).toBe(false);
    }
  });

  it('are names as people write them', () => {
    for (const n of ['Benjamin Elder', 'Sarika de Bruyn', 'krzyzacy', 'donald.anderson', 'RF', 'Mara Okafor', '@stevekuznetsov']) expect(isPersonName(n), n).toBe(true);
  });

  it("of a real Jira issue: the assignee resolved it, the reporter reported it, the bots are nobody", async () => {
    const path = join(CORPUS, 'jira/mongodb-jira-xml-export/example_jira_mongodb_resolved-recently.xml');
    const f = fieldsOf(await sourceRecord(path, 'jira:CDRIVER-4699'));
    expect(f.people.map((p) => [p.value.name, p.value.role])).toEqual([
      ['Kevin Albertson', 'resolver'],
      ['Mandeep Singh', 'reporter'],
    ]);
    // Comment authors that are account ids (JIRAUSER…) and the build bot never become people.
    const wt = fieldsOf(await sourceRecord(path, 'jira:WT-11359'));
    const names = wt.people.map((p) => p.value.name);
    expect(names).toContain('Mick Graham');
    expect(names.some((n) => /JIRAUSER|githook|buildbaron/i.test(n))).toBe(false);
  });

  it('of a ServiceNow incident: pseudonymised codes are not people, and the close code is not the mitigation', async () => {
    const docs = await sourceDocuments(join(CORPUS, 'servicenow/servicenow-incident-event-log/incident_event_log.csv'));
    const doc = docs.find((d) => d.uid === 'servicenow:INC0000047')!;
    expect(doc.body).toMatch(/Close code\**: code \d/);
    expect(doc.fields.some((x) => x.type === 'person')).toBe(true);
    const f = fieldsOf((await import('../../../native/incidents/record.js')).recordFromParsed(doc, 99));
    expect(f.people).toEqual([]);
    expect(f.mitigation).toBeNull();
    expect(f.severity?.value).toBe('2 - Medium');
  });

  it('of a Slack export without user names: ids are not people', async () => {
    const docs = await sourceDocuments(join(CORPUS, 'slack/zulip-fixtures'), true);
    const thread = docs.find((d) => d.uid === 'slack:T:C061A0WJG:1434139102.000002')!;
    const f = fieldsOf((await import('../../../native/incidents/record.js')).recordFromParsed(thread, 98));
    expect(thread.body).toMatch(/\*\*U061A5N1G\*\*/);
    expect(f.people).toEqual([]);
  });
});
