import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { IncidentView as Incident, Playbook, Provenance } from '../../../native/contract';
import { Chip, EntityChip, KindBadge, RouteLink, Spinner } from '../components/common';
import { BackIcon, SimilarIcon } from '../components/icons';
import { PlaybookPanel } from '../components/PlaybookPanel';
import { RecordPageState, useEscapeBack } from '../components/RecordPage';
import { useApp } from '../context';
import { dateTime, fullDateTime, humanMinutes } from '../lib/format';
import { fromStart, linkLabel, minutesBetween, peopleByName, provenanceLabel, provenanceRoute, RECORD_ROLE_LABEL, timelineRows, type TimelineRow } from '../lib/incident';

const ACTION_STATUS = { open: 'open', done: 'done', unknown: 'status unknown' } as const;

/**
 * One incident: what happened and when, what it was read from (every field links to the record
 * and section it came from), its records in order, the incidents it recurred from or as, and
 * what fixed incidents like it.
 */
export function IncidentView({ id }: { id: number }) {
  const { transport, navigate, back } = useApp();
  const [incident, setIncident] = useState<Incident | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [playbook, setPlaybook] = useState<Playbook | null | 'failed' | 'none'>(null);

  /**
   * Incidents like this one (from its main record), and what fixed them; when none is like it,
   * the playbook of its failure mode. Itself left out: null when no other incident remains.
   */
  const playbookFor = async (v: Incident): Promise<Playbook | null> => {
    const others = (p: Playbook) => p.incidents.some((i) => i.incidentId !== v.incidentId);
    const first = firstRecord(v);
    if (first !== null) {
      const like = await transport.api.playbook({ id: first });
      if (others(like)) return like;
    }
    for (const mode of v.failureModes) {
      const p = await transport.api.playbook({ failureMode: mode.id });
      if (others(p)) return p;
    }
    return null;
  };

  useEffect(() => {
    let stale = false;
    setIncident(undefined);
    setError(null);
    setPlaybook(null);
    transport.api.incident({ id }).then(
      (v) => {
        if (stale) return;
        setIncident(v);
        if (v) void playbookFor(v).then((p) => !stale && setPlaybook(p ?? 'none'), () => !stale && setPlaybook('failed'));
      },
      (e: Error) => !stale && setError(e.message),
    );
    return () => {
      stale = true;
    };
  }, [id, transport]);

  useEscapeBack(back);

  const rows = useMemo(() => (incident ? timelineRows(incident) : []), [incident]);

  if (error || !incident) {
    return (
      <RecordPageState
        what="incident"
        id={id}
        error={error}
        loading={incident === undefined}
        why="Incidents are rebuilt when imports change: it may have been merged into another or deleted with its records."
        elsewhere={{ to: { view: 'patterns' }, label: 'Go to patterns' }}
        back={back}
      />
    );
  }

  const f = incident.fields;
  const first = firstRecord(incident);
  const start = f.startedAt?.value ?? incident.startedAt;
  const toMitigate = minutesBetween(start, f.mitigatedAt?.value);
  const described = [
    { label: 'Symptom', field: f.symptom },
    { label: 'Trigger', field: f.trigger },
    { label: 'Root cause', field: f.rootCause },
    { label: 'Mitigation', field: f.mitigation },
  ];
  const named = described.filter((d) => d.field);
  const unnamed = described.filter((d) => !d.field);
  const source = (from: Provenance) => <SourceLink from={from} incident={incident} />;
  return (
    <div className="view incident-view">
      <div className="doc-toolbar">
        <button className="button ghost small" onClick={back}>
          <BackIcon /> Back
        </button>
        <div className="spacer" />
        {first !== null && (
          <button
            className="button small"
            onClick={() => {
              sessionStorage.setItem('hindsight.similar.id', String(first));
              navigate({ view: 'similar' });
            }}
          >
            <SimilarIcon /> Find similar
          </button>
        )}
      </div>
      <header className="doc-header">
        <span className="badge incident-badge">Incident</span>
        {incident.severity && <span className="badge severity">{incident.severity}</span>}
        <h1>{incident.title}</h1>
        {(incident.services.length > 0 || incident.failureModes.length > 0) && (
          <div className="chips incident-chips">
            {incident.failureModes.map((m) => (
              <RouteLink key={m.id} to={{ view: 'playbook', failureMode: m.id }} className="chip chip-plain chip-link chip-mode" title={`What fixes ${m.label}`}>
                {m.label}
              </RouteLink>
            ))}
            {incident.services.map((s) => (
              <EntityChip key={s} type="service" name={s} />
            ))}
          </div>
        )}
      </header>

      <section className="card times" aria-label="When">
        <dl className="times-grid">
          <Moment label="Started" iso={start} />
          <Moment label="Detected" iso={f.detectedAt?.value} />
          <Moment label="Mitigated" iso={f.mitigatedAt?.value} />
          <Moment label="Resolved" iso={f.resolvedAt?.value ?? incident.resolvedAt} />
          <Duration label="Time to detect" minutes={fromStart(start, incident.minutesToDetect)} />
          <Duration label="Time to mitigate" minutes={toMitigate} />
          <Duration label="Time to resolve" minutes={fromStart(start, incident.minutesToResolve)} />
        </dl>
      </section>

      <div className="doc-layout">
        <div className="incident-main">
          <section className="card" aria-labelledby="fields-title">
            <h2 id="fields-title" className="side-title">
              What happened
            </h2>
            <dl className="fields" data-testid="incident-fields">
              {named.map((n) => (
                <Field key={n.label} label={n.label} value={n.field!.value} from={n.field!.from} source={source} />
              ))}
              {f.mechanism.length > 0 && (
                <div>
                  <dt>How it failed</dt>
                  <dd className="chips">
                    {f.mechanism.map((m) => (
                      <Chip key={m}>{m}</Chip>
                    ))}
                  </dd>
                </div>
              )}
            </dl>
            {unnamed.length > 0 && <p className="muted small not-stated">Not stated in its records: {unnamed.map((n) => n.label.toLowerCase()).join(', ')}.</p>}
          </section>

          <section className="card" aria-labelledby="actions-title">
            <h2 id="actions-title" className="side-title">
              Action items
            </h2>
            {f.actionItems.length === 0 ? (
              <p className="muted small">No record lists action items.</p>
            ) : (
              <ul className="action-items" data-testid="action-items">
                {f.actionItems.map((a, i) => (
                  <li key={i}>
                    <span className={`status status-${a.value.status}`}>{ACTION_STATUS[a.value.status]}</span>
                    <span className="action-text">{a.value.text}</span>
                    {source(a.from)}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title" className="side-title">
              Timeline
            </h2>
            <ol className="timeline" data-testid="timeline">
              {rows.map((r, i) => (
                <TimelineItem key={i} row={r} />
              ))}
            </ol>
          </section>
          {playbook === null && <Spinner label="Looking for incidents like it…" />}
          {playbook === 'failed' && <p className="muted small">What fixed incidents like this one could not be read.</p>}
          {playbook === 'none' && (
            <section className="card" data-testid="no-playbook">
              <h2 className="side-title">What fixed incidents like it</h2>
              <p className="muted small">No other incident like this one is known yet.</p>
            </section>
          )}
          {playbook && playbook !== 'failed' && playbook !== 'none' && <PlaybookPanel playbook={playbook} headingId="incident-playbook" title="What fixed incidents like it" exclude={incident.incidentId} />}
          {incident.services.length > 0 && (
            <p className="small service-playbooks" data-testid="service-playbooks">
              What fixed incidents on{' '}
              {incident.services.slice(0, 4).map((s, i) => (
                <span key={s}>
                  {i > 0 && ', '}
                  <RouteLink to={{ view: 'playbook', service: s }} title={`Playbook of every incident on ${s}`}>
                    {s}
                  </RouteLink>
                </span>
              ))}
            </p>
          )}
        </div>

        <aside className="doc-side incident-side" aria-label="About this incident">
          <section>
            <h2 className="side-title">Records</h2>
            <ul className="link-list records" data-testid="incident-records">
              {incident.records.map((r) => (
                <li key={r.documentId}>
                  <KindBadge kind={r.kind} /> <RouteLink to={{ view: 'document', id: r.documentId }}>{r.title}</RouteLink>
                  <span className="muted small"> · {RECORD_ROLE_LABEL[r.role]}</span>
                </li>
              ))}
            </ul>
          </section>
          {incident.links.length > 0 && (
            <section>
              <h2 className="side-title">Linked incidents</h2>
              <ul className="link-list" data-testid="incident-links">
                {incident.links.map((l) => (
                  <li key={`${l.incidentId}-${l.relation}-${l.direction}`}>
                    <span className="muted">{linkLabel(l.relation, l.direction)}</span> <RouteLink to={{ view: 'incident', id: l.incidentId }}>{l.title}</RouteLink>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {f.people.length > 0 && (
            <section>
              <h2 className="side-title">People</h2>
              <ul className="link-list people" data-testid="incident-people">
                {peopleByName(f.people).map((p) => (
                  <li key={p.name}>
                    <EntityChip type="person" name={p.name} />{' '}
                    {p.roles.map((r, i) => (
                      <span key={r.role} className="small">
                        {i > 0 && ', '}
                        <span className="muted">{r.role}</span> <SourceLink from={r.from} incident={incident} compact />
                      </span>
                    ))}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </aside>
      </div>
    </div>
  );
}

/** The record standing for the incident (its write-up), or its first record. */
function firstRecord(v: Incident): number | null {
  return (v.records.find((r) => r.role === 'primary') ?? v.records[0])?.documentId ?? null;
}

function Moment({ label, iso }: { label: string; iso: string | null | undefined }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{iso ? <time dateTime={iso} title={fullDateTime(iso)}>{dateTime(iso)}</time> : <span className="muted">unknown</span>}</dd>
    </div>
  );
}

function Duration({ label, minutes }: { label: string; minutes: number | null }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{minutes === null ? <span className="muted" title="Its records do not give both times of day">unknown</span> : <strong>{humanMinutes(minutes)}</strong>}</dd>
    </div>
  );
}

function Field({ label, value, from, source }: { label: string; value: string; from: Provenance; source(from: Provenance): ReactNode }) {
  return (
    <div data-testid={`field-${label.toLowerCase().replace(/\s+/g, '-')}`}>
      <dt>{label}</dt>
      <dd>
        <p className="field-value">{value}</p>
        {source(from)}
      </dd>
    </div>
  );
}

/** "Read in LF-212 · Root cause": opens the record at that section. */
function SourceLink({ from, incident, compact }: { from: Provenance; incident: Incident; compact?: boolean }) {
  const label = provenanceLabel(from, incident.records, incident.title);
  return (
    <RouteLink to={provenanceRoute(from)} className="source-link small" title={`Open ${label}`}>
      {compact ? 'source' : `read in ${label}`}
    </RouteLink>
  );
}

function TimelineItem({ row }: { row: TimelineRow }) {
  const when = (
    <time className="timeline-at" dateTime={row.at} title={fullDateTime(row.at)}>
      {dateTime(row.at)}
    </time>
  );
  if (row.type === 'milestone') {
    return (
      <li className={`timeline-item milestone milestone-${row.label.toLowerCase()}`}>
        {when}
        <span className="timeline-text">
          <strong>{row.label}</strong>{' '}
          <RouteLink to={provenanceRoute(row.from)} className="source-link small" aria-label={`Where “${row.label}” was read`}>
            source
          </RouteLink>
        </span>
      </li>
    );
  }
  if (row.type === 'record') {
    return (
      <li className="timeline-item">
        {when}
        <span className="timeline-text">
          {row.record && <KindBadge kind={row.record.kind} />} <RouteLink to={{ view: 'document', id: row.from.documentId }}>{row.text}</RouteLink>
          {row.record && row.record.role === 'follow-up' && <span className="muted small"> · follow-up</span>}
        </span>
      </li>
    );
  }
  return (
    <li className="timeline-item">
      {when}
      <span className="timeline-text">
        {row.text}{' '}
        <RouteLink to={provenanceRoute(row.from)} className="source-link small" aria-label={`Where “${row.text}” was read`}>
          source
        </RouteLink>
      </span>
    </li>
  );
}
