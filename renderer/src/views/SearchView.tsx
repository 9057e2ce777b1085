import { useEffect, useRef, useState } from 'react';
import type { DocumentKind, SearchHit } from '../../../native/contract';
import { DateText, EmptyState, ErrorNote, Highlighted, KindBadge, VisuallyHidden } from '../components/common';
import { CloseIcon, SearchIcon } from '../components/icons';
import { useApp } from '../context';
import { count, plural } from '../lib/format';
import { MOD } from '../lib/keys';
import { moveSelection } from '../lib/list-nav';
import { rememberSearch, routeHash, type Route, type SearchPivot } from '../lib/route';

const RANGES: Array<{ label: string; days: number | null }> = [
  { label: 'Any time', days: null },
  { label: 'Past 30 days', days: 30 },
  { label: 'Past year', days: 365 },
  { label: 'Past 3 years', days: 365 * 3 },
];

const KIND_FILTERS: Array<[DocumentKind, string]> = [
  ['postmortem', 'Postmortems'],
  ['slack-thread', 'Slack threads'],
  ['ticket', 'Tickets'],
];

interface Listing {
  hits: SearchHit[];
  total: number;
  tookMs: number;
  mode: 'hybrid' | 'lexical' | 'browse';
}

/**
 * Search as you type, with filters, keyboard navigation and highlighted passages. Opened from a
 * pivot (an entity, a service or person list) it starts filtered; with filters and no words it
 * lists the matching documents, newest first.
 */
