import { useEffect, useRef, useState } from 'react';
import type { DocumentKind, SearchResult } from '../../../native/contract';
import { EmptyState, ErrorNote, Highlighted, KindBadge } from '../components/common';
import { SearchIcon } from '../components/icons';
import { useApp } from '../context';
import { shortDate } from '../lib/format';
import { moveSelection } from '../lib/list-nav';
import { MOD } from '../lib/keys';

const RANGES: Array<{ label: string; days: number | null }> = [
  { label: 'Any time', days: null },
  { label: 'Past 30 days', days: 30 },
  { label: 'Past year', days: 365 },
  { label: 'Past 3 years', days: 365 * 3 },
];

/** Search as you type, with filters, keyboard navigation and highlighted passages. */
export function SearchView({ initialQuery }: { initialQuery?: string }) {
  const { transport, navigate, stats, info } = useApp();
  const [query, setQuery] = useState(initialQuery ?? '');
  const [kinds, setKinds] = useState<DocumentKind[]>([]);
  const [range, setRange] = useState<number | null>(null);
  const [service, setService] = useState('');
  const [person, setPerson] = useState('');
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState(-1);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => input.current?.focus(), []);

  // Debounced: a request per pause in typing, and only the latest answer is shown.
  useEffect(() => {
    if (!query.trim()) {
      setResult(null);
      setError(null);
      return;
    }
    let stale = false;
    const t = setTimeout(() => {
      setBusy(true);
      const since = range ? new Date(Date.now() - range * 86_400_000).toISOString().slice(0, 10) : undefined;
      transport.api
        .search({ query, limit: 30, kinds: kinds.length ? kinds : undefined, since, service: service.trim() || undefined, person: person.trim() || undefined })
        .then(
          (r) => {
            if (stale) return;
            setResult(r);
            setError(null);
            setSelected(r.hits.length ? 0 : -1);
          },
          (e: Error) => !stale && setError(e.message),
        )
        .finally(() => !stale && setBusy(false));
      history.replaceState(null, '', `#/search/${encodeURIComponent(query)}`);
    }, 160);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [query, kinds, range, service, person, transport]);

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`[data-index="${selected}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const hits = result?.hits ?? [];
    if (e.key === 'Enter' && selected >= 0 && hits[selected]) {
      e.preventDefault();
      navigate({ view: 'document', id: hits[selected]!.documentId });
      return;
    }
    if (e.key === 'Escape') {
      setQuery('');
      return;
    }
    const next = moveSelection(selected, e.key, hits.length);
    if (next !== selected) {
      e.preventDefault();
      setSelected(next);
    }
  };

  const toggleKind = (k: DocumentKind) => setKinds((ks) => (ks.includes(k) ? ks.filter((x) => x !== k) : [...ks, k]));
  const empty = stats && stats.documents === 0;

  return (
    <div className="view search-view">
      <div className="search-box">
        <SearchIcon />
        <input
          id="search-input"
          ref={input}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Search incidents, threads and tickets…"
          aria-label="Search"
          autoComplete="off"
          spellCheck={false}
        />
        {busy ? <span className="busy-dot" aria-label="Searching" /> : <kbd>{MOD}K</kbd>}
      </div>
      <div className="filters" role="group" aria-label="Filters">
        {(['postmortem', 'slack-thread', 'ticket'] as DocumentKind[]).map((k) => (
          <button key={k} className={`filter ${kinds.includes(k) ? 'on' : ''}`} aria-pressed={kinds.includes(k)} onClick={() => toggleKind(k)}>
            {k === 'postmortem' ? 'Postmortems' : k === 'slack-thread' ? 'Slack threads' : 'Tickets'}
          </button>
        ))}
        <select aria-label="Time range" value={range ?? ''} onChange={(e) => setRange(e.target.value ? Number(e.target.value) : null)}>
          {RANGES.map((r) => (
            <option key={r.label} value={r.days ?? ''}>
              {r.label}
            </option>
          ))}
        </select>
        <input className="filter-input" placeholder="Service" aria-label="Service" value={service} onChange={(e) => setService(e.target.value)} />
        <input className="filter-input" placeholder="Person" aria-label="Person" value={person} onChange={(e) => setPerson(e.target.value)} />
      </div>
      {error && <ErrorNote message={error} />}
      {empty && !query && (
        <EmptyState
          title="Nothing imported yet"
          action={
            info?.demo ? (
              <button className="button primary" onClick={() => void transport.api.importSample({})}>
                Import the sample data
              </button>
            ) : undefined
          }
        >
          <p>Drop postmortems (Markdown, HTML, DOCX, PDF), a Slack export ZIP or a ticket export (Jira, GitHub, PagerDuty, Linear, ServiceNow) anywhere on this window, or use <strong>Import files…</strong>.</p>
          <p className="muted">Everything stays on this machine.</p>
        </EmptyState>
      )}
      {!empty && !query && (
        <EmptyState title="Search everything you have learned from incidents">
          <p>Type symptoms, error messages, service names or people. Use ↑ ↓ and Enter to open a result.</p>
          <p className="muted">
            Or paste what you see now into <button className="link-button" onClick={() => navigate({ view: 'similar' })}>Similar incidents</button>.
          </p>
        </EmptyState>
      )}
      {result && query && (
        <>
          <div className="result-meta">
            {result.total ? `${result.total} document${result.total === 1 ? '' : 's'}` : 'No matches'} · {result.mode === 'hybrid' ? 'keywords + meaning' : 'keywords only'} · {result.tookMs} ms
          </div>
          {result.hits.length === 0 && <EmptyState title="No matches">Try other words, or fewer filters.</EmptyState>}
          <ol className="results" ref={listRef} role="listbox" aria-label="Results">
            {result.hits.map((h, i) => (
              <li
                key={h.documentId}
                data-index={i}
                role="option"
                aria-selected={i === selected}
                className={`result ${i === selected ? 'selected' : ''}`}
                onMouseEnter={() => setSelected(i)}
                onClick={() => navigate({ view: 'document', id: h.documentId })}
              >
                <div className="result-head">
                  <KindBadge kind={h.kind} />
                  <span className="result-title">{h.title}</span>
                  <span className="result-date">{shortDate(h.occurredAt)}</span>
                </div>
                {h.snippets.slice(0, 1).map((s, j) => (
                  <p className="snippet" key={j}>
                    {s.heading && <span className="snippet-heading">{s.heading} · </span>}
                    <Highlighted snippet={s} />
                  </p>
                ))}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
