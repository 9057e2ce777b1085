import { useCallback, useEffect, useState } from 'react';
import { ERROR_CODE_LIST, type ImportPreview, type ImportProgress, type ImportSummary, type ContractError, type SlackChannelInfo } from '../../../native/contract';
import { CloseIcon } from '../components/icons';
import { eta } from '../lib/format';
import type { Transport } from '../transport';

export interface ImportJob {
  key: string;
  label: string;
  importId: number | null;
  stage: 'uploading' | 'choosing' | 'running' | 'done' | 'failed';
  upload?: { done: number; total: number };
  progress?: ImportProgress;
  summary?: ImportSummary;
  failure?: ContractError;
  choice?: { paths: string[]; channels: SlackChannelInfo[]; source: string };
}

export interface ImportState {
  jobs: ImportJob[];
  importFiles(files: File[]): void;
  chooseChannels(key: string, channels: string[] | null): void;
  cancel(job: ImportJob): void;
  dismiss(key: string): void;
}

/** Slack exports bigger than this get a channel choice before importing. */
const CHOOSE_CHANNELS_ABOVE = 3;

export function useImports(transport: Transport, onChange: () => void, toast: (m: string, tone?: 'info' | 'error') => void): ImportState {
  const { api } = transport;
  const [jobs, setJobs] = useState<ImportJob[]>([]);
  const update = useCallback((key: string, patch: Partial<ImportJob>) => setJobs((js) => js.map((j) => (j.key === key ? { ...j, ...patch } : j))), []);

  useEffect(() => {
    const offProgress = api.on('importProgress', (p) => {
      // Imports started elsewhere (the desktop menu, sample data) get a card too.
      setJobs((js) =>
        js.some((j) => j.importId === p.importId)
          ? js.map((j) => (j.importId === p.importId ? { ...j, progress: p, stage: 'running' } : j))
          : js.some((j) => j.importId === null && j.stage === 'running')
            ? js
            : [...js, { key: `import-${p.importId}`, label: 'Import', importId: p.importId, stage: 'running', progress: p }],
      );
      if (p.documents % 25 === 0) onChange();
    });
    const offDone = api.on('importDone', (d) => {
      setJobs((js) => js.map((j) => (j.importId === d.importId ? { ...j, stage: d.failure ? 'failed' : 'done', summary: d.summary ?? undefined, failure: d.failure ?? undefined } : j)));
      onChange();
    });
    return () => {
      offProgress();
      offDone();
    };
  }, [api, onChange]);

  const start = useCallback(
    async (key: string, paths: string[], channels?: string[]) => {
      update(key, { stage: 'running' });
      try {
        const { importId } = await api.startImport({ paths, channels });
        update(key, { importId, stage: 'running' });
      } catch (e) {
        update(key, { stage: 'failed', failure: { code: errorCode(e), message: (e as Error).message } });
      }
    },
    [api, update],
  );

  const importFiles = useCallback(
    (files: File[]) => {
      if (!files.length) return;
      const key = `${Date.now()}-${Math.random()}`;
      const label = files.length === 1 ? files[0]!.name : `${files.length} files`;
      setJobs((js) => [...js, { key, label, importId: null, stage: 'uploading', upload: { done: 0, total: files.length } }]);
      void (async () => {
        try {
          const paths = await transport.pathsFor(files, (done, total) => update(key, { upload: { done, total } }));
          if (!paths.length) throw new Error('Nothing to import: the dropped items have no files.');
          const preview: ImportPreview = await api.previewImport({ paths });
          const slack = preview.sources.find((s) => (s.channels?.length ?? 0) > CHOOSE_CHANNELS_ABOVE);
          if (slack) update(key, { stage: 'choosing', choice: { paths, channels: slack.channels!, source: slack.source } });
          else await start(key, paths);
        } catch (e) {
          update(key, { stage: 'failed', failure: { code: errorCode(e), message: (e as Error).message } });
          toast((e as Error).message, 'error');
        }
      })();
    },
    [api, start, toast, transport, update],
  );

  return {
    jobs,
    importFiles,
    chooseChannels: (key, channels) => {
      const job = jobs.find((j) => j.key === key);
      if (!job?.choice) return;
      if (channels === null) return update(key, { stage: 'failed', failure: { code: 'cancelled', message: 'Import cancelled.' }, choice: undefined });
      update(key, { stage: 'running', choice: undefined });
      void start(key, job.choice.paths, channels);
    },
    cancel: (job) => {
      if (job.importId) void api.cancelImport({ importId: job.importId });
    },
    dismiss: (key) => setJobs((js) => js.filter((j) => j.key !== key)),
  };
}

export function ImportCenter({ state }: { state: ImportState }) {
  const choosing = state.jobs.find((j) => j.stage === 'choosing');
  return (
    <>
      {choosing?.choice && <ChannelChooser job={choosing} onDone={(c) => state.chooseChannels(choosing.key, c)} />}
      {state.jobs.length > 0 && (
        <section className="import-center" aria-label="Imports">
          {state.jobs.map((j) => (
            <ImportCard key={j.key} job={j} onCancel={() => state.cancel(j)} onDismiss={() => state.dismiss(j.key)} />
          ))}
        </section>
      )}
    </>
  );
}