export function SearchView({ initial }: { initial: { q?: string } & SearchPivot }) {
  const { transport, navigate, stats, info, pickFiles } = useApp();
  const [query, setQuery] = useState(initial.q ?? '');
  const [kinds, setKinds] = useState<DocumentKind[]>(initial.kinds ?? []);
  const [range, setRange] = useState<number | null>(null);
  const [service, setService] = useState(initial.service ?? '');
  const [person, setPerson] = useState(initial.person ?? '');
  const [error, setErrorFilter] = useState(initial.error ?? '');
  const [result, setResult] = useState<Listing | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [selected, setSelected] = useState(-1);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => input.current?.focus(), []);

  const filters = { kinds: kinds.length ? kinds : undefined, service: service.trim() || undefined, person: person.trim() || undefined, error: error.trim() || undefined };
  const filtered = !!(filters.kinds || filters.service || filters.person || filters.error || range);

  // Debounced: a request per pause in typing, and only the latest answer is shown.
  useEffect(() => {
    const since = range ? new Date(Date.now() - range * 86_400_000).toISOString().slice(0, 10) : undefined;
    const f = { kinds: kinds.length ? kinds : undefined, since, service: service.trim() || undefined, person: person.trim() || undefined, error: error.trim() || undefined };
    // The address says what is shown, so that back, reload and a copied link bring it again.
    const shown: Route = { view: 'search', q: query.trim() ? query : undefined, kinds: f.kinds, service: f.service, person: f.person, error: f.error };
    history.replaceState(null, '', routeHash(shown));
    rememberSearch(shown);
    if (!query.trim() && !f.kinds && !f.service && !f.person && !f.error && !since) {
      setResult(null);
      setFailure(null);
      return;
    }
    let stale = false;
    const t = setTimeout(() => {
      setBusy(true);
      const call: Promise<Listing> = query.trim()
        ? transport.api.search({ query, limit: 30, ...f }).then((r) => ({ hits: r.hits, total: r.total, tookMs: r.tookMs, mode: r.mode }))
        : transport.api.browse({ limit: 50, ...f }).then((r) => ({ hits: r.hits, total: r.total, tookMs: r.tookMs, mode: 'browse' as const }));
      call
        .then(
          (r) => {
            if (stale) return;
            setResult(r);
            setFailure(null);
            setSelected(r.hits.length ? 0 : -1);
          },
          (e: Error) => !stale && setFailure(e.message),
        )
        .finally(() => !stale && setBusy(false));
    }, 160);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [query, kinds, range, service, person, error, transport, stats?.documents]);

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
    if (e.key === 'Escape' && query) {
      e.preventDefault();
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
  const clearFilters = () => {
    setKinds([]);
    setRange(null);
    setService('');
    setPerson('');
    setErrorFilter('');
  };
  const empty = stats && stats.documents === 0;
  const pivotName = filters.service ? `service ${filters.service}` : filters.person ? `${filters.person}` : filters.error ? `error ${filters.error}` : null;

  return (
    <div className="view search-view">
      <VisuallyHidden as="h1">Search</VisuallyHidden>
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
          aria-controls={result?.hits.length ? 'search-results' : undefined}
          aria-activedescendant={selected >= 0 && result?.hits[selected] ? `hit-${result.hits[selected]!.documentId}` : undefined}
          autoComplete="off"
          spellCheck={false}
        />
        {busy ? (
          <span className="busy-dot" role="status" aria-label="Searching" />
        ) : (
          <kbd className="shortcut" title="Command palette">
            {MOD}+K
          </kbd>
        )}
      </div>
      <div className="filters" role="group" aria-label="Filters">
        {KIND_FILTERS.map(([k, label]) => (
          <button key={k} className={`filter ${kinds.includes(k) ? 'on' : ''}`} aria-pressed={kinds.includes(k)} onClick={() => toggleKind(k)}>
            {label}
          </button>
        ))}
        <select aria-label="Time range" value={range ?? ''} onChange={(e) => setRange(e.target.value ? Number(e.target.value) : null)}>
          {RANGES.map((r) => (
            <option key={r.label} value={r.days ?? ''}>
              {r.label}
            </option>
          ))}
        </select>
        <input className={`filter-input ${service ? 'on' : ''}`} placeholder="Service" aria-label="Service" value={service} onChange={(e) => setService(e.target.value)} />
        <input className={`filter-input ${person ? 'on' : ''}`} placeholder="Person" aria-label="Person" value={person} onChange={(e) => setPerson(e.target.value)} />
        {error && (
          <span className="filter on removable">
            Error: {error}
            <button className="icon-button" aria-label={`Remove the error filter ${error}`} onClick={() => setErrorFilter('')}>
              <CloseIcon />
            </button>
          </span>
        )}
        {filtered && (
          <button className="link-button small" onClick={clearFilters}>
            Clear filters
          </button>
        )}
      </div>
      {failure && <ErrorNote message={failure} />}
      {empty && !query && (
        <EmptyState
          title="Nothing imported yet"
          action={
            <span className="empty-actions">
              {info?.demo && (
                <button className="button primary" onClick={() => void transport.api.importSample({})}>
                  Import the sample data
                </button>
              )}
              <button className={`button ${info?.demo ? '' : 'primary'}`} onClick={pickFiles}>
                Import files…
              </button>
            </span>
          }
        >
          <p>Drop postmortems (Markdown, HTML, DOCX, PDF), a Slack export ZIP or a ticket export (Jira, GitHub, PagerDuty, Linear, ServiceNow) anywhere on this window, or use <strong>Import files…</strong>.</p>
          <p className="muted">Everything stays on this machine.</p>
        </EmptyState>
      )}
      {!empty && !query && !filtered && (
        <EmptyState title="Search everything you have learned from incidents">
          <p>Type symptoms, error messages, service names or people. Use ↑ ↓ and Enter to open a result.</p>
          <p className="muted">
            Or paste what you see now into{' '}
            <button className="link-button" onClick={() => navigate({ view: 'similar' })}>
              Similar incidents
            </button>
            . {MOD}+K opens every action.
          </p>
        </EmptyState>
      )}
      {result && (query.trim() || filtered) && (
        <>
          <div className="result-meta" role="status">
            {result.total ? plural(result.total, 'document') : 'No matches'}
            {result.mode === 'browse' ? (pivotName ? ` naming ${pivotName}, newest first` : ', newest first') : ` · ${result.mode === 'hybrid' ? 'keywords + meaning' : 'keywords only'}`} · {count(Math.round(result.tookMs))} ms
          </div>
          {result.hits.length === 0 && <EmptyState title="No matches">Try other words, or fewer filters.</EmptyState>}
          <ol className="results" ref={listRef} role="listbox" aria-label="Results" id="search-results">
            {result.hits.map((h, i) => (
              <li
                key={h.documentId}
                id={`hit-${h.documentId}`}
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
                  <DateText className="result-date" iso={h.occurredAt} />
                </div>
                {h.snippets.slice(0, 1).map((s, j) => (
                  <p className="snippet" key={j}>
                    {s.heading && <span className="snippet-heading">{s.heading.split(' > ').pop()} · </span>}
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
