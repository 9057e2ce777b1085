import { useApp } from '../context';

/** Documents indexed, the model (and how to install one when absent), index health. */
export function StatusBar() {
  const { stats, info } = useApp();
  if (!stats) return <footer className="statusbar">Connecting to the engine…</footer>;
  const m = stats.model;
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span><strong>{stats.documents.toLocaleString()}</strong> documents · {stats.chunks.toLocaleString()} passages</span>
      <span className={`model model-${m.state}`} title={m.state === 'absent' ? m.howToInstall : m.state === 'error' ? m.message : m.path}>
        {m.state === 'ready' && <>Semantic search on · {m.name}{m.verified ? '' : ' (unverified)'}</>}
        {m.state === 'absent' && <>Keyword search only — no embedding model. Install one: <code>hindsight model fetch</code></>}
        {m.state === 'error' && <>Model unusable — {m.message}</>}
      </span>
      {m.state === 'ready' && <span>Index {stats.index.health} · {stats.index.pending ? `${stats.index.pending} passages waiting` : 'up to date'}</span>}
      <span className="spacer" />
      {info?.demo && <span className="demo-badge">Demo data</span>}
      <span className="muted">Offline · nothing leaves this machine</span>
    </footer>
  );
}
