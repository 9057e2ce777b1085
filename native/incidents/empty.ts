import type { IncidentFields } from '../contract.js';

/** The fields of a record that states nothing: every field empty. */
export const EMPTY_FIELDS: IncidentFields = {
  title: null,
  services: [],
  symptom: null,
  trigger: null,
  rootCause: null,
  mechanism: [],
  failureModes: [],
  mitigation: null,
  actionItems: [],
  people: [],
  severity: null,
  startedAt: null,
  detectedAt: null,
  mitigatedAt: null,
  resolvedAt: null,
};
