import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../native/contract.js';

/** What the menu needs of the shell: kept apart from Electron so that the menu is tested with stand-ins. */
export interface MenuActions {
  /** Sends a command to the page (which runs it with its own progress and errors). */
  send(command: MenuCommand, paths?: string[]): void;
  /** Files and folders to import, chosen in the system dialog (empty when cancelled). */
  chooseImport(): Promise<string[]>;
  /** A model folder, chosen in the system dialog. */
  chooseModelFolder(): Promise<string | null>;
  /** An existing database file, chosen in the system dialog. */
  chooseDatabase(): Promise<string | null>;
  /** Where a new database goes, chosen in the system save dialog. */
  chooseNewDatabase(): Promise<string | null>;
  /** Starts an import of chosen paths. */
  startImport(paths: string[]): void;
  about(): void;
}

/**
 * The application menu: the same actions as the page's command palette and the browser mode —
 * import, the history, search screens, the model (install from a folder, download on request),
 * reindexing, and the database — each with its shortcut.
 */
export function menuTemplate(a: MenuActions, platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const send = (c: MenuCommand) => () => a.send(c);
  const settings: MenuItemConstructorOptions = { label: mac ? 'Settings…' : 'Settings', accelerator: 'CmdOrCtrl+,', click: send('view-settings') };
  return [
    ...(mac
      ? [
          {
            label: 'Hindsight',
            submenu: [{ role: 'about' as const }, { type: 'separator' as const }, settings, { type: 'separator' as const }, { role: 'services' as const }, { type: 'separator' as const }, { role: 'hide' as const }, { role: 'hideOthers' as const }, { role: 'unhide' as const }, { type: 'separator' as const }, { role: 'quit' as const }],
          },
        ]
      : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Import Files or Folders…',
          accelerator: 'CmdOrCtrl+O',
          click: async () => {
            const paths = await a.chooseImport();
            if (paths.length) a.startImport(paths);
          },
        },
        { label: 'Import History', accelerator: 'CmdOrCtrl+4', click: send('view-imports') },
        { type: 'separator' },
        {
          label: 'Open Database…',
          click: async () => {
            const p = await a.chooseDatabase();
            if (p) a.send('use-database', [p]);
          },
        },
        {
          label: 'New Database…',
          click: async () => {
            const p = await a.chooseNewDatabase();
            if (p) a.send('use-database', [p]);
          },
        },
        ...(mac ? [] : [{ type: 'separator' as const }, settings]),
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Command Palette…', accelerator: 'CmdOrCtrl+K', click: send('command-palette') },
        { type: 'separator' },
        { label: 'Search', accelerator: 'CmdOrCtrl+1', click: send('focus-search') },
        { label: 'Similar Incidents', accelerator: 'CmdOrCtrl+2', click: send('view-similar') },
        { label: 'Patterns', accelerator: 'CmdOrCtrl+3', click: send('view-patterns') },
        { label: 'Imports', click: send('view-imports') },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Model',
      submenu: [
        {
          label: 'Install Model from Folder…',
          click: async () => {
            const p = await a.chooseModelFolder();
            if (p) a.send('install-model-folder', [p]);
          },
        },
        // Never a download by itself: this opens Settings, where the download is one explicit click with its size and source.
        { label: 'Download Model…', click: send('download-model') },
        { type: 'separator' },
        { label: 'Embed Waiting Passages', click: send('reindex') },
        { label: 'Cancel Reindexing', click: send('cancel-reindex') },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'About Hindsight', click: () => a.about() }],
    },
  ];
}
