import type { IncidentSummary } from '../../../native/contract';
import { plural } from '../lib/format';
import { DateText, KindBadge, RouteLink } from './common';

/** One incident in a list: its title opens its page; the kinds of records it has, and when it started. */
export function IncidentLine({ incident }: { incident: IncidentSummary }) {
  const kinds = [...new Set(incident.records.map((r) => r.kind))];
  return (
    <li className="incident-line" data-testid="incident-line">
      <RouteLink to={{ view: 'incident', id: incident.incidentId }} className="incident-line-title" title={incident.title}>
        {incident.title}
      </RouteLink>
      {kinds.map((k) => (
        <KindBadge key={k} kind={k} />
      ))}
      {incident.records.length > 1 && <span className="muted small">{plural(incident.records.length, 'record')}</span>}
      <DateText className="muted small" iso={incident.startedAt} />
    </li>
  );
}
