import { useRef, useState } from 'react';
import { ErrorNote, ProgressBar } from '../components/common';
import { Modal } from '../components/Modal';
import { useApp } from '../context';
import { bytes, count, eta, plural } from '../lib/format';

/** The model (semantic search), the embedding index, and the database: every setting there is. */
export function SettingsView() {
  return (
    <div className="view settings-view">
      <header className="view-header">
        <h1>Settings</h1>
        <p className="muted">Semantic search, the index of passages, and where your data lives. Nothing here reaches the network unless you ask for a download.</p>
      </header>
      <ModelSection />
      <IndexSection />
      <DatabaseSection />
    </div>
  );
}

function ModelSection() {
  const { model, transport } = useApp();
  const folderInput = useRef<HTMLInputElement>(null);
  const [askDownload, setAskDownload] = useState(false);
  const s = model.status?.state;
  const known = model.status?.known ?? [];
  const def = known[0];
  const busy = model.install.phase === 'uploading' || model.install.phase === 'installing';
  return (
    <section className="card settings-card" aria-labelledby="model-title" data-testid="model-section">
      <h2 id="model-title">Semantic search</h2>
      {!s && <p className="muted">Looking for a model…</p>}
      {s?.state === 'ready' && (
        <p>
          <span className="status-dot ok" aria-hidden="true" /> On, with <strong>{s.name}</strong> ({s.dims} dimensions){s.verified ? ', verified against its published hash.' : ' — unverified: its weights match no published model.'}
          <br />
          <span className="muted small">
            From <code>{s.path}</code>
          </span>
        </p>
      )}
      {s?.state === 'absent' && (
        <p>
          <span className="status-dot warn" aria-hidden="true" /> Off: search and similarity use keywords only. An embedding model adds matching by meaning (“pool exhausted” finds “ran out of connections”). It runs on this machine.
        </p>
      )}
      {s?.state === 'error' && <ErrorNote message={s.message} />}
      <div className="settings-actions">
        <button className="button primary" onClick={() => folderInput.current?.click()} disabled={busy}>
          {s?.state === 'ready' ? 'Replace with a model folder…' : 'Install from a folder…'}
        </button>
        {def && s?.state !== 'ready' && (
          <button className="button" onClick={() => setAskDownload(true)} disabled={busy}>
            Download {def.name} ({bytes(def.bytes)})…
          </button>
        )}
        <input
          ref={(el) => {
            folderInput.current = el;
            el?.setAttribute('webkitdirectory', '');
          }}
          type="file"
          hidden
          data-testid="model-folder-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) model.installFolderFiles(files);
          }}
        />
      </div>
      <p className="muted small">
        A model folder holds <code>config.json</code>, <code>tokenizer.json</code> and <code>onnx/model_quantized.onnx</code> (for example a copy of {def?.name ?? 'gte-small'} downloaded on another machine). Its weights are checked against the published sha256 before it is used.
        {transport.kind === 'browser' && ' In the browser the folder is copied to the Hindsight server first.'}
      </p>
      <InstallProgress />
      {askDownload && def && (
        <ConfirmDownload
          name={def.name}
          size={def.bytes}
          onCancel={() => setAskDownload(false)}
          onConfirm={() => {
            setAskDownload(false);
            model.download(def.name);
          }}
        />
      )}
    </section>
  );
}

function InstallProgress() {
  const { model } = useApp();
  const i = model.install;
  if (i.phase === 'idle') return null;
  if (i.phase === 'uploading') {
    return (
      <div className="install-status" data-testid="install-status">
        <ProgressBar label="Copying the model folder" fraction={i.total ? i.done / i.total : null} />
        <span className="muted small">
          Copying the model folder: {bytes(i.done)} of {bytes(i.total)}
        </span>
      </div>
    );
  }
  if (i.phase === 'installing') {
    const p = i.progress;
    const fraction = p?.phase === 'downloading' && p.total ? p.received / p.total : null;
    const text = !p
      ? i.what === 'download'
        ? 'Connecting…'
        : 'Checking the weights against the published hash…'
      : p.phase === 'downloading'
        ? `Downloading ${p.file}: ${bytes(p.received)}${p.total ? ` of ${bytes(p.total)}` : ''}`
        : p.phase === 'verifying'
          ? 'Checking the weights against the published hash…'
          : p.phase === 'copying'
            ? `Copying ${p.file}…`
            : 'Installed; starting it…';
    return (
      <div className="install-status" data-testid="install-status">
        <ProgressBar label="Installing the model" fraction={fraction} />
        <span className="muted small">{text}</span>
      </div>
    );
  }
  if (i.phase === 'done') {
    return (
      <div className="install-status done" role="status" data-testid="install-status">
        <span>
          Installed <strong>{i.result.name}</strong>
          {i.result.verified ? ' (verified)' : ' (unverified)'}.{' '}
          {i.result.pending > 0 ? `${plural(i.result.pending, 'passage')} are waiting for their embeddings: embed them below.` : 'Every passage is embedded.'}
        </span>
        <button className="link-button small" onClick={model.dismissInstall}>
          OK
        </button>
      </div>
    );
  }
  const unverified = i.error.reason === 'unverified-model';
  return (
    <ErrorNote
      message={i.error.message}
      hint={unverified ? 'If this is your own export of a model, you may install it anyway; it is then marked unverified.' : i.error.hint}
      action={
        <span className="error-actions">
          {unverified && (
            <button className="button small" onClick={model.installUnverified}>
              Install anyway (unverified)
            </button>
          )}
          <button className="button small ghost" onClick={model.dismissInstall}>
            Dismiss
          </button>
        </span>
      }
    />
  );
}

