import { useEffect, type ReactNode } from 'react';
import type { Route } from '../lib/route';
import { EmptyState, ErrorNote, RouteLink, Spinner } from './common';
import { BackIcon } from './icons';

/**
 * Escape goes back from a record's page — unless the key belongs to a field, was already handled,
 * or a dialog is open (the dialog closes first).
 */
export function useEscapeBack(back: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if ((e.target as HTMLElement).closest('input, textarea, select') || document.querySelector('[aria-modal="true"]')) return;
      back();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [back]);
}

/**
 * What a record's page (a document, an incident) shows before it has the record: the error that
 * stopped it, a spinner while it loads, or — when the id names nothing — why that can happen and
 * a way on. One component, so that every page fails and waits the same way.
 */
export function RecordPageState({
  what,
  id,
  error,
  loading,
  why,
  elsewhere,
  back,
}: {
  /** "document", "incident": the page's title and the messages name it. */
  what: string;
  id: number;
  error: string | null;
  loading: boolean;
  /** Why the record may be missing. */
  why: ReactNode;
  /** Where to go instead (besides back). */
  elsewhere: { to: Route; label: string };
  back: () => void;
}) {
  if (error) {
    return (
      <div className="view">
        <h1 className="visually-hidden">{what[0]!.toUpperCase() + what.slice(1)}</h1>
        <ErrorNote message={error} action={<button className="button small" onClick={back}>Back</button>} />
      </div>
    );
  }
  if (loading) return <div className="view"><Spinner label={`Opening the ${what}…`} /></div>;
  return (
    <div className="view">
      <EmptyState
        level={1}
        title={`There is no ${what} #${id}`}
        action={
          <span className="empty-actions">
            <button className="button primary" onClick={back}>
              <BackIcon /> Back
            </button>
            <RouteLink to={elsewhere.to} className="button">
              {elsewhere.label}
            </RouteLink>
          </span>
        }
      >
        <p>{why}</p>
      </EmptyState>
    </div>
  );
}
