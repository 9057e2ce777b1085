/**
 * The desktop shell: one window, the app menu, the engine in a utilityProcess, and the security
 * policy. All engine logic lives in native/; this file only wires Electron to it.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, screen, session, shell, utilityProcess } from 'electron';
import { existsSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { channelOf, type ApiEvent, type MenuCommand } from '../native/contract.js';
import { EngineHost, type ChildLike } from './engine-host.js';
import { menuTemplate } from './menu.js';
import { APP_ORIGIN, EventGate, READY_CHANNEL, registerRouter, trustedSender } from './router.js';
import { applyNavigationPolicy, applySessionPolicy, secureWebPreferences } from './security.js';
import { loadSettings, rememberingDatabase, saveSettings } from './settings.js';
import { loadBounds, saveBounds } from './window-state.js';

app.setName('Hindsight');
app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const root = app.getAppPath();
const rendererDir = join(root, 'dist', 'renderer');
let win: BrowserWindow | null = null;
let engine: EngineHost | null = null;
// Events wait for the page to listen (it tells us through the preload), then flow.
const gate = new EventGate((channel, payload) => win?.webContents.send(channel, payload));
const isTrusted = trustedSender(() => win);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.whenReady().then(start, (err: Error) => {
    dialog.showErrorBox('Hindsight could not start', err.message);
    app.quit();
  });
}

function send(event: ApiEvent, payload: unknown) {
  gate.send(channelOf(event), payload);
}

function start() {
  // Our page is served from app://hindsight/ — files of the built renderer only.
  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^[\\/]+/, '') || 'index.html';
    const file = resolve(rendererDir, rel);
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN || !file.startsWith(resolve(rendererDir) + sep) || !existsSync(file)) {
      return new Response('Not found', { status: 404 });
    }
    return net.fetch(pathToFileURL(file).toString());
  });
  applySessionPolicy(session.defaultSession);
  app.on('web-contents-created', (_e, contents) => applyNavigationPolicy(contents, (url) => void shell.openExternal(url)));

  const userData = app.getPath('userData');
  const settingsFile = join(userData, 'settings.json');
  // The database the user chose last time (File → Open Database…), else the default one.
  let databasePath = loadSettings(settingsFile).databasePath ?? join(userData, 'hindsight.db');
  const bundledModels = app.isPackaged ? join(process.resourcesPath, 'models') : join(root, 'models');
  // In development the Electron build of better-sqlite3 sits beside the Node one (npm start builds it).
  const devBinding = join(root, '.electron-native', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  engine = new EngineHost({
    fork: () =>
      utilityProcess.fork(join(root, 'dist', 'native', 'service', 'engine-process.js'), [databasePath, app.getVersion(), existsSync(bundledModels) ? bundledModels : ''], {
        serviceName: 'Hindsight engine',
        env: { ...process.env, ...(!app.isPackaged && existsSync(devBinding) ? { HINDSIGHT_SQLITE_BINDING: devBinding } : {}) },
      }) as unknown as ChildLike,
    onEvent: send,
    onState: (state) => send('engineState', state),
  });
  engine.start();
  const forward = rememberingDatabase(
    (method, input) => engine!.call(method, input),
    (path) => {
      databasePath = path;
      saveSettings(settingsFile, { databasePath: path });
    },
  );
  registerRouter({ ipcMain, isTrusted, forward });
  ipcMain.on(READY_CHANNEL, (event) => {
    if (isTrusted({ sender: event.sender, senderFrame: event.senderFrame })) gate.ready();
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(menuActions())));
  createWindow(userData);
  app.on('activate', () => {
    if (!BrowserWindow.getAllWindows().length) createWindow(userData);
  });
}

function createWindow(userData: string) {
  const stateFile = join(userData, 'window-state.json');
  const bounds = loadBounds(stateFile, screen.getAllDisplays().map((d) => d.workArea));
  win = new BrowserWindow({
    ...bounds,
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'Hindsight',
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(join(__dirname, 'preload.js')),
  });
  if (bounds.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  // A reload starts a new page: hold events until it listens again.
  win.webContents.on('did-start-navigation', (_e, _url, _inPlace, isMainFrame) => {
    if (isMainFrame) gate.reset();
  });
  win.on('close', () => {
    if (win) saveBounds(stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() });
  });
  win.on('closed', () => (win = null));
  void win.loadURL(`${APP_ORIGIN}/index.html`);
}

/** The menu's actions: system dialogs here, the work in the page (which shows progress and errors) or the engine. */
function menuActions() {
  const send = (command: MenuCommand, paths?: string[]) => gate.send(channelOf('menuCommand'), { command, ...(paths ? { paths } : {}) });
  const pick = async (options: Electron.OpenDialogOptions): Promise<string[]> => {
    if (!win) return [];
    const r = await dialog.showOpenDialog(win, options);
    return r.canceled ? [] : r.filePaths;
  };
  return {
    send,
    chooseImport: () => pick({ title: 'Import into Hindsight', properties: ['openFile', 'openDirectory', 'multiSelections'] }),
    chooseModelFolder: async () => (await pick({ title: 'Choose the model folder (it holds config.json, tokenizer.json and onnx/)', properties: ['openDirectory'] }))[0] ?? null,
    chooseDatabase: async () => (await pick({ title: 'Open a Hindsight database', properties: ['openFile'], filters: [{ name: 'Hindsight database', extensions: ['db'] }, { name: 'All files', extensions: ['*'] }] }))[0] ?? null,
    chooseNewDatabase: async () => {
      if (!win) return null;
      const r = await dialog.showSaveDialog(win, { title: 'New Hindsight database', defaultPath: 'hindsight.db', filters: [{ name: 'Hindsight database', extensions: ['db'] }] });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    startImport: (paths: string[]) => void engine?.call('startImport', { paths }),
    about: () => void dialog.showMessageBox({ message: `Hindsight ${app.getVersion()}`, detail: 'Offline incident knowledge. Nothing leaves this machine.' }),
  };
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
// Quitting waits (a few seconds at most) for the engine to cancel imports and close the database cleanly.
let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !engine) return;
  quitting = true;
  event.preventDefault();
  void engine.stop().finally(() => app.quit());
});
