import { GITHUB_JSON, githubRecords } from './github-json.js';
import { GITLAB_JSON, gitlabRecords } from './gitlab-json.js';
import { JIRA_JSON, jiraRecords } from './jira-json.js';
import { OPSGENIE_JSON, opsgenieRecords } from './opsgenie-json.js';
import { PAGERDUTY_JSON, pagerDutyRecords } from './pagerduty-json.js';
import type { TicketFormat } from './record-source.js';
import { SERVICENOW_JSON, serviceNowRecords } from './servicenow.js';
import { ZENDESK_JSON, zendeskRecords } from './zendesk-json.js';

export interface TrackerJson {
  format: TicketFormat<never>;
  /** The records of this tracker in the data (unwrapping list responses), or null if it is not this tracker's. */
  records(data: unknown): unknown[] | null;
}

/**
 * The tracker JSON shapes, most specific first: each is recognised by its content (keys a
 * tracker's records always have), never by the file name.
 */
const TRACKERS: TrackerJson[] = [
  { format: JIRA_JSON as TicketFormat<never>, records: jiraRecords },
  { format: PAGERDUTY_JSON as TicketFormat<never>, records: pagerDutyRecords },
  { format: OPSGENIE_JSON as TicketFormat<never>, records: opsgenieRecords },
  { format: GITLAB_JSON as TicketFormat<never>, records: gitlabRecords },
  { format: ZENDESK_JSON as TicketFormat<never>, records: zendeskRecords },
  { format: SERVICENOW_JSON as TicketFormat<never>, records: serviceNowRecords },
  { format: GITHUB_JSON as TicketFormat<never>, records: githubRecords },
];

/** Which tracker wrote this JSON, with its records; null when none did. */
export function trackerJson(data: unknown): { tracker: TrackerJson; records: unknown[] } | null {
  for (const tracker of TRACKERS) {
    const records = tracker.records(data);
    if (records) return { tracker, records };
  }
  return null;
}

/** Tracker names for messages. */
export const TRACKER_JSON_NAMES = 'Jira, PagerDuty, Opsgenie, GitLab, Zendesk, ServiceNow, GitHub issues';
