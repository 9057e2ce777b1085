import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { AppInfo, MenuCommand, Stats } from '../../native/contract';
import { CommandPalette } from './components/CommandPalette';
import { CommandIcon, FolderIcon, HistoryIcon, ImportIcon, Logo, PatternsIcon, SearchIcon, SettingsIcon, SimilarIcon } from './components/icons';
import { AppContext, type AppContextValue } from './context';
import type { Command } from './lib/commands';
import { plural } from './lib/format';
import { isModKey, MOD } from './lib/keys';
import { lastSearch, parseRoute, routeHash, type Route, type View } from './lib/route';
import { useImports } from './state/use-imports';
import { useModel } from './state/use-model';
import type { Transport } from './transport';
import { DocumentView } from './views/DocumentView';
import { ImportCards } from './views/ImportCards';
import { ImportsView } from './views/ImportsView';
import { IncidentView } from './views/IncidentView';
import { PatternsView } from './views/PatternsView';
import { PlaybookView } from './views/PlaybookView';
import { SearchView } from './views/SearchView';
import { SettingsView } from './views/SettingsView';
import { SimilarView } from './views/SimilarView';
import { StatusBar } from './views/StatusBar';

const NAV: Array<{ view: View; label: string; icon: ReactElement; key: string }> = [
  { view: 'search', label: 'Search', icon: <SearchIcon />, key: '1' },
  { view: 'similar', label: 'Similar incidents', icon: <SimilarIcon />, key: '2' },
  { view: 'patterns', label: 'Patterns', icon: <PatternsIcon />, key: '3' },
  { view: 'imports', label: 'Imports', icon: <HistoryIcon />, key: '4' },
  { view: 'settings', label: 'Settings', icon: <SettingsIcon />, key: ',' },
];

