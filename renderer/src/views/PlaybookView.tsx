import { useEffect, useState } from 'react';
import type { Playbook } from '../../../native/contract';
import { EmptyState, ErrorNote, RouteLink, Spinner } from '../components/common';
import { BackIcon } from '../components/icons';
import { PlaybookPanel } from '../components/PlaybookPanel';
import { useApp } from '../context';
import type { PlaybookSubject } from '../lib/route';

/** What usually fixes one failure mode (or what hits one service), across every incident of it. */
export function PlaybookView({ subject }: { subject: PlaybookSubject }) {
  const { transport, back } = useApp();
  const [playbook, setPlaybook] = useState<Playbook | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = subject.failureMode ?? subject.service;

  useEffect(() => {
    let stale = false;
    setPlaybook(null);
    setError(null);
    const input = subject.failureMode !== undefined ? { failureMode: subject.failureMode } : { service: subject.service };
    transport.api.playbook(input).then(
      (p) => !stale && setPlaybook(p),
      (e: Error) => !stale && setError(e.message),
    );
    return () => {
      stale = true;
    };
    // The subject is its key: a new object for the same subject asks nothing again.
  }, [key, transport]);

  return (
    <div className="view playbook-view">
      <div className="doc-toolbar">
        <button className="button ghost small" onClick={back}>
          <BackIcon /> Back
        </button>
      </div>
      <header className="view-header">
        <h1>Playbook{playbook ? `: ${playbook.subject}` : ''}</h1>
        <p className="muted">What stopped past incidents of this kind, the action items they raised, and how long they took.</p>
      </header>
      {error && <ErrorNote message={error} action={<button className="button small" onClick={back}>Back</button>} />}
      {!playbook && !error && <Spinner label="Reading past incidents…" />}
      {playbook && playbook.incidents.length === 0 && (
        <EmptyState title="No incident of this kind yet" action={<RouteLink to={{ view: 'patterns' }} className="button">Go to patterns</RouteLink>}>
          <p>Nothing imported so far was classified as {key}.</p>
        </EmptyState>
      )}
      {playbook && playbook.incidents.length > 0 && (
        <div className="playbook-page">
          <PlaybookPanel playbook={playbook} headingId="playbook-title" title="What fixed them" />
          <section className="card" aria-labelledby="playbook-incidents">
            <h2 id="playbook-incidents" className="side-title">
              Incidents
            </h2>
            <ul className="link-list">
              {playbook.incidents.map((i) => (
                <li key={i.incidentId}>
                  <RouteLink to={{ view: 'incident', id: i.incidentId }}>{i.title}</RouteLink>
                </li>
              ))}
            </ul>
          </section>
        </div>
      )}
    </div>
  );
}
