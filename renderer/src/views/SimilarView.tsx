import { useEffect, useState } from 'react';
import type { ExpertsResult, SimilarIncident, SimilarResult } from '../../../native/contract';
import { Chip, EmptyState, ErrorNote, KindBadge, ScoreBar, Spinner } from '../components/common';
import { useApp } from '../context';
import { humanMinutes, shortDate } from '../lib/format';
import { MOD } from '../lib/keys';

const EXAMPLE = `[09:12] alertmanager: FIRING PaymentsHighErrorRate — payments-api 5xx > 20%
[09:13] dana: checkout is failing, seeing "connection pool exhausted" in payments-api logs
[09:15] lee: started right after the 09:05 deploy`;

/** Paste or drop a new incident; see the past incidents like it, why, what fixed them, and who knows. */
export function SimilarView() {
  const { transport, navigate } = useApp();
  const [text, setText] = useState('');
  const [fromDoc, setFromDoc] = useState<number | null>(null);
  const [result, setResult] = useState<SimilarResult | null>(null);
  const [experts, setExperts] = useState<ExpertsResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

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

  const submit = () => {
    if (!text.trim()) return;
    setFromDoc(null);
    run({ text });
  };

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
          aria-label="New incident"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
              e.preventDefault();
              submit();
            }
          }}
          placeholder={EXAMPLE}
          rows={6}
          autoFocus
        />
        <div className="similar-actions">
          <button className="button ghost small" onClick={() => setText(EXAMPLE)}>Use an example</button>
          <div className="spacer" />
          <span className="muted">{MOD}+Enter</span>
          <button className="button primary" onClick={submit} disabled={busy || !text.trim()}>
            Find similar incidents
          </button>
        </div>
      </div>
      {error && <ErrorNote message={error} />}
      {busy && <Spinner label="Comparing with past incidents…" />}
      {!busy && result && (
        <div className="similar-results">
          <div className={`verdict verdict-${result.verdict.label}`} data-testid="verdict">
            <strong>{result.verdict.label === 'recurring' ? 'Looks recurring' : result.verdict.label === 'related' ? 'Partly familiar' : result.verdict.label === 'novel' ? 'Looks new' : 'Nothing to compare yet'}</strong>
            <span>{result.verdict.reason}</span>
            {fromDoc && (
              <button className="link-button" onClick={() => navigate({ view: 'document', id: fromDoc })}>
                compared document #{fromDoc}
              </button>
            )}
          </div>
          <div className="similar-columns">
            <ol className="incidents">
              {result.incidents.length === 0 && <EmptyState title="No similar incidents">Nothing in the database shares its words, meaning or entities.</EmptyState>}
              {result.incidents.map((inc, i) => (
                <IncidentCard key={inc.incident.incidentId} rank={i + 1} inc={inc} hybrid={result.mode === 'hybrid'} onOpen={(id) => navigate({ view: 'document', id })} />
              ))}
            </ol>
            <aside className="experts">
              <h3>Who knows</h3>
              {!experts?.experts.length && <p className="muted">No people are named by the similar incidents. Slack threads and tickets say who handled them.</p>}
              <ul>
                {experts?.experts.map((e) => (
                  <li key={e.name}>
                    <div className="expert-name">
                      <span className="avatar" aria-hidden="true">{e.name.slice(0, 1).toUpperCase()}</span>
                      <strong>{e.name}</strong>
                    </div>
                    <ul className="expert-why">
                      {e.incidents.slice(0, 3).map((x, j) => (
                        <li key={j}>
                          <span className="muted">{x.role}</span> — {x.title}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </aside>
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

function IncidentCard({ rank, inc, hybrid, onOpen }: { rank: number; inc: SimilarIncident; hybrid: boolean; onOpen(id: number): void }) {
  const shared = [
    ...inc.shared.services.map((n) => ({ n, t: 'service' as const })),
    ...inc.shared.errors.map((n) => ({ n, t: 'error' as const })),
    ...inc.shared.technologies.map((n) => ({ n, t: 'technology' as const })),
  ];
  return (
    <li className="incident" data-testid="incident">
      <div className="incident-head">
        <span className="rank">{rank}</span>
        {inc.incident.records[0] && <KindBadge kind={inc.incident.records[0].kind} />}
        <button className="incident-title link-button" onClick={() => inc.incident.records[0] && onOpen(inc.incident.records[0].documentId)}>
          {inc.incident.title}
        </button>
        <span className="result-date">{shortDate(inc.incident.startedAt)}</span>
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
            <Chip key={`${s.t}${s.n}`} tone={s.t}>{s.n}</Chip>
          ))}
        </div>
      )}
      {inc.passages.slice(0, 2).map((p, i) => (
        <div className="pair" key={i}>
          <div className="pair-side">
            <div className="pair-label">You: {p.input.role.replace('_', ' ')}</div>
            <p>{p.input.text}</p>
          </div>
          <div className="pair-side">
            <div className="pair-label">Then: {p.match.heading || p.match.role.replace('_', ' ')}</div>
            <p>{p.match.text}</p>
          </div>
        </div>
      ))}
      {inc.mitigation && (
        <div className="fix">
          <div className="fix-label">What fixed it{inc.mitigation.from.section ? ` · ${inc.mitigation.from.section.split(' > ').pop()}` : ''}</div>
          <p>{inc.mitigation.value}</p>
        </div>
      )}
      <div className="incident-foot">
        {inc.incident.minutesToResolve !== null && <span>Resolved in {humanMinutes(inc.incident.minutesToResolve)}</span>}
        {inc.incident.records.slice(1, 5).map((r) => (
          <button key={r.documentId} className="link-button small" onClick={() => onOpen(r.documentId)}>
            ≡ {r.title.slice(0, 60)}
          </button>
        ))}
        {inc.related.slice(0, 3).map((r) => (
          <span key={r.incidentId} className="small muted">
            {r.direction === 'out' ? r.relation : 'recurred in'}: {r.title.slice(0, 60)}
          </span>
        ))}
      </div>
    </li>
  );
}
