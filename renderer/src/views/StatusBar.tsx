import { ProgressBar, RouteLink } from '../components/common';
import { useApp } from '../context';
import { count, plural } from '../lib/format';
import { ImportTray } from './ImportCards';

/** Documents indexed, the model (with the way to turn it on), passages waiting and reindexing, finished imports. */
export function StatusBar() {
  const { stats, info, model, imports } = useApp();
  if (!stats) return <footer className="statusbar" aria-label="Status">Connecting to the engine…</footer>;
  const m = stats.model;
  const r = model.reindex;
  const pending = stats.index.pending;
  return (
    <footer className="statusbar" data-testid="statusbar" aria-label="Status">
      <span>
        <strong>{count(stats.documents)}</strong> documents · {count(stats.chunks)} passages
      </span>
      <span className={`model model-${m.state}`} title={m.state === 'absent' ? m.howToInstall : m.state === 'error' ? m.message : m.path}>
        {m.state === 'ready' && <>Semantic search on · {m.name}{m.verified ? '' : ' (unverified)'}</>}
        {m.state === 'absent' && (
          <>
            Keywords only · <RouteLink to={{ view: 'settings' }}>turn on semantic search</RouteLink>
          </>
        )}
        {m.state === 'error' && (
          <>
            Model unusable · <RouteLink to={{ view: 'settings' }}>see why</RouteLink>
          </>
        )}
      </span>
      {r.running && (
        <span className="status-progress">
          <ProgressBar label="Embedding passages" fraction={r.progress && r.progress.total ? r.progress.done / r.progress.total : null} />
          {r.progress?.phase === 'embedding' ? `Embedding ${count(r.progress.done)}/${count(r.progress.total)}` : 'Embedding…'}
          <button className="link-button" onClick={model.cancelReindex}>
            cancel
          </button>
        </span>
      )}
      {!r.running && m.state === 'ready' && pending > 0 && (
        <span>
          {plural(pending, 'passage')} waiting ·{' '}
          <button className="link-button" onClick={model.startReindex} disabled={stats.readOnly}>
            embed now
          </button>
        </span>
      )}
      <ImportTray state={imports} />
      <span className="spacer" />
      {info?.demo && <span className="demo-badge">Demo data</span>}
      <span className="muted offline">Offline · nothing leaves this machine</span>
    </footer>
  );
}
