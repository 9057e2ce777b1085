import type { Playbook, PlaybookIncidentRef } from '../../../native/contract';
import { humanMinutes, plural } from '../lib/format';
import { provenanceRoute } from '../lib/incident';
import { RouteLink } from './common';

const STATUS_LABEL = { open: 'open', done: 'done', unknown: 'status unknown' } as const;

/**
 * What usually fixes it, across past incidents: the mitigations that worked (most used first,
 * each with the incidents that applied it and how a record words it), the action items raised
 * with their status (flagged when the failure came back while one stayed open), and how long
 * such incidents took to resolve. `exclude` leaves out the incident a page is about.
 */
export function PlaybookPanel({ playbook, headingId, title = 'What usually fixes it', exclude }: { playbook: Playbook; headingId: string; title?: string; exclude?: number }) {
  const mitigations = playbook.mitigations
    .map((m) => ({ ...m, incidents: m.incidents.filter((i) => i.incidentId !== exclude) }))
    .filter((m) => m.incidents.length > 0)
    .sort((a, b) => b.incidents.length - a.incidents.length);
  const items = playbook.actionItems.filter((a) => a.incident.incidentId !== exclude);
  const ttr = playbook.timeToResolve;
  return (
    <section className="card playbook" aria-labelledby={headingId} data-testid="playbook">
      <h2 id={headingId} className="side-title">
        {title}
      </h2>
      <p className="muted small playbook-subject">
        {playbook.subject} · {plural(playbook.incidents.filter((i) => i.incidentId !== exclude).length, 'incident')}
      </p>
      {mitigations.length === 0 && items.length === 0 && <p className="muted small">No record of these incidents says what stopped them.</p>}
      {mitigations.length > 0 && (
        <>
          <h3 className="playbook-h">Mitigations</h3>
          <ul className="playbook-list">
            {mitigations.map((m) => (
              <li key={m.action} data-testid="playbook-mitigation">
                <div className="playbook-action">
                  <strong>{m.action}</strong>
                  <span className="count" aria-label={plural(m.incidents.length, 'incident')}>
                    ×{m.incidents.length}
                  </span>
                </div>
                {m.examples[0] && (
                  <p className="playbook-example">
                    “{m.examples[0].text}”{' '}
                    <RouteLink to={provenanceRoute(m.examples[0].from)} className="small" title="Open the record where it says so">
                      source
                    </RouteLink>
                  </p>
                )}
                <IncidentRefs refs={m.incidents} />
              </li>
            ))}
          </ul>
        </>
      )}
      {items.length > 0 && (
        <>
          <h3 className="playbook-h">Action items</h3>
          <ul className="playbook-list">
            {items.map((a, i) => (
              <li key={`${a.incident.incidentId}-${i}`} data-testid="playbook-action-item">
                <span className={`status status-${a.status}`}>{STATUS_LABEL[a.status]}</span> {a.text}
                <div className="small muted">
                  from <RouteLink to={{ view: 'incident', id: a.incident.incidentId }}>{a.incident.title}</RouteLink>
                </div>
                {a.recurredAfter.length > 0 && (
                  <div className="recurred small" data-testid="recurred-after">
                    Came back while it was {a.status === 'open' ? 'open' : 'not done'}: <IncidentRefs refs={a.recurredAfter} inline />
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {ttr.medianMinutes !== null && (
        <p className="small playbook-ttr">
          Typically resolved in <strong>{humanMinutes(ttr.medianMinutes)}</strong>
          {ttr.known > 1 && ttr.fastestMinutes !== null && ttr.slowestMinutes !== null && (
            <span className="muted">
              {' '}
              ({humanMinutes(ttr.fastestMinutes)} – {humanMinutes(ttr.slowestMinutes)}, {plural(ttr.known, 'incident')})
            </span>
          )}
        </p>
      )}
    </section>
  );
}

function IncidentRefs({ refs, inline }: { refs: PlaybookIncidentRef[]; inline?: boolean }) {
  if (!refs.length) return null;
  const links = refs.map((r, i) => (
    <span key={r.incidentId}>
      {i > 0 && ', '}
      <RouteLink to={{ view: 'incident', id: r.incidentId }}>{r.title}</RouteLink>
    </span>
  ));
  return inline ? <>{links}</> : <div className="small playbook-refs">{links}</div>;
}
