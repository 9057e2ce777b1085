import { useEffect, useMemo, useState } from 'react';
import type { PatternsResult } from '../../../native/contract';
import { EmptyState, ErrorNote, KindBadge, Spinner } from '../components/common';
import { useApp } from '../context';
import { stackMonths } from '../lib/chart';
import { monthLabel, shortDate } from '../lib/format';

const SERIES = 6;

/** Recurring themes with sizes, incidents per month per theme, and the services and errors that recur. */
export function PatternsView() {
  const { transport, navigate, stats } = useApp();
  const [result, setResult] = useState<PatternsResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [since, setSince] = useState('');

  useEffect(() => {
    setResult(null);
    transport.api.patterns({ since: since || undefined, limit: 40 }).then(setResult, (e: Error) => setError(e.message));
  }, [transport, since, stats?.documents]);

  const chart = useMemo(() => (result ? stackMonths(result.patterns.slice(0, SERIES).map((p) => p.perMonth)) : null), [result]);

  return (
    <div className="view patterns-view">
      <header className="view-header row">
        <div>
          <h1>Patterns</h1>
          <p className="muted">Incidents that keep coming back, grouped by what they share.</p>
        </div>
        <select aria-label="Since" value={since} onChange={(e) => setSince(e.target.value)}>
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
          <section className="card chart-card">
            <div className="chart-head">
              <h3>Incidents per month, top themes</h3>
              <div className="legend">
                {result.patterns.slice(0, SERIES).map((p, i) => (
                  <span key={p.id} className="legend-item">
                    <span className={`swatch s${i}`} />
                    {p.label}
                  </span>
                ))}
              </div>
            </div>
            <MonthChart bars={chart.bars} max={chart.max} />
          </section>
          <div className="patterns-columns">
            <ol className="themes">
              {result.patterns.map((p, i) => (
                <li key={p.id} className={`theme ${open === p.id ? 'open' : ''}`} data-testid="theme">
                  <button className="theme-head" onClick={() => setOpen(open === p.id ? null : p.id)} aria-expanded={open === p.id}>
                    <span className={`swatch ${i < SERIES ? `s${i}` : 'sx'}`} />
                    <span className="theme-label">{p.label}</span>
                    <span className="theme-size">{p.size}</span>
                    <span className="muted small">{p.firstAt ? `${shortDate(p.firstAt)} – ${shortDate(p.lastAt)}` : ''}</span>
                  </button>
                  {open === p.id && (
                    <ul className="theme-incidents">
                      {p.incidents.map((inc) => (
                        <li key={inc.incidentId}>
                          {inc.records[0] && <KindBadge kind={inc.records[0].kind} />}
                          <button className="link-button" onClick={() => inc.records[0] && navigate({ view: 'document', id: inc.records[0].documentId })}>{inc.title}</button>
                          <span className="muted small">{shortDate(inc.startedAt)}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ol>
            <aside className="recurring">
              <section className="card">
                <h3>Failure modes that recur</h3>
                <Bars items={result.topFailureModes.map((m) => ({ name: m.label, incidents: m.incidents }))} />
              </section>
              <section className="card">
                <h3>Services that recur</h3>
                <Bars items={result.topServices} />
              </section>
            </aside>
          </div>
        </>
      )}
    </div>
  );
}

function Bars({ items }: { items: Array<{ name: string; incidents: number }> }) {
  if (!items.length) return <p className="muted">None yet.</p>;
  const max = Math.max(...items.map((i) => i.incidents));
  return (
    <ul className="hbars">
      {items.slice(0, 10).map((i) => (
        <li key={i.name}>
          <span className="hbar-name" title={i.name}>{i.name}</span>
          <span className="hbar-track"><span className="hbar-fill" style={{ width: `${(i.incidents / max) * 100}%` }} /></span>
          <span className="hbar-count">{i.incidents}</span>
        </li>
      ))}
    </ul>
  );
}

function MonthChart({ bars, max }: { bars: ReturnType<typeof stackMonths>['bars']; max: number }) {
  const w = 760;
  const h = 180;
  const pad = { l: 28, b: 22, t: 8 };
  const bw = Math.max(2, (w - pad.l) / Math.max(1, bars.length) - 2);
  const y = (v: number) => h - pad.b - (v / Math.max(1, max)) * (h - pad.b - pad.t);
  const every = Math.max(1, Math.ceil(bars.length / 10));
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h}`} role="img" aria-label="Incidents per month by theme">
      {[0, Math.ceil(max / 2), max].map((v) => (
        <g key={v}>
          <line x1={pad.l} x2={w} y1={y(v)} y2={y(v)} className="gridline" />
          <text x={pad.l - 6} y={y(v) + 4} className="axis" textAnchor="end">{v}</text>
        </g>
      ))}
      {bars.map((b, i) => {
        const x = pad.l + i * (bw + 2);
        return (
          <g key={b.month}>
            <title>{`${monthLabel(b.month)}: ${b.total}`}</title>
            {b.parts.map((p) => (
              <rect key={p.series} x={x} width={bw} y={y(p.y1)} height={Math.max(0, y(p.y0) - y(p.y1))} className={`bar s${p.series}`} rx={1.5} />
            ))}
            {i % every === 0 && <text x={x + bw / 2} y={h - 6} className="axis" textAnchor="middle">{monthLabel(b.month)}</text>}
          </g>
        );
      })}
    </svg>
  );
}
