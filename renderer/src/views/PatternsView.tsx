import { useEffect, useMemo, useState } from 'react';
import type { Pattern, PatternsResult } from '../../../native/contract';
import { DateText, EmptyState, EntityChip, ErrorNote, RouteLink, Spinner } from '../components/common';
import { IncidentLine } from '../components/IncidentLine';
import { PlaybookPanel } from '../components/PlaybookPanel';
import { CloseIcon } from '../components/icons';
import { useApp } from '../context';
import { stackMonths } from '../lib/chart';
import { monthLabel, plural } from '../lib/format';
import { pivotFor } from '../lib/route';

const SERIES = 6;

/** The last answer, per time range and corpus size: filtering by a theme or a month does not ask again. */
let kept: { key: string; result: PatternsResult } | null = null;

/**
 * Recurring themes with sizes, incidents per month per theme, and the services and errors that
 * recur. Everything filters: a legend item or a theme narrows the chart to it, a month's bar lists
 * that month's incidents, a service or error opens the search filtered by it.
 */
export function PatternsView({ theme, month }: { theme?: number; month?: string }) {
  const { transport, navigate, stats } = useApp();
  const [since, setSince] = useState('');
  const key = `${since}|${stats?.documents ?? 0}`;
  const [result, setResult] = useState<PatternsResult | null>(kept?.key === key ? kept.result : null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(theme ?? null);

  useEffect(() => {
    if (kept?.key === key) return setResult(kept.result);
    setResult(null);
    let stale = false;
    transport.api.patterns({ since: since || undefined, limit: 40 }).then(
      (r) => {
        if (stale) return;
        kept = { key, result: r };
        setResult(r);
      },
      (e: Error) => !stale && setError(e.message),
    );
    return () => {
      stale = true;
    };
  }, [transport, since, key]);

  useEffect(() => {
    if (theme !== undefined) setOpen(theme);
  }, [theme]);

  const top = result?.patterns.slice(0, SERIES) ?? [];
  const seriesOf = (id: number) => top.findIndex((p) => p.id === id);
  const chosen = theme !== undefined ? result?.patterns.find((p) => p.id === theme) : undefined;
  // With a theme chosen, the chart shows it alone (in its own colour).
  const charted = chosen ? [chosen] : top;
  const chart = useMemo(() => (result ? stackMonths((chosen ? [chosen] : result.patterns.slice(0, SERIES)).map((p) => p.perMonth)) : null), [result, chosen]);
  const colourOf = (i: number) => (chosen ? seriesOf(chosen.id) : i);
  const filter = (next: { theme?: number; month?: string }) => navigate({ view: 'patterns', ...next });
  const themes = result?.patterns ?? [];
  const listed = chosen ? [chosen] : themes;
  const monthIncidents = month ? monthList(charted, month) : [];

  return (
    <div className="view patterns-view">
      <header className="view-header row">
        <div>
          <h1>Patterns</h1>
          <p className="muted">Incidents that keep coming back, grouped by what they share.</p>
        </div>
        <select aria-label="Time range" value={since} onChange={(e) => setSince(e.target.value)}>
          <option value="">All time</option>
          <option value={new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10)}>Past year</option>
          <option value={new Date(Date.now() - 3 * 365 * 86_400_000).toISOString().slice(0, 10)}>Past 3 years</option>
        </select>
      </header>
      {error && <ErrorNote message={error} />}
      {!result && !error && <Spinner label="Finding themes…" />}
      {result && result.patterns.length === 0 && <EmptyState title="No recurring themes yet">Themes appear once at least two incidents share distinctive words or entities.</EmptyState>}
      {result && result.patterns.length > 0 && chart && (
        <>
          <section className="card chart-card" aria-labelledby="chart-title">
            <div className="chart-head">
              <h2 id="chart-title" className="side-title">
                Incidents per month, {chosen ? 'one theme' : 'top themes'}
              </h2>
              <ul className="legend" aria-label="Themes in the chart">
                {top.map((p, i) => (
                  <li key={p.id}>
                    <button
                      className={`legend-item ${theme === p.id ? 'on' : ''} ${chosen && theme !== p.id ? 'dim' : ''}`}
                      aria-pressed={theme === p.id}
                      onClick={() => filter(theme === p.id ? { month } : { theme: p.id, month })}
                      title={theme === p.id ? 'Show every theme' : `Show only ${p.label}`}
                    >
                      <span className={`swatch s${i}`} aria-hidden="true" />
                      {p.label}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
            <MonthChart bars={chart.bars} max={chart.max} colourOf={colourOf} month={month} onMonth={(m) => filter({ theme, month: m === month ? undefined : m })} />
            {(theme !== undefined || month) && (
              <div className="active-filters">
                {chosen && (
                  <span className="filter on removable">
                    Theme: {chosen.label}
                    <button className="icon-button" aria-label="Show every theme" onClick={() => filter({ month })}>
                      <CloseIcon />
                    </button>
                  </span>
                )}
                {month && (
                  <span className="filter on removable">
                    {monthLabel(month)}
                    <button className="icon-button" aria-label="Show every month" onClick={() => filter({ theme })}>
                      <CloseIcon />
                    </button>
                  </span>
                )}
              </div>
            )}
          </section>
          {month && (
            <section className="card month-card" aria-labelledby="month-title" data-testid="month-incidents">
              <h2 id="month-title" className="side-title">
                {monthLabel(month)}: {plural(monthIncidents.length, 'incident')}
                {chosen ? ` of ${chosen.label}` : ' in the top themes'}
              </h2>
              {monthIncidents.length === 0 ? (
                <p className="muted">None.</p>
              ) : (
                <ul className="theme-incidents flat">
                  {monthIncidents.map((inc) => (
                    <IncidentLine key={inc.incidentId} incident={inc} />
                  ))}
                </ul>
              )}
            </section>
          )}
          <div className="patterns-columns">
            <ol className="themes" aria-label="Themes">
              {listed.map((p) => {
                const i = themes.indexOf(p);
                return (
                  <li key={p.id} className={`theme ${open === p.id ? 'open' : ''}`} data-testid="theme">
                    <button className="theme-head" onClick={() => setOpen(open === p.id ? null : p.id)} aria-expanded={open === p.id}>
                      <span className={`swatch ${i < SERIES ? `s${i}` : 'sx'}`} aria-hidden="true" />
                      <span className="theme-label">{p.label}</span>
                      <span className="theme-size" aria-label={plural(p.size, 'incident')}>{p.size}</span>
                      <span className="muted small theme-span">
                        {p.firstAt ? (
                          <>
                            <DateText iso={p.firstAt} /> – <DateText iso={p.lastAt} />
                          </>
                        ) : null}
                      </span>
                    </button>
                    {open === p.id && (
                      <div className="theme-body">
                        {(p.failureModes.length > 0 || p.services.length > 0) && (
                          <div className="chips theme-entities">
                            {p.failureModes.map((f) => (
                              <RouteLink key={f.id} to={{ view: 'playbook', failureMode: f.id }} className="chip chip-plain chip-link chip-mode" title={`What fixes ${f.label}`}>
                                {f.label}
                              </RouteLink>
                            ))}
                            {p.services.slice(0, 8).map((name) => (
                              <RouteLink key={name} to={pivotFor('service', name)} className="chip chip-link chip-service">
                                {name}
                              </RouteLink>
                            ))}
                          </div>
                        )}
                        <h3 className="playbook-h">Incidents</h3>
                        <ul className="theme-incidents">
                          {p.incidents.map((inc) => (
                            <IncidentLine key={inc.incidentId} incident={inc} />
                          ))}
                        </ul>
                        {p.people.length > 0 && (
                          <div className="theme-people" data-testid="theme-people">
                            <h3 className="playbook-h">Who handled them</h3>
                            <ul className="people-list">
                              {p.people.slice(0, 8).map((person) => (
                                <li key={person.name}>
                                  <EntityChip type="person" name={person.name} />
                                  <span className="muted small">
                                    {person.roles.join(', ')} · {plural(person.incidents, 'incident')}
                                  </span>
                                </li>
                              ))}
                            </ul>
                          </div>
                        )}
                        <PlaybookPanel playbook={p.playbook} headingId={`theme-playbook-${p.id}`} />
                        {i < SERIES && theme !== p.id && (
                          <button className="link-button small" onClick={() => filter({ theme: p.id })}>
                            Show only this theme in the chart
                          </button>
                        )}
                      </div>
                    )}
                  </li>
                );
              })}
            </ol>
            <div className="recurring">
              <section className="card" aria-labelledby="services-title">
                <h2 id="services-title" className="side-title">Services that recur</h2>
                <Bars items={result.topServices} type="service" />
              </section>
              <section className="card" aria-labelledby="modes-title">
                <h2 id="modes-title" className="side-title">Failure modes that recur</h2>
                <Bars items={result.topFailureModes.map((f) => ({ name: f.label, incidents: f.incidents }))} />
              </section>
            </div>
          </div>
        </>
      )}
    </div>
  );
}

/** The incidents of these themes in one month, newest first, each once. */
export function monthList(patterns: readonly Pattern[], month: string): Pattern['incidents'] {
  const seen = new Set<number>();
  return patterns
    .flatMap((p) => p.incidents)
    .filter((i) => i.startedAt?.slice(0, 7) === month && !seen.has(i.incidentId) && seen.add(i.incidentId))
    .sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}

/** Horizontal bars of counts; with a type, each opens the search filtered by it. */
function Bars({ items, type }: { items: Array<{ name: string; incidents: number }>; type?: 'service' }) {
  if (!items.length) return <p className="muted">None yet.</p>;
  const max = Math.max(...items.map((i) => i.incidents));
  return (
    <ul className="hbars">
      {items.slice(0, 10).map((i) => {
        const inner = (
          <>
            <span className="hbar-name">{i.name}</span>
            <span className="hbar-track" aria-hidden="true">
              <span className="hbar-fill" style={{ width: `${(i.incidents / max) * 100}%` }} />
            </span>
            <span className="hbar-count">{i.incidents}</span>
          </>
        );
        return (
          <li key={i.name}>
            {type ? (
              <RouteLink to={pivotFor(type, i.name)} className="hbar-link" title={`Show what names ${i.name} (${plural(i.incidents, 'incident')})`}>
                {inner}
              </RouteLink>
            ) : (
              <span className="hbar-link" title={plural(i.incidents, 'incident')}>
                {inner}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function MonthChart({
  bars,
  max,
  colourOf,
  month,
  onMonth,
}: {
  bars: ReturnType<typeof stackMonths>['bars'];
  max: number;
  colourOf(series: number): number;
  month?: string;
  onMonth(month: string): void;
}) {
  const w = 760;
  const h = 180;
  const pad = { l: 28, b: 22, t: 8 };
  const slot = (w - pad.l) / Math.max(1, bars.length);
  const bw = Math.max(2, slot - 2);
  const y = (v: number) => h - pad.b - (v / Math.max(1, max)) * (h - pad.b - pad.t);
  const every = Math.max(1, Math.ceil(bars.length / 10));
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h}`} role="group" aria-label="Incidents per month by theme; choose a month to list its incidents">
      {[0, Math.ceil(max / 2), max].map((v) => (
        <g key={v} aria-hidden="true">
          <line x1={pad.l} x2={w} y1={y(v)} y2={y(v)} className="gridline" />
          <text x={pad.l - 6} y={y(v) + 4} className="axis" textAnchor="end">
            {v}
          </text>
        </g>
      ))}
      {bars.map((b, i) => {
        const x = pad.l + i * slot;
        const label = `${monthLabel(b.month)}: ${plural(b.total, 'incident')}`;
        const choose = () => b.total > 0 && onMonth(b.month);
        return (
          <g
            key={b.month}
            className={`bar-group ${month === b.month ? 'on' : ''} ${b.total ? '' : 'empty'}`}
            role={b.total ? 'button' : undefined}
            tabIndex={b.total ? 0 : undefined}
            aria-label={b.total ? label : undefined}
            aria-pressed={b.total ? month === b.month : undefined}
            onClick={choose}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                choose();
              }
            }}
          >
            <title>{label}</title>
            {/* The whole column is the target, not only the (maybe tiny) bar. */}
            <rect x={x} width={slot} y={pad.t} height={h - pad.b - pad.t} className="bar-hit" />
            {b.parts.map((p) => (
              <rect key={p.series} x={x + 1} width={bw} y={y(p.y1)} height={Math.max(0, y(p.y0) - y(p.y1))} className={`bar s${colourOf(p.series)}`} rx={1.5} />
            ))}
            {i % every === 0 && (
              <text x={x + slot / 2} y={h - 6} className="axis" textAnchor="middle" aria-hidden="true">
                {monthLabel(b.month)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