function ImportCard({ job, onCancel, onDismiss }: { job: ImportJob; onCancel(): void; onDismiss(): void }) {
  const [showErrors, setShowErrors] = useState(false);
  const p = job.progress;
  const s = job.summary;
  const pct = job.stage === 'uploading' && job.upload ? job.upload.done / Math.max(1, job.upload.total) : p && p.filesTotal ? p.filesDone / p.filesTotal : 0;
  const errors = s?.errors ?? [];
  return (
    <div className={`import-card stage-${job.stage}`} data-testid="import-card">
      <div className="import-head">
        <strong title={job.label}>{job.label}</strong>
        {(job.stage === 'done' || job.stage === 'failed') && (
          <button className="icon-button" onClick={onDismiss} aria-label="Dismiss">
            <CloseIcon />
          </button>
        )}
      </div>
      {job.stage !== 'done' && job.stage !== 'failed' && (
        <div className="progress" role="progressbar" aria-valuenow={Math.round(pct * 100)} aria-valuemin={0} aria-valuemax={100}>
          <span style={{ width: `${Math.max(4, pct * 100)}%` }} />
        </div>
      )}
      <div className="import-body">
        {job.stage === 'uploading' && job.upload && <span>Reading files {job.upload.done}/{job.upload.total}…</span>}
        {job.stage === 'choosing' && <span>Choose Slack channels…</span>}
        {job.stage === 'running' && p && (
          <span>
            {p.filesDone}/{p.filesTotal} files · {p.documents} documents · {p.chunksEmbedded} passages embedded
            {p.rate > 0 ? ` · ${p.rate.toFixed(1)} files/s` : ''} {eta(p.etaSeconds)}
          </span>
        )}
        {job.stage === 'running' && !p && <span>Starting…</span>}
        {job.stage === 'done' && s && (
          <span>
            Imported {s.documentsAdded} new, {s.documentsUpdated} updated, {s.documentsUnchanged} unchanged documents
            {s.filesFailed ? ` · ${s.filesFailed} file${s.filesFailed === 1 ? '' : 's'} failed` : ''}
          </span>
        )}
        {job.stage === 'failed' && <span className="error-text">{job.failure?.message ?? 'The import failed.'}</span>}
      </div>
      <div className="import-foot">
        {job.stage === 'running' && job.importId && (
          <button className="button small ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
        {errors.length > 0 && (
          <button className="button small ghost" onClick={() => setShowErrors((v) => !v)} aria-expanded={showErrors}>
            {showErrors ? 'Hide' : 'Show'} {errors.length} problem{errors.length === 1 ? '' : 's'}
          </button>
        )}
      </div>
      {showErrors && (
        <ul className="import-errors" data-testid="import-errors">
          {errors.map((e, i) => (
            <li key={i}>
              <code>{e.code}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ChannelChooser({ job, onDone }: { job: ImportJob; onDone(channels: string[] | null): void }) {
  const channels = job.choice!.channels;
  const [selected, setSelected] = useState(() => new Set(channels.filter((c) => c.selected).map((c) => c.name)));
  const toggle = (name: string) => setSelected((s) => {
    const n = new Set(s);
    if (n.has(name)) n.delete(name);
    else n.add(name);
    return n;
  });
  const mb = (b: number) => (b / 1048576 < 0.1 ? `${Math.max(1, Math.round(b / 1024))} KB` : `${(b / 1048576).toFixed(1)} MB`);
  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true" aria-labelledby="chooser-title">
      <div className="modal">
        <h2 id="chooser-title">Which Slack channels?</h2>
        <p className="muted">Most of a workspace is not about incidents. Pick the channels to import from this export ({channels.length} channels).</p>
        <div className="chooser-actions">
          <button className="button small ghost" onClick={() => setSelected(new Set(channels.map((c) => c.name)))}>All</button>
          <button className="button small ghost" onClick={() => setSelected(new Set(channels.filter((c) => /inc|incident|ops|oncall|alert|outage|sre|status/i.test(c.name)).map((c) => c.name)))}>Incident-like</button>
          <button className="button small ghost" onClick={() => setSelected(new Set())}>None</button>
        </div>
        <ul className="channel-list">
          {channels.map((c) => (
            <li key={c.name}>
              <label>
                <input type="checkbox" checked={selected.has(c.name)} onChange={() => toggle(c.name)} />
                <span className="channel-name">#{c.name}</span>
                <span className="muted">{c.days} days · {mb(c.bytes)}</span>
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
      </div>
    </div>
  );
}

/** The contract code an API call failed with (internal when it is not one). */
function errorCode(e: unknown): ContractError['code'] {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (ERROR_CODE_LIST as readonly string[]).includes(code) ? (code as ContractError['code']) : 'internal';
}
