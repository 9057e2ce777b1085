import type { ReactNode } from 'react';
import type { DocumentKind, Snippet } from '../../../native/contract';
import { KIND_LABEL } from '../lib/format';
import { segments } from '../lib/highlight';

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

export function Chip({ children, tone }: { children: ReactNode; tone?: 'service' | 'error' | 'technology' | 'person' | 'plain' }) {
  return <span className={`chip chip-${tone ?? 'plain'}`}>{children}</span>;
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children && <div className="empty-body">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function ErrorNote({ message }: { message: string }) {
  return (
    <div className="error-note" role="alert">
      {message}
    </div>
  );
}

export function Spinner({ label }: { label?: string }) {
  return (
    <div className="spinner" role="status">
      <span className="dot" />
      {label ?? 'Working…'}
    </div>
  );
}

export function ScoreBar({ label, value }: { label: string; value: number | null }) {
  if (value === null) return null;
  return (
    <div className="scorebar" title={`${label}: ${value.toFixed(2)}`}>
      <span className="scorebar-label">{label}</span>
      <span className="scorebar-track">
        <span className="scorebar-fill" style={{ width: `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%` }} />
      </span>
    </div>
  );
}
