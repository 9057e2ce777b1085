import { useEffect, useRef, useState } from 'react';
import type { ExpertsResult, SimilarIncident, SimilarResult } from '../../../native/contract';
import { DateText, EmptyState, EntityChip, ErrorNote, Highlighted, KindBadge, RouteLink, ScoreBar, Spinner } from '../components/common';
import { useApp } from '../context';
import { PlaybookPanel } from '../components/PlaybookPanel';
import { humanMinutes, plural } from '../lib/format';
import { fromStart, linkLabel } from '../lib/incident';
import { termHighlights } from '../lib/highlight';
import { isModKey, MOD } from '../lib/keys';

const EXAMPLE = `[09:12] alertmanager: FIRING PaymentsHighErrorRate — payments-api 5xx > 20%
[09:13] dana: checkout is failing, seeing "connection pool exhausted" in payments-api logs
[09:15] lee: started right after the 09:05 deploy`;

/** The last comparison, so that opening an incident and coming back finds the screen as it was. */
let kept: { text: string; fromDoc: number | null; result: SimilarResult | null; experts: ExpertsResult | null } = { text: '', fromDoc: null, result: null, experts: null };

/** Paste or drop a new incident; see the past incidents like it, why, what fixed them, and who knows. */
export function SimilarView() {
  const { transport, pickFiles, pickFolder, info } = useApp();
  const box = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(kept.text);
  const [fromDoc, setFromDoc] = useState<number | null>(kept.fromDoc);
  const [result, setResult] = useState<SimilarResult | null>(kept.result);
  const [experts, setExperts] = useState<ExpertsResult | null>(kept.experts);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    kept = { text, fromDoc, result, experts };
  }, [text, fromDoc, result, experts]);

  const run = (input: { text: string } | { id: number }) => {
    setBusy(true);
    setError(null);
    Promise.all([transport.api.similar({ ...input, limit: 10 }), transport.api.experts({ ...input, limit: 6 })])
      .then(([r, e]) => {
        setResult(r);
        setExperts(e);
      }, (e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  };

  // "Find similar" from a document view arrives here with the document's id.
  useEffect(() => {
    const id = Number(sessionStorage.getItem('hindsight.similar.id'));
    if (id) {
      sessionStorage.removeItem('hindsight.similar.id');
      setFromDoc(id);
      run({ id });
    }
  }, []);

  // Weak matches are listed apart, collapsed, and never ranked among the strong ones.
  const strong = result?.incidents.filter((i) => i.strength === 'strong') ?? [];
  const weak = result?.incidents.filter((i) => i.strength === 'weak') ?? [];

  const submit = () => {
    if (!text.trim() || busy) return;
    setFromDoc(null);
    run({ text });
  };
  const submitRef = useRef(submit);
  submitRef.current = submit;

  // Ctrl/⌘+Enter compares from anywhere on this screen, not only from the text box.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && isModKey(e) && !e.defaultPrevented && !document.querySelector('[aria-modal="true"]')) {
        e.preventDefault();
        submitRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (!file) return;
    if (file.size > 2_000_000) return setError(`${file.name} is too large to paste; import it instead.`);
    void file.text().then((t) => {
      setText(t);
      setFromDoc(null);
      run({ text: t });
    });
  };

  return (
    <div className="view similar-view">
      <header className="view-header">
        <h1>Similar incidents</h1>
        <p className="muted">Paste what you see — alert text, chat lines, a draft postmortem — or drop a file here.</p>
      </header>
      <div className="similar-input" data-own-drop onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        <textarea
          ref={box}
          aria-label="New incident"
          aria-keyshortcuts={MOD === 'Ctrl' ? 'Control+Enter' : 'Meta+Enter'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={EXAMPLE}
          rows={6}
          autoFocus
        />
        <div className="similar-actions">
          <button className="button ghost small" onClick={() => { setText(EXAMPLE); box.current?.focus(); }}>Use an example</button>
          <div className="spacer" />
          <kbd className="shortcut">{MOD}+Enter</kbd>
          <button className="button primary" onClick={submit} disabled={busy || !text.trim()}>
            Find similar incidents
          </button>
        </div>
      </div>
      {error && <ErrorNote message={error} />}
      {busy && <Spinner label="Comparing with past incidents…" />}
      {!busy && result && result.input.passages > 0 && (
        <p className="muted small understood">
          Read as {result.input.passages} passage{result.input.passages === 1 ? '' : 's'}
          {result.input.entities.length ? ' naming ' : ''}
          {result.input.entities.slice(0, 8).map((e) => (
            <EntityChip key={`${e.type}${e.name}`} type={e.type} name={e.name} />
          ))}
          {result.mode === 'lexical' ? ' · keywords only (no model)' : ' · keywords + meaning'}
        </p>
      )}
      {!busy && result && result.verdict.label === 'nothing-to-compare' && (
        <div data-testid="nothing-to-compare">
          <EmptyState
            title="Nothing to compare with yet"
            action={
              <span className="empty-actions">
                <button className="button primary" onClick={pickFiles}>
                  Import files…
                </button>
                <button className="button" onClick={pickFolder}>
                  Import a folder…
                </button>
                {info?.demo && (
                  <button className="button ghost" onClick={() => void transport.api.importSample({}).catch((e: Error) => setError(e.message))}>
                    Import the sample data
                  </button>
                )}
              </span>
            }
          >
            <p>{result.verdict.reason}</p>
            <p>Once there are incidents, Hindsight says whether this one happened before and what fixed it.</p>
          </EmptyState>
        </div>
      )}
      {!busy && result && result.verdict.label !== 'nothing-to-compare' && (
        <div className="similar-results">
          <div className={`verdict verdict-${result.verdict.label}`} data-testid="verdict">
            <strong>{result.verdict.label === 'recurring' ? 'Looks recurring' : result.verdict.label === 'related' ? 'Partly familiar' : 'Looks new'}</strong>
            <span>{result.verdict.reason}</span>
            {strong.length > 0 && result.verdict.label !== 'novel' && (
              <span className="verdict-incidents">
                Seen before:{' '}
                {strong.slice(0, 3).map((inc, i) => (
                  <span key={inc.incident.incidentId}>
                    {i > 0 && ', '}
                    <RouteLink to={{ view: 'incident', id: inc.incident.incidentId }}>{inc.incident.title}</RouteLink>
                  </span>
                ))}
              </span>
            )}
            {fromDoc && <RouteLink to={{ view: 'document', id: fromDoc }}>back to the compared document</RouteLink>}
          </div>
          <div className="similar-columns">
            <div className="similar-main">
              <ol className="incidents">
                {result.incidents.length === 0 && <EmptyState title="No similar incidents">Nothing in the database shares its words, meaning or entities.</EmptyState>}
                {result.incidents.length > 0 && strong.length === 0 && <li className="muted no-strong">No past incident is close; the nearest are below, as weak matches.</li>}
                {strong.map((inc, i) => (
                  <IncidentCard key={inc.incident.incidentId} rank={i + 1} inc={inc} hybrid={result.mode === 'hybrid'} showInput={result.input.passages > 1} />
                ))}
              </ol>
              {weak.length > 0 && (
                <details className="weak-matches" data-testid="weak-matches" open={strong.length === 0 ? true : undefined}>
                  <summary>{plural(weak.length, 'weak match', 'weak matches')}</summary>
                  <p className="muted small">They share a few words or entities only: unlikely to be the same failure.</p>
                  <ol className="incidents weak">
                    {weak.map((inc, i) => (
                      <IncidentCard key={inc.incident.incidentId} rank={strong.length + i + 1} inc={inc} hybrid={result.mode === 'hybrid'} showInput={result.input.passages > 1} />
                    ))}
                  </ol>
                </details>
              )}
            </div>
            <div className="similar-side">
              {strong.length > 0 && <PlaybookPanel playbook={result.playbook} headingId="similar-playbook" />}
              <aside className="experts" aria-labelledby="experts-title">
                <h2 id="experts-title" className="side-title">Who knows</h2>
                {!experts?.experts.length && <p className="muted">No people are named by the similar incidents. Slack threads and tickets say who handled them.</p>}
                <ul>
                  {experts?.experts.map((e) => (
                    <li key={e.name}>
                      <div className="expert-name">
                        <span className="avatar" aria-hidden="true">{e.name.slice(0, 1).toUpperCase()}</span>
                        <RouteLink to={{ view: 'search', person: e.name }} className="expert-link" title={`Everything ${e.name} took part in`}>
                          <strong>{e.name}</strong>
                        </RouteLink>
                      </div>
                      <ul className="expert-why">
                        {e.incidents.slice(0, 3).map((x) => (
                          <li key={x.incidentId}>
                            <span className="muted">{x.role}</span> — <RouteLink to={{ view: 'incident', id: x.incidentId }}>{x.title}</RouteLink>
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ul>
              </aside>
            </div>
          </div>
        </div>
      )}
      {!busy && !result && !error && (
        <EmptyState title="What is happening right now?">
          <p>Hindsight compares it section by section with every postmortem, Slack thread and ticket you imported, and shows what fixed the incidents that looked like it.</p>
        </EmptyState>
      )}
    </div>
  );
}

function IncidentCard({ rank, inc, hybrid, showInput }: { rank: number; inc: SimilarIncident; hybrid: boolean; showInput: boolean }) {
  // A name once, as its first kind (Kafka is a service here and a technology in the entities).
  const seen = new Set<string>();
  const shared = [
    ...inc.shared.services.map((n) => ({ n, t: 'service' as const })),
    ...inc.shared.errors.map((n) => ({ n, t: 'error' as const })),
    ...inc.shared.technologies.map((n) => ({ n, t: 'technology' as const })),
  ].filter((s) => !seen.has(s.n.toLowerCase()) && seen.add(s.n.toLowerCase()));
  const resolvedIn = fromStart(inc.incident.startedAt, inc.incident.minutesToResolve);
  return (
    <li className={`incident ${inc.strength}`} data-testid={inc.strength === 'strong' ? 'incident' : 'weak-incident'}>
      <div className="incident-head">
        <span className="rank" aria-label={`Rank ${rank}`}>{rank}</span>
        <RouteLink to={{ view: 'incident', id: inc.incident.incidentId }} className="incident-title" title="Open the incident">
          {inc.incident.title}
        </RouteLink>
        {inc.incident.severity && <span className="badge severity">{inc.incident.severity}</span>}
        <DateText className="result-date" iso={inc.incident.startedAt} />
      </div>
      <div className="scores">
        {hybrid && <ScoreBar label="meaning" value={inc.score.semantic} />}
        <ScoreBar label="words" value={inc.score.lexical} />
        <ScoreBar label="entities" value={inc.score.entities} />
        <ScoreBar label="coverage" value={inc.score.coverage} />
      </div>
      {shared.length > 0 && (
        <div className="chips">
          <span className="muted small">Shared:</span>
          {shared.slice(0, 10).map((s) => (
            <EntityChip key={`${s.t}${s.n}`} type={s.t} name={s.n} />
          ))}
        </div>
      )}
      {inc.passages.slice(0, 2).map((p, i) => (
        // With one input passage, "You:" would repeat the whole input on every card: only the match shows.
        <div className={`pair ${showInput ? '' : 'single'}`} key={i}>
          {showInput && (
            <div className="pair-side">
              <div className="pair-label">You: {p.input.role.replace('_', ' ')}</div>
              <p>
                <Highlighted snippet={{ text: clipText(p.input.text, 280), highlights: termHighlights(clipText(p.input.text, 280), p.sharedTerms) }} />
              </p>
            </div>
          )}
          <div className="pair-side">
            <div className="pair-label">
              {showInput ? 'Then' : 'Matching passage'}: {p.match.heading.split(' > ').pop() || p.match.role.replace('_', ' ')}
            </div>
            <p>
              <Highlighted snippet={{ text: clipText(p.match.text, 420), highlights: termHighlights(clipText(p.match.text, 420), p.sharedTerms) }} />
            </p>
          </div>
        </div>
      ))}
      {inc.mitigation && (
        <div className="fix">
          <div className="fix-label">What fixed it{inc.mitigation.from.section ? ` · ${inc.mitigation.from.section.split(' > ').pop()}` : ''}</div>
          <p>{inc.mitigation.value}</p>
        </div>
      )}
      {inc.related.length > 0 && (
        <div className="small related">
          {inc.related.slice(0, 3).map((r) => (
            <span key={`${r.incidentId}${r.direction}`}>
              <span className="muted">{linkLabel(r.relation, r.direction)}</span> <RouteLink to={{ view: 'incident', id: r.incidentId }}>{r.title}</RouteLink>
            </span>
          ))}
        </div>
      )}
      <div className="incident-foot">
        {resolvedIn !== null && <span>Resolved in {humanMinutes(resolvedIn)}</span>}
        <ul className="record-links" aria-label="Its records">
          {inc.incident.records.slice(0, 5).map((r) => (
            <li key={r.documentId}>
              <KindBadge kind={r.kind} />{' '}
              <RouteLink to={{ view: 'document', id: r.documentId }} className="small" title={r.title}>
                {clipText(r.title, 60)}
              </RouteLink>
            </li>
          ))}
          {inc.incident.records.length > 5 && <li className="muted small">+{inc.incident.records.length - 5} more</li>}
        </ul>
      </div>
    </li>
  );
}

function clipText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max).replace(/\s+\S*$/, '')}…`;
}