function ConfirmDownload({ name, size, onCancel, onConfirm }: { name: string; size: number; onCancel(): void; onConfirm(): void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Modal title={`Download ${name}?`} onClose={onCancel} initialFocus={cancel} describedBy="download-help">
      <p id="download-help">
        Hindsight will download {name} ({bytes(size)}) from huggingface.co, check it against its published sha256, and install it in your model folder. This is the only time Hindsight connects to the network; your data is never sent.
      </p>
      <div className="modal-foot">
        <button ref={cancel} className="button ghost" onClick={onCancel}>
          Cancel
        </button>
        <button className="button primary" onClick={onConfirm}>
          Download
        </button>
      </div>
    </Modal>
  );
}

function IndexSection() {
  const { stats, model } = useApp();
  const r = model.reindex;
  const ready = stats?.model.state === 'ready';
  const pending = stats?.index.pending ?? 0;
  const p = r.progress;
  return (
    <section className="card settings-card" aria-labelledby="index-title" data-testid="index-section">
      <h2 id="index-title">Passage embeddings</h2>
      {stats && (
        <p>
          {ready ? (
            <>
              <strong>{count(stats.index.embedded)}</strong> of {plural(stats.chunks, 'passage')} embedded
              {pending ? (
                <>
                  {' · '}
                  <strong>{count(pending)}</strong> waiting
                </>
              ) : (
                ' · up to date'
              )}
              {stats.index.health === 'repaired' || stats.index.health === 'rebuilt' ? ` · the vector index was ${stats.index.health} when the database opened` : ''}
            </>
          ) : (
            <>
              {plural(stats.chunks, 'passage')}, none embedded: install a model above to embed them.
            </>
          )}
        </p>
      )}
      {r.running && (
        <div className="install-status" data-testid="reindex-status">
          <ProgressBar label="Embedding passages" fraction={p && p.total ? p.done / p.total : null} />
          <span className="muted small">
            {!p || p.phase === 'waiting' ? 'Waiting for the running import to finish…' : `Embedding ${count(p.done)} of ${count(p.total)} passages${p.rate ? ` · ${Math.round(p.rate)}/s` : ''} ${eta(p.etaSeconds)}`}
          </span>
        </div>
      )}
      {!r.running && r.last && (
        <p className="muted small" role="status">
          {r.last.status === 'done' ? `Embedded ${plural(r.last.embedded, 'passage')} in ${(r.last.durationMs / 1000).toFixed(1)} s.` : r.last.status === 'cancelled' ? 'Reindexing was cancelled; what was embedded is kept.' : `Reindexing failed: ${r.last.failure?.message ?? ''}`}
        </p>
      )}
      <div className="settings-actions">
        {r.running ? (
          <button className="button" onClick={model.cancelReindex}>
            Cancel reindexing
          </button>
        ) : (
          <button className="button primary" onClick={model.startReindex} disabled={!ready || !pending} title={!ready ? 'Install a model first' : !pending ? 'Nothing is waiting' : undefined}>
            {pending ? `Embed ${plural(pending, 'waiting passage')}` : 'Reindex'}
          </button>
        )}
      </div>
    </section>
  );
}

function DatabaseSection() {
  const { stats, info, transport, switchDatabase } = useApp();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const open = async (p: string) => {
    if (!p.trim()) return;
    setBusy(true);
    if (await switchDatabase(p.trim())) setPath('');
    setBusy(false);
  };
  return (
    <section className="card settings-card" aria-labelledby="db-title" data-testid="database-section">
      <h2 id="db-title">Database</h2>
      {stats && (
        <p>
          <code className="path" data-testid="database-path">{stats.databasePath}</code>
          <br />
          <span className="muted small">
            {plural(stats.documents, 'document')} · {bytes(stats.databaseBytes)}
            {stats.readOnly ? ' · read-only: it can be searched, not changed' : ''}
            {info?.demo ? ' · demo data, removed when Hindsight stops' : ''}
          </span>
        </p>
      )}
      <form
        className="db-form"
        onSubmit={(e) => {
          e.preventDefault();
          void open(path);
        }}
      >
        <label htmlFor="db-path">Open another database, or create a new one</label>
        <div className="db-row">
          <input id="db-path" className="text-input" value={path} onChange={(e) => setPath(e.target.value)} placeholder={transport.kind === 'browser' ? 'A path on the machine running Hindsight, e.g. /home/me/team.db' : '/path/to/team.db'} spellCheck={false} autoComplete="off" />
          <button className="button" type="submit" disabled={busy || !path.trim()}>
            Open
          </button>
          {transport.kind === 'desktop' && (
            <>
              <button className="button ghost" type="button" onClick={() => fileInput.current?.click()} disabled={busy}>
                Choose a file…
              </button>
              <input
                ref={fileInput}
                type="file"
                hidden
                accept=".db,.sqlite,.sqlite3"
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  e.target.value = '';
                  if (f) void open(window.hindsight!.pathForFile(f));
                }}
              />
            </>
          )}
        </div>
        <p className="muted small">A new database is a path ending in .db that does not exist yet. Only Hindsight databases are opened; any other file is left untouched.</p>
      </form>
    </section>
  );
}
