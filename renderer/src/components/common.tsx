import type { ReactNode } from 'react';
import type { DocumentKind, Snippet } from '../../../native/contract';
import { fullDateTime, KIND_LABEL, shortDate } from '../lib/format';
import { segments } from '../lib/highlight';
import { pivotFor, routeHash, type Route } from '../lib/route';

export function KindBadge({ kind }: { kind: DocumentKind }) {
  return <span className={`badge kind-${kind}`}>{KIND_LABEL[kind] ?? kind}</span>;
}

export function Highlighted({ snippet }: { snippet: Pick<Snippet, 'text' | 'highlights'> }) {
  return (
    <>
      {segments(snippet.text, snippet.highlights).map((s, i) => (s.mark ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
    </>
  );
}

export type ChipTone = 'service' | 'error' | 'technology' | 'person' | 'plain';

/** A link to another screen (a route), as an anchor: it works with the keyboard, and back returns. */
export function RouteLink({ to, className, children, title, onClick }: { to: Route; className?: string; children: ReactNode; title?: string; onClick?: () => void }) {
  return (
    <a href={routeHash(to)} className={className} title={title} onClick={onClick}>
      {children}
    </a>
  );
}

/** An entity (service, error, person...) that opens the search filtered by it. */
export function EntityChip({ type, name, label }: { type: string; name: string; label?: string }) {
  const tone: ChipTone = type === 'service' || type === 'error' || type === 'technology' || type === 'person' ? type : 'plain';
  const what = type === 'service' || type === 'person' || type === 'error' ? `everything naming ${type} ${name}` : `search for ${name}`;
  return (
    <RouteLink to={pivotFor(type, name)} className={`chip chip-${tone} chip-link`} title={`Show ${what}`}>
      {label ?? name}
    </RouteLink>
  );
}

export function Chip({ children, tone }: { children: ReactNode; tone?: ChipTone }) {
  return <span className={`chip chip-${tone ?? 'plain'}`}>{children}</span>;
}

/** A date for people, with the full date and time (and zone) on hover. */
export function DateText({ iso, className }: { iso: string | null | undefined; className?: string }) {
  return (
    <time className={className} dateTime={iso ?? undefined} title={fullDateTime(iso)}>
      {shortDate(iso)}
    </time>
  );
}

export function EmptyState({ title, children, action, level = 2 }: { title: string; children?: ReactNode; action?: ReactNode; level?: 1 | 2 }) {
  const H = level === 1 ? 'h1' : 'h2';
  return (
    <div className="empty">
      <H>{title}</H>
      {children && <div className="empty-body">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function ErrorNote({ message, hint, action }: { message: string; hint?: string; action?: ReactNode }) {
  return (
    <div className="error-note" role="alert">
      <span>{message}</span>
      {hint && <span className="error-hint">{hint}</span>}
      {action}
    </div>
  );
}

export function Spinner({ label }: { label?: string }) {
  return (
    <div className="spinner" role="status">
      <span className="dot" aria-hidden="true" />
      {label ?? 'Working…'}
    </div>
  );
}

export function ScoreBar({ label, value }: { label: string; value: number | null }) {
  if (value === null) return null;
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="scorebar" title={`${label}: ${value.toFixed(2)}`}>
      <span className="scorebar-label">{label}</span>
      <span className="scorebar-track" role="meter" aria-label={label} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
        <span className="scorebar-fill" style={{ width: `${pct}%` }} />
      </span>
    </div>
  );
}

/** A progress bar with a name; without a fraction it is indeterminate (moving). */
export function ProgressBar({ label, fraction }: { label: string; fraction: number | null }) {
  const pct = fraction === null ? null : Math.round(Math.max(0, Math.min(1, fraction)) * 100);
  return (
    <div className={`progress ${pct === null ? 'indeterminate' : ''}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} {...(pct === null ? {} : { 'aria-valuenow': pct })}>
      <span style={pct === null ? undefined : { width: `${Math.max(3, pct)}%` }} />
    </div>
  );
}

/** Text only screen readers read (a heading a screen needs, but that sighted users see as the layout). */
export function VisuallyHidden({ children, as = 'span' }: { children: ReactNode; as?: 'span' | 'h1' | 'h2' }) {
  const Tag = as;
  return <Tag className="visually-hidden">{children}</Tag>;
}
