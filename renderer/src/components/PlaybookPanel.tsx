import { useState } from 'react';
import type { Playbook, PlaybookIncidentRef } from '../../../native/contract';
import { humanMinutes, plural } from '../lib/format';
import { provenanceRoute } from '../lib/incident';
import { RouteLink } from './common';

const STATUS_LABEL = { open: 'open', done: 'done', unknown: 'status unknown' } as const;
/** Shown before "Show all": a playbook of real postmortems runs to dozens of long action items. */
const FIRST_MITIGATIONS = 4;
const FIRST_ITEMS = 5;

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
  const [all, setAll] = useState(false);
  const hidden = all ? 0 : Math.max(0, mitigations.length - FIRST_MITIGATIONS) + Math.max(0, items.length - FIRST_ITEMS);
  const shownMitigations = all ? mitigations : mitigations.slice(0, FIRST_MITIGATIONS);
  const shownItems = all ? items : items.slice(0, FIRST_ITEMS);
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
            {shownMitigations.map((m) => (
              <li key={m.action} data-testid="playbook-mitigation">
                <div className="playbook-action">
                  <strong>{m.action}</strong>
                  <span className="count" aria-label={plural(m.incidents.length, 'incident')}>
                    ×{m.incidents.length}
                  </span>
                </div>
                {m.examples[0] && (
                  <p className="playbook-example">
                    <span title={m.examples[0].text}>“{clip(m.examples[0].text, 220)}”</span>{' '}
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
            {shownItems.map((a, i) => (
              <li key={`${a.incident.incidentId}-${i}`} data-testid="playbook-action-item">
                <span className={`status status-${a.status}`}>{STATUS_LABEL[a.status]}</span> <span title={a.text}>{clip(a.text, 220)}</span>
                <div className="small muted">
                  from <RouteLink to={{ view: 'incident', id: a.incident.incidentId }}>{a.incident.title}</RouteLink>
                </div>
                {a.recurredAfter.length > 0 && (
                  <div className="recurred small" data-testid="recurred-after">
                    {a.status === 'open' ? 'Came back while it was open' : 'Came back after it was raised'}: <IncidentRefs refs={a.recurredAfter} inline />
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {(hidden > 0 || all) && (
        <button className="link-button small" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show ${plural(hidden, 'more line')}`}
        </button>
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

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max).replace(/\s+\S*$/, '')}…`;
}
