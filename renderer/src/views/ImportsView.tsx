import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImportHistory, ImportHistoryEntry, ImportIssues } from '../../../native/contract';
import { EmptyState, ErrorNote, ProgressBar, Spinner } from '../components/common';
import { ImportIcon } from '../components/icons';
import { Modal } from '../components/Modal';
import { useApp } from '../context';
import { dateTime, fullDateTime, plural, relativeTime } from '../lib/format';
import { currentText, historyText, progressFraction, progressText } from '../lib/import-text';

/**
 * Every import, newest first: what it was, when, what it brought, what it could not read and why;
 * re-import it, or delete it with its documents.
 */
export function ImportsView({ open }: { open?: number }) {
  const { transport, imports, refreshStats, toast, pickFiles, pickFolder, stats, info } = useApp();
  const { api } = transport;
  const [history, setHistory] = useState<ImportHistory | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<number | null>(open ?? null);
  const [confirm, setConfirm] = useState<ImportHistoryEntry | null>(null);

  const load = useCallback(() => {
    api.listImports({ limit: 200 }).then(
      (h) => {
        setHistory(h);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api]);

  useEffect(load, [load, stats?.documents, stats?.lastImport?.id]);
  // An import that ends while the page is open shows its final counts.
  useEffect(() => api.on('importDone', () => setTimeout(load, 100)), [api, load]);
  useEffect(() => setExpanded(open ?? null), [open]);

  const running = new Map(imports.jobs.filter((j) => j.importId && !j.endedAt).map((j) => [j.importId!, j]));

  const reimport = (e: ImportHistoryEntry) =>
    api.reimport({ importId: e.importId }).then(
      ({ importId }) => {
        imports.track(importId, e.label);
        toast(`Importing ${e.label} again…`);
        load();
      },
      (err: Error) => toast(err.message, 'error'),
    );

  const remove = (e: ImportHistoryEntry) =>
    api.deleteImport({ importId: e.importId }).then(
      (r) => {
        toast(`Deleted ${e.label} and ${plural(r.documentsRemoved, 'document')}.`);
        setConfirm(null);
        load();
        refreshStats();
      },
      (err: Error) => toast(err.message, 'error'),
    );

  return (
    <div className="view imports-view">
      <header className="view-header row">
        <div>
          <h1>Imports</h1>
          <p className="muted">What was imported, when, and what could not be read — with the reason.</p>
        </div>
        <div className="header-actions">
          <button className="button primary" onClick={pickFiles}>
            <ImportIcon /> Import files…
          </button>
          <button className="button" onClick={pickFolder}>Import a folder…</button>
        </div>
      </header>
      {error && <ErrorNote message={error} />}
      {!history && !error && <Spinner label="Reading the history…" />}
      {history && history.imports.length === 0 && (
        <EmptyState
          title="Nothing imported yet"
          action={info?.demo ? <button className="button primary" onClick={() => void api.importSample({})}>Import the sample data</button> : undefined}
        >
          <p>Drop postmortems, a Slack export or a ticket export anywhere on this window, or use Import files…</p>
        </EmptyState>
      )}
      {history && history.imports.length > 0 && (
        <ol className="history" aria-label="Import history">
          {history.imports.map((e) => {
            const job = running.get(e.importId);
            const isOpen = expanded === e.importId;
            return (
              <li key={e.importId} className={`history-item status-${job ? 'running' : e.status}`} data-testid="history-item">
                <div className="history-head">
                  <button className="history-toggle" aria-expanded={isOpen} onClick={() => setExpanded(isOpen ? null : e.importId)}>
                    <span className="history-label">{e.label}</span>
                    <span className="history-when" title={fullDateTime(e.startedAt)}>
                      {relativeTime(e.startedAt)}
                    </span>
                  </button>
                </div>
                {job?.progress ? (
                  <div className="history-progress">
                    <ProgressBar label={`Import of ${e.label}`} fraction={progressFraction(job.progress)} />
                    <span className="muted small">
                      {progressText(job.progress)}
                      {currentText(job.progress) ? ` · ${currentText(job.progress)}` : ''}
                    </span>
                  </div>
                ) : (
                  <p className="history-text">
                    {historyText(e)}
                    {e.issues > 0 && (
                      <>
                        {' · '}
                        <button className="link-button" onClick={() => setExpanded(isOpen ? null : e.importId)} aria-expanded={isOpen}>
                          {isOpen ? 'hide' : 'show'} {plural(e.issues, 'problem')}
                        </button>
                      </>
                    )}
                  </p>
                )}
                {isOpen && <ImportDetails entry={e} onReimport={() => void reimport(e)} onDelete={() => setConfirm(e)} running={!!job} />}
              </li>
            );
          })}
        </ol>
      )}
      {history && history.total > history.imports.length && <p className="muted small">Showing the newest {history.imports.length} of {history.total} imports.</p>}
      {confirm && <ConfirmDelete entry={confirm} onCancel={() => setConfirm(null)} onConfirm={() => void remove(confirm)} />}
    </div>
  );
}

function ImportDetails({ entry, onReimport, onDelete, running }: { entry: ImportHistoryEntry; onReimport(): void; onDelete(): void; running: boolean }) {
  const { transport } = useApp();
  const [issues, setIssues] = useState<ImportIssues | null>(null);
  useEffect(() => {
    if (!entry.issues) return setIssues({ issues: [], total: 0 });
    transport.api.importIssues({ importId: entry.importId, limit: 1000 }).then(setIssues, () => setIssues({ issues: [], total: 0 }));
  }, [entry.importId, entry.issues, transport]);
  const failed = issues?.issues.filter((i) => i.outcome === 'failed') ?? [];
  const skipped = issues?.issues.filter((i) => i.outcome === 'skipped') ?? [];
  return (
    <div className="history-details">
      <dl className="facts">
        <div>
          <dt>Started</dt>
          <dd>{dateTime(entry.startedAt)}</dd>
        </div>
        {entry.finishedAt && (
          <div>
            <dt>Finished</dt>
            <dd>{dateTime(entry.finishedAt)}</dd>
          </div>
        )}
        <div>
          <dt>Files</dt>
          <dd>
            {entry.filesSeen} of {entry.filesTotal} read
          </dd>
        </div>
        <div>
          <dt>Documents now</dt>
          <dd title="Documents this import wrote that are still in the database (a later import may have rewritten some).">{entry.documents}</dd>
        </div>
        {entry.paths.length > 0 && (
          <div className="wide">
            <dt>From</dt>
            <dd>
              {entry.paths.map((p) => (
                <code key={p}>{p}</code>
              ))}
            </dd>
          </div>
        )}
      </dl>
      {failed.length > 0 && <IssueList title="Could not be imported" items={failed} />}
      {skipped.length > 0 && <IssueList title="Skipped" items={skipped} />}
      {issues && issues.total > issues.issues.length && <p className="muted small">And {issues.total - issues.issues.length} more.</p>}
      <div className="history-actions">
        <button className="button small" onClick={onReimport} disabled={!entry.reimport.possible || running} title={entry.reimport.possible ? 'Read the same files again (changed ones are updated)' : entry.reimport.why}>
          Re-import
        </button>
        <button className="button small danger" onClick={onDelete} disabled={running}>
          Delete…
        </button>
        {!entry.reimport.possible && <span className="muted small">{entry.reimport.why}</span>}
      </div>
    </div>
  );
}

function IssueList({ title, items }: { title: string; items: ImportIssues['issues'] }) {
  return (
    <section className="issues">
      <h3>
        {title} ({items.length})
      </h3>
      <ul className="issue-list" tabIndex={0} aria-label={title} data-testid="history-issues">
        {items.map((i, n) => (
          <li key={n}>
            <strong>{i.source}</strong>
            {i.record && <span className="muted"> · record {i.record}</span>}
            <div>{i.message}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ConfirmDelete({ entry, onCancel, onConfirm }: { entry: ImportHistoryEntry; onCancel(): void; onConfirm(): void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Modal title={`Delete ${entry.label}?`} onClose={onCancel} initialFocus={cancel} describedBy="delete-help">
      <p id="delete-help">
        This removes the import from the history and the {plural(entry.documents, 'document')} it brought from the database. The original files are not touched; you can import them again.
      </p>
      <div className="modal-foot">
        <button ref={cancel} className="button ghost" onClick={onCancel}>
          Keep it
        </button>
        <button className="button danger-solid" onClick={onConfirm}>
          Delete {plural(entry.documents, 'document')}
        </button>
      </div>
    </Modal>
  );
}
