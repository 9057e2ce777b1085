import { useRef, useState } from 'react';
import { ProgressBar, RouteLink } from '../components/common';
import { CloseIcon } from '../components/icons';
import { Modal } from '../components/Modal';
import { bytes, count } from '../lib/format';
import { currentText, progressFraction, progressText, summaryProblems, summaryText, summaryTitle } from '../lib/import-text';
import type { ImportJob, ImportState } from '../state/use-imports';

/**
 * Imports while they run, as cards in the corner; once finished, each stays a few seconds and then
 * folds into the status bar's tray (and the history), so that cards never pile over the page.
 */
export function ImportCards({ state }: { state: ImportState }) {
  const choosing = state.jobs.find((j) => j.stage === 'choosing');
  const open = state.jobs.filter((j) => !j.folded);
  return (
    <>
      {choosing?.choice && <ChannelChooser job={choosing} onDone={(c) => state.chooseChannels(choosing.key, c)} />}
      {open.length > 0 && (
        <section className="import-center" aria-label="Imports in progress">
          {open.map((j) => (
            <ImportCard key={j.key} job={j} state={state} />
          ))}
        </section>
      )}
    </>
  );
}

function ImportCard({ job, state }: { job: ImportJob; state: ImportState }) {
  const [showProblems, setShowProblems] = useState(false);
  const p = job.progress;
  const s = job.summary;
  const ended = job.stage === 'done' || job.stage === 'failed';
  const problems = s ? summaryProblems(s) : [];
  const fraction = job.stage === 'uploading' && job.upload ? job.upload.done / Math.max(1, job.upload.total) : progressFraction(p);
  const current = p ? currentText(p) : null;
  return (
    <div className={`import-card stage-${job.stage} ${s?.status === 'cancelled' ? 'stage-cancelled' : ''}`} data-testid="import-card" data-import-id={job.importId ?? undefined}>
      <div className="import-head">
        <strong title={job.label}>{ended && s ? summaryTitle(s) : job.stage === 'failed' ? 'Import not started' : 'Importing'}</strong>
        {ended && (
          <button className="icon-button" onClick={() => state.fold(job.key)} aria-label="Close">
            <CloseIcon />
          </button>
        )}
      </div>
      <div className="import-label" title={job.label}>{job.label}</div>
      {!ended && <ProgressBar label={`Import of ${job.label}`} fraction={fraction} />}
      <div className="import-body" aria-live="polite">
        {job.stage === 'uploading' && job.upload && <span>{job.cancelRequested ? 'Stopping…' : `Reading files ${count(job.upload.done)} of ${count(job.upload.total)}…`}</span>}
        {job.stage === 'choosing' && <span>Choose the Slack channels to import…</span>}
        {job.stage === 'starting' && <span>Starting…</span>}
        {job.stage === 'running' && p && (
          <>
            <span>{progressText(p)}</span>
            {current && <span className="import-current" title={current}>{current}</span>}
          </>
        )}
        {job.stage === 'running' && !p && <span>Starting…</span>}
        {job.stage === 'done' && s && <span>{summaryText(s)}</span>}
        {job.stage === 'failed' && <span className="error-text">{job.failure?.message ?? 'The import failed.'}</span>}
      </div>
      <div className="import-foot">
        {!ended && job.stage !== 'choosing' && (
          <button className="button small ghost" onClick={() => state.cancel(job)} disabled={job.cancelRequested}>
            Cancel
          </button>
        )}
        {problems.length > 0 && (
          <button className="button small ghost" onClick={() => setShowProblems((v) => !v)} aria-expanded={showProblems}>
            {showProblems ? 'Hide' : 'Show'} {problems.length} problem{problems.length === 1 ? '' : 's'}
          </button>
        )}
        {ended && job.importId && (
          <RouteLink to={{ view: 'imports', open: job.importId }} className="button small ghost" onClick={() => state.fold(job.key)}>
            Details
          </RouteLink>
        )}
      </div>
      {showProblems && (
        <ul className="import-errors" data-testid="import-errors" tabIndex={0} aria-label="Problems">
          {problems.map((e, i) => (
            <li key={i} className={`problem-${e.outcome}`}>
              <strong>{e.source}</strong> <span className="muted">{e.outcome === 'skipped' ? 'skipped' : 'failed'}:</span> {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Folded imports, in the status bar: the last one's result, and the way to the history. */
export function ImportTray({ state }: { state: ImportState }) {
  const folded = state.jobs.filter((j) => j.folded && j.endedAt);
  if (!folded.length) return null;
  const last = folded[folded.length - 1]!;
  // Failed files, and imports that could not start; a choice the user cancelled is no problem.
  const problems = folded.reduce((n, j) => n + (j.summary ? summaryProblems(j.summary).filter((x) => x.outcome === 'failed').length : j.stage === 'failed' && j.failure?.code !== 'cancelled' ? 1 : 0), 0);
  const text = last.summary ? `${last.label}: ${summaryText(last.summary)}` : `${last.label}: ${last.failure?.message ?? 'not imported'}`;
  return (
    <span className="import-tray" data-testid="import-tray">
      <RouteLink to={{ view: 'imports', ...(last.importId ? { open: last.importId } : {}) }} className={`tray-link ${problems ? 'has-problems' : ''}`} title={text}>
        {folded.length > 1 ? `${folded.length} imports` : 'Import'} · {problems ? `${problems} problem${problems === 1 ? '' : 's'}` : last.summary?.status === 'cancelled' ? 'cancelled' : 'done'}
      </RouteLink>
      <button className="icon-button" onClick={state.clearFinished} aria-label="Clear finished imports">
        <CloseIcon />
      </button>
    </span>
  );
}

function ChannelChooser({ job, onDone }: { job: ImportJob; onDone(channels: string[] | null): void }) {
  const channels = job.choice!.channels;
  const [selected, setSelected] = useState(() => new Set(channels.filter((c) => c.selected).map((c) => c.name)));
  const first = useRef<HTMLInputElement>(null);
  const toggle = (name: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });
  return (
    <Modal title="Which Slack channels?" onClose={() => onDone(null)} initialFocus={first} describedBy="chooser-help">
      <p className="muted" id="chooser-help">
        Most of a workspace is not about incidents. Pick the channels to import from {job.label} ({channels.length} channels).
      </p>
      <div className="chooser-actions">
        <button className="button small ghost" onClick={() => setSelected(new Set(channels.map((c) => c.name)))}>All</button>
        <button className="button small ghost" onClick={() => setSelected(new Set(channels.filter((c) => /inc|incident|ops|oncall|alert|outage|sre|status/i.test(c.name)).map((c) => c.name)))}>
          Incident-like
        </button>
        <button className="button small ghost" onClick={() => setSelected(new Set())}>None</button>
      </div>
      <ul className="channel-list" tabIndex={-1}>
        {channels.map((c, i) => (
          <li key={c.name}>
            <label>
              <input ref={i === 0 ? first : undefined} type="checkbox" checked={selected.has(c.name)} onChange={() => toggle(c.name)} />
              <span className="channel-name">#{c.name}</span>
              <span className="muted">
                {c.days} days · {bytes(c.bytes)}
              </span>
            </label>
          </li>
        ))}
      </ul>
      <div className="modal-foot">
        <button className="button ghost" onClick={() => onDone(null)}>Cancel</button>
        <button className="button primary" disabled={!selected.size} onClick={() => onDone([...selected])}>
          Import {selected.size} channel{selected.size === 1 ? '' : 's'}
        </button>
      </div>
    </Modal>
  );
}