export function App({ transport }: { transport: Transport }) {
  const { api } = transport;
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [toasts, setToasts] = useState<Array<{ id: number; message: string; tone: 'info' | 'error' }>>([]);
  const [dragging, setDragging] = useState(false);
  const [palette, setPalette] = useState(false);
  const dragDepth = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  /** Screens visited in this window: Back goes back to one of them, or to the search when there is none. */
  const visited = useRef(0);

  const toast = useCallback((message: string, tone: 'info' | 'error' = 'info') => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t.slice(-3), { id, message, tone }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), tone === 'error' ? 9000 : 4500);
  }, []);

  const refreshStats = useCallback(() => {
    api.stats({}).then(setStats, (e: Error) => toast(e.message, 'error'));
  }, [api, toast]);

  useEffect(() => {
    api.appInfo({}).then(setInfo, (e: Error) => toast(`Cannot reach the engine: ${e.message}`, 'error'));
    refreshStats();
    const onHash = () => {
      visited.current++;
      setRoute(parseRoute(location.hash));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [api, refreshStats, toast]);

  const navigate = useCallback((r: Route) => {
    const h = routeHash(r);
    if (location.hash !== h) location.hash = h;
    setRoute(r);
  }, []);

  const back = useCallback(() => {
    if (visited.current > 0) history.back();
    else navigate({ view: 'search' });
  }, [navigate]);

  const focusSearch = useCallback(() => {
    if (route.view !== 'search') navigate(lastSearch());
    setTimeout(() => document.getElementById('search-input')?.focus(), 0);
  }, [navigate, route.view]);

  const imports = useImports(transport, refreshStats, toast);
  const model = useModel(transport, refreshStats, toast);

  const openLink = useCallback((href: string) => {
    // Links leave the app through the shell: a new browser tab in browser mode; the desktop
    // shell refuses in-app navigation and opens them in the system browser.
    if (/^https?:\/\//i.test(href)) window.open(href, '_blank', 'noopener,noreferrer');
  }, []);

  const openSource = useCallback(
    (documentId: number) => {
      api.sourceOf({ id: documentId }).then(
        (s) => {
          if (!s) return toast('Where this document came from is not known.');
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

  const switchDatabase = useCallback(
    async (path: string) => {
      try {
        const r = await api.useDatabase({ path });
        toast(`${r.created ? 'Created' : 'Opened'} ${r.databasePath} (${plural(r.documents, 'document')}).`);
        refreshStats();
        model.refresh();
        api.appInfo({}).then(setInfo, () => {});
        return true;
      } catch (e) {
        toast((e as Error).message, 'error');
        return false;
      }
    },
    [api, model, refreshStats, toast],
  );

  const pickFiles = useCallback(() => fileInput.current?.click(), []);
  const pickFolder = useCallback(() => folderInput.current?.click(), []);

  const commands: Command[] = useMemo(() => {
    const go = (view: View, title: string, key: string, keywords?: string): Command => ({ id: `go-${view}`, title, group: 'Go to', shortcut: `${MOD}+${key}`, keywords, run: () => (view === 'search' ? focusSearch() : navigate({ view } as Route)) });
    const list: Command[] = [
      go('search', 'Search', '1', 'find documents'),
      go('similar', 'Similar incidents', '2', 'compare new incident paste'),
      go('patterns', 'Patterns', '3', 'themes recurring chart'),
      go('imports', 'Import history', '4', 'imports sources problems delete re-import'),
      go('settings', 'Settings', ',', 'preferences model database index'),
      { id: 'import-files', title: 'Import files…', group: 'Import', shortcut: `${MOD}+O`, keywords: 'add upload', run: pickFiles },
      { id: 'import-folder', title: 'Import a folder…', group: 'Import', keywords: 'add upload directory', run: pickFolder },
      { id: 'install-model', title: 'Install a model from a folder…', group: 'Semantic search', keywords: 'embedding gte', run: () => navigate({ view: 'settings' }) },
      { id: 'download-model', title: 'Download the embedding model…', group: 'Semantic search', keywords: 'fetch gte network', run: () => navigate({ view: 'settings' }) },
      model.reindex.running
        ? { id: 'cancel-reindex', title: 'Cancel reindexing', group: 'Semantic search', keywords: 'stop embeddings', run: model.cancelReindex }
        : { id: 'reindex', title: stats?.index.pending ? `Embed ${plural(stats.index.pending, 'waiting passage')}` : 'Reindex', group: 'Semantic search', keywords: 'embeddings passages waiting reindex', run: model.startReindex },
      { id: 'database', title: 'Open another database…', group: 'Database', keywords: 'switch create new file location', run: () => navigate({ view: 'settings' }) },
    ];
    if (info?.demo) list.push({ id: 'sample', title: 'Import the sample data', group: 'Import', keywords: 'demo', run: () => void api.importSample({}).catch((e: Error) => toast(e.message, 'error')) });
    return list;
  }, [api, focusSearch, info?.demo, model.cancelReindex, model.reindex.running, model.startReindex, navigate, pickFiles, pickFolder, stats?.index.pending, toast]);

  const searchDocuments = useCallback((q: string) => api.search({ query: q, limit: 5 }).then((r) => r.hits), [api]);

  const ctx: AppContextValue = useMemo(
    () => ({ transport, info, stats, refreshStats, navigate, back, openSource, openLink, importFiles: imports.importFiles, pickFiles, pickFolder, imports, model, switchDatabase, openPalette: () => setPalette(true), toast }),
    [transport, info, stats, refreshStats, navigate, back, openSource, openLink, imports, pickFiles, pickFolder, model, switchDatabase, toast],
  );

  // The desktop shell's menu and engine notices.
  const onMenu = useRef<(c: MenuCommand, paths?: string[]) => void>(() => {});
  onMenu.current = (command, paths) => {
    const handlers: Record<MenuCommand, () => void> = {
      'focus-search': focusSearch,
      'command-palette': () => setPalette(true),
      'import-files': pickFiles,
      'view-search': () => navigate({ view: 'search' }),
      'view-similar': () => navigate({ view: 'similar' }),
      'view-patterns': () => navigate({ view: 'patterns' }),
      'view-imports': () => navigate({ view: 'imports' }),
      'view-settings': () => navigate({ view: 'settings' }),
      'install-model-folder': () => {
        navigate({ view: 'settings' });
        if (paths?.[0]) model.installFolderPath(paths[0]);
      },
      'download-model': () => navigate({ view: 'settings' }),
      reindex: model.startReindex,
      'cancel-reindex': model.cancelReindex,
      'use-database': () => {
        if (paths?.[0]) void switchDatabase(paths[0]);
      },
    };
    handlers[command]?.();
  };
  useEffect(() => {
    const offMenu = api.on('menuCommand', ({ command, paths }) => onMenu.current(command, paths));
    const offRestart = api.on('engineState', ({ state, reason }) => {
      if (state === 'restarting') toast(`The engine is restarting (${reason}). Your data is safe; repeat what you were doing.`, 'error');
      else if (state === 'stopped') toast(reason ?? 'The engine stopped. Restart Hindsight.', 'error');
      else refreshStats();
    });
    return () => {
      offMenu();
      offRestart();
    };
  }, [api, refreshStats, toast]);

  // Shortcuts that work from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('[aria-modal="true"]')) return;
      const inField = !!(e.target as HTMLElement | null)?.closest?.('input, textarea, select, [contenteditable="true"]');
      if (e.key === '/' && !inField && !isModKey(e) && !e.altKey) {
        e.preventDefault();
        focusSearch();
        return;
      }
      if (!isModKey(e) || e.altKey) return;
      const k = e.key.toLowerCase();
      const views: Record<string, View> = { '1': 'search', '2': 'similar', '3': 'patterns', '4': 'imports', ',': 'settings' };
      if (k === 'k') {
        e.preventDefault();
        setPalette(true);
      } else if (views[k]) {
        e.preventDefault();
        if (views[k] === 'search') focusSearch();
        else navigate({ view: views[k] } as Route);
      } else if (k === 'o') {
        e.preventDefault();
        if (e.shiftKey) pickFolder();
        else pickFiles();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [focusSearch, navigate, pickFiles, pickFolder]);

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

  // Records belong to the search; an incident or a playbook is reached from several screens, and marks none.
  const activeView: View = route.view === 'document' ? 'search' : route.view;

  return (
    <AppContext.Provider value={ctx}>
      <div className="app" onDragEnter={onDragEnter} onDragLeave={onDragLeave} onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        <aside className="sidebar" aria-label="Hindsight">
          <div className="brand">
            <Logo />
            <span>Hindsight</span>
          </div>
          <nav aria-label="Main">
            {NAV.map((n) => (
              <a
                key={n.view}
                href={routeHash({ view: n.view } as Route)}
                className={`nav-item ${activeView === n.view ? 'active' : ''}`}
                aria-current={activeView === n.view ? 'page' : undefined}
                title={`${n.label} (${MOD}+${n.key})`}
                onClick={(e) => {
                  if (n.view !== 'search') return;
                  e.preventDefault();
                  focusSearch();
                }}
              >
                {n.icon}
                <span className="nav-label">{n.label}</span>
              </a>
            ))}
          </nav>
          <div className="sidebar-spacer" />
          <div className="import-actions">
            <button className="button ghost wide palette-button" onClick={() => setPalette(true)} title={`Every action (${MOD}+K)`} aria-label={`Command palette (${MOD}+K)`}>
              <CommandIcon /> <span className="nav-label">Actions</span>
              <kbd>{MOD}+K</kbd>
            </button>
            <button className="button primary wide" onClick={pickFiles} title={`Import files (${MOD}+O)`} aria-label="Import files…">
              <ImportIcon /> <span className="nav-label">Import files…</span>
            </button>
            <button className="button ghost wide" onClick={pickFolder} title={`Import a folder (${MOD}+Shift+O)`} aria-label="Import a folder…">
              <FolderIcon /> <span className="nav-label">Import a folder…</span>
            </button>
            <p className="hint">or drop files, folders and export ZIPs anywhere</p>
          </div>
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="file-input"
            onChange={(e) => {
              imports.importFiles([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
          <input
            ref={(el) => {
              folderInput.current = el;
              el?.setAttribute('webkitdirectory', '');
            }}
            type="file"
            hidden
            data-testid="folder-input"
            onChange={(e) => {
              imports.importFiles([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
        </aside>
        <main className="content" id="main">
          {route.view === 'search' && <SearchView key={routeHash(route)} initial={route} />}
          {route.view === 'similar' && <SimilarView />}
          {route.view === 'patterns' && <PatternsView theme={route.theme} month={route.month} />}
          {route.view === 'document' && <DocumentView id={route.id} section={route.section} />}
          {route.view === 'incident' && <IncidentView key={route.id} id={route.id} />}
          {route.view === 'playbook' && <PlaybookView subject={route.failureMode !== undefined ? { failureMode: route.failureMode } : { service: route.service }} />}
          {route.view === 'imports' && <ImportsView open={route.open} />}
          {route.view === 'settings' && <SettingsView />}
        </main>
        <StatusBar />
        <ImportCards state={imports} />
        {palette && (
          <CommandPalette
            commands={commands}
            onClose={() => setPalette(false)}
            onSearch={(q) => navigate({ view: 'search', q })}
            onOpenDocument={(id) => navigate({ view: 'document', id })}
            searchDocuments={searchDocuments}
          />
        )}
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
