import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { AppInfo, Stats } from '../../native/contract';
import { ImportIcon, Logo, PatternsIcon, SearchIcon, SimilarIcon } from './components/icons';
import { AppContext, type AppContextValue } from './context';
import { isModKey, MOD } from './lib/keys';
import { parseRoute, routeHash, type Route } from './lib/route';
import type { Transport } from './transport';
import { DocumentView } from './views/DocumentView';
import { ImportCenter, useImports } from './views/ImportCenter';
import { PatternsView } from './views/PatternsView';
import { SearchView } from './views/SearchView';
import { SimilarView } from './views/SimilarView';
import { StatusBar } from './views/StatusBar';


export function App({ transport }: { transport: Transport }) {
  const { api } = transport;
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [toasts, setToasts] = useState<Array<{ id: number; message: string; tone: 'info' | 'error' }>>([]);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const toast = useCallback((message: string, tone: 'info' | 'error' = 'info') => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t, { id, message, tone }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), tone === 'error' ? 9000 : 4500);
  }, []);

  const refreshStats = useCallback(() => {
    api.stats({}).then(setStats, (e: Error) => toast(e.message, 'error'));
  }, [api, toast]);

  useEffect(() => {
    api.appInfo({}).then(setInfo, (e: Error) => toast(`Cannot reach the engine: ${e.message}`, 'error'));
    refreshStats();
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [api, refreshStats, toast]);

  const navigate = useCallback((r: Route) => {
    const h = routeHash(r);
    if (location.hash !== h) location.hash = h;
    setRoute(r);
  }, []);

  const imports = useImports(transport, refreshStats, toast);

  const openLink = useCallback((href: string) => {
    // Links leave the app through the shell: a new browser tab in browser mode; the desktop
    // shell refuses in-app navigation and opens them in the system browser.
    if (/^https?:\/\//i.test(href)) window.open(href, '_blank', 'noopener,noreferrer');
  }, []);

  const openSource = useCallback(
    (documentId: number) => {
      api.sourceOf({ id: documentId }).then(
        (s) => {
          if (!s) return;
          if (s.kind === 'url') openLink(s.location);
          else {
            void navigator.clipboard?.writeText(s.location).catch(() => {});
            toast(`The original is ${s.location} (path copied).`);
          }
        },
        (e: Error) => toast(e.message, 'error'),
      );
    },
    [api, openLink, toast],
  );

  const ctx: AppContextValue = useMemo(
    () => ({ transport, info, stats, refreshStats, navigate, openSource, openLink, importFiles: imports.importFiles, toast }),
    [transport, info, stats, refreshStats, navigate, openSource, openLink, imports.importFiles, toast],
  );

  // The desktop shell's menu and engine notices.
  useEffect(() => {
    const offMenu = api.on('menuCommand', ({ command }) => {
      if (command === 'focus-search') {
        navigate({ view: 'search' });
        setTimeout(() => document.getElementById('search-input')?.focus(), 0);
      } else if (command === 'view-search') navigate({ view: 'search' });
      else if (command === 'view-similar') navigate({ view: 'similar' });
      else if (command === 'view-patterns') navigate({ view: 'patterns' });
      else if (command === 'import-files') fileInput.current?.click();
    });
    const offRestart = api.on('engineState', ({ state, reason }) => {
      if (state === 'restarting') toast(`The engine is restarting (${reason}). Your data is safe; repeat what you were doing.`, 'error');
      else if (state === 'stopped') toast(reason ?? 'The engine stopped. Restart Hindsight.', 'error');
      else refreshStats();
    });
    return () => {
      offMenu();
      offRestart();
    };
  }, [api, navigate, refreshStats, toast]);

  // Shortcuts that work from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isModKey(e)) return;
      const k = e.key.toLowerCase();
      if (k === 'k') {
        e.preventDefault();
        navigate({ view: 'search' });
        setTimeout(() => document.getElementById('search-input')?.focus(), 0);
      } else if (k === '1') {
        e.preventDefault();
        navigate({ view: 'search' });
      } else if (k === '2') {
        e.preventDefault();
        navigate({ view: 'similar' });
      } else if (k === '3') {
        e.preventDefault();
        navigate({ view: 'patterns' });
      } else if (k === 'o') {
        e.preventDefault();
        fileInput.current?.click();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);

  // Files dropped anywhere on the window are imported (the Similar view handles its own drops).
  const onDragEnter = (e: React.DragEvent) => {
    if (!e.dataTransfer.types.includes('Files')) return;
    dragDepth.current++;
    setDragging(true);
  };
  const onDragLeave = () => {
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (!dragDepth.current) setDragging(false);
  };
  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    if ((e.target as HTMLElement).closest('[data-own-drop]')) return;
    const files = [...e.dataTransfer.files];
    if (files.length) imports.importFiles(files);
  };

  const nav: Array<{ view: Route['view']; label: string; icon: ReactElement; key: string }> = [
    { view: 'search', label: 'Search', icon: <SearchIcon />, key: '1' },
    { view: 'similar', label: 'Similar incidents', icon: <SimilarIcon />, key: '2' },
    { view: 'patterns', label: 'Patterns', icon: <PatternsIcon />, key: '3' },
  ];

  return (
    <AppContext.Provider value={ctx}>
      <div className="app" onDragEnter={onDragEnter} onDragLeave={onDragLeave} onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        <aside className="sidebar">
          <div className="brand">
            <Logo />
            <span>Hindsight</span>
          </div>
          <nav aria-label="Main">
            {nav.map((n) => (
              <button
                key={n.view}
                className={`nav-item ${route.view === n.view || (n.view === 'search' && route.view === 'document') ? 'active' : ''}`}
                onClick={() => navigate({ view: n.view } as Route)}
                title={`${n.label} (${MOD}+${n.key})`}
              >
                {n.icon}
                <span>{n.label}</span>
                <kbd>{MOD}{n.key}</kbd>
              </button>
            ))}
          </nav>
          <div className="sidebar-spacer" />
          <div className="import-actions">
            <button className="button primary wide" onClick={() => fileInput.current?.click()} title={`Import files (${MOD}+O)`}>
              <ImportIcon /> Import files…
            </button>
            <button className="button ghost wide" onClick={() => folderInput.current?.click()}>
              Import a folder…
            </button>
            <p className="hint">or drop files, folders and export ZIPs anywhere</p>
          </div>
          <input ref={fileInput} type="file" multiple hidden data-testid="file-input" onChange={(e) => { imports.importFiles([...(e.target.files ?? [])]); e.target.value = ''; }} />
          <input
            ref={(el) => {
              folderInput.current = el;
              el?.setAttribute('webkitdirectory', '');
            }}
            type="file"
            hidden
            onChange={(e) => { imports.importFiles([...(e.target.files ?? [])]); e.target.value = ''; }}
          />
        </aside>
        <main className="content">
          {route.view === 'search' && <SearchView initialQuery={route.q} />}
          {route.view === 'similar' && <SimilarView />}
          {route.view === 'patterns' && <PatternsView />}
          {route.view === 'document' && <DocumentView id={route.id} />}
        </main>
        <StatusBar />
        <ImportCenter state={imports} />
        {dragging && (
          <div className="drop-overlay" aria-hidden="true">
            <div className="drop-card">
              <ImportIcon />
              <strong>Drop to import</strong>
              <span>Postmortems, Slack exports, ticket exports</span>
            </div>
          </div>
        )}
        <div className="toasts" role="status" aria-live="polite">
          {toasts.map((t) => (
            <div key={t.id} className={`toast toast-${t.tone}`}>
              {t.message}
            </div>
          ))}
        </div>
      </div>
    </AppContext.Provider>
  );
}
