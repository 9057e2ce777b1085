import type { MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Envelope, MenuCommand } from '../../native/contract.js';
import { menuTemplate, type MenuActions } from '../../electron/menu.js';
import { loadSettings, rememberingDatabase, saveSettings } from '../../electron/settings.js';
import { tempDir } from '../support/temp.js';

/** Every item of a template, depth first. */
function items(t: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return t.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? items(i.submenu) : [])]);
}

function actions(over: Partial<MenuActions> = {}) {
  const sent: Array<[MenuCommand, string[] | undefined]> = [];
  const a: MenuActions = {
    send: (c, p) => void sent.push([c, p]),
    chooseImport: async () => ['/data/export.zip'],
    chooseModelFolder: async () => '/downloads/gte-small',
    chooseDatabase: async () => '/team/shared.db',
    chooseNewDatabase: async () => '/team/new.db',
    startImport: vi.fn(),
    about: vi.fn(),
    ...over,
  };
  return { a, sent };
}

const click = async (t: MenuItemConstructorOptions[], label: string) => {
  const item = items(t).find((i) => i.label === label);
  if (!item?.click) throw new Error(`no menu item ${label}`);
  await (item.click as unknown as () => Promise<void>)();
};

describe('the desktop menu offers the actions of the page', () => {
  it.each(['linux', 'darwin', 'win32'] as const)('on %s: every action, each accelerator once', (platform) => {
    const t = menuTemplate(actions().a, platform);
    const labels = items(t).map((i) => i.label).filter(Boolean);
    expect(labels).toEqual(
      expect.arrayContaining(['Import Files or Folders…', 'Import History', 'Open Database…', 'New Database…', 'Command Palette…', 'Search', 'Similar Incidents', 'Patterns', 'Install Model from Folder…', 'Download Model…', 'Embed Waiting Passages', 'Cancel Reindexing']),
    );
    expect(labels.some((l) => /^Settings/.test(l!))).toBe(true);
    const accelerators = items(t).map((i) => i.accelerator).filter(Boolean);
    expect(new Set(accelerators).size).toBe(accelerators.length);
    expect(items(t).find((i) => i.label === 'Command Palette…')!.accelerator).toBe('CmdOrCtrl+K');
  });

  it('hands the chosen folder, database or files on, and does nothing when a dialog is cancelled', async () => {
    const { a, sent } = actions();
    const t = menuTemplate(a, 'linux');
    await click(t, 'Install Model from Folder…');
    await click(t, 'Open Database…');
    await click(t, 'New Database…');
    await click(t, 'Import Files or Folders…');
    expect(sent).toEqual([
      ['install-model-folder', ['/downloads/gte-small']],
      ['use-database', ['/team/shared.db']],
      ['use-database', ['/team/new.db']],
    ]);
    expect(a.startImport).toHaveBeenCalledWith(['/data/export.zip']);

    const cancelled = actions({ chooseModelFolder: async () => null, chooseDatabase: async () => null, chooseImport: async () => [] });
    const t2 = menuTemplate(cancelled.a, 'linux');
    await click(t2, 'Install Model from Folder…');
    await click(t2, 'Open Database…');
    await click(t2, 'Import Files or Folders…');
    expect(cancelled.sent).toEqual([]);
    expect(cancelled.a.startImport).not.toHaveBeenCalled();
  });

  it('never downloads from the menu: "Download Model…" only opens the page where the download is asked for', async () => {
    const { a, sent } = actions();
    const t = menuTemplate(a, 'linux');
    await click(t, 'Download Model…');
    await click(t, 'Embed Waiting Passages');
    await click(t, 'Cancel Reindexing');
    expect(sent.map(([c]) => c)).toEqual(['download-model', 'reindex', 'cancel-reindex']);
  });
});

describe('the database the user chose is remembered', () => {
  const dir = tempDir();

  it('only when the engine switched to it', async () => {
    const remember = vi.fn();
    const answers: Record<string, Envelope<unknown>> = {
      useDatabase: { ok: true, value: { databasePath: '/team/shared.db', documents: 3, created: false } },
      stats: { ok: true, value: {} },
    };
    const forward = rememberingDatabase(async (m) => answers[m] ?? { ok: false, error: { code: 'db-unavailable', message: 'no' } }, remember);
    await forward('stats', {});
    expect(remember).not.toHaveBeenCalled();
    await forward('useDatabase', { path: '/team/shared.db' });
    expect(remember).toHaveBeenCalledWith('/team/shared.db');
    answers.useDatabase = { ok: false, error: { code: 'db-unavailable', message: 'not a Hindsight database' } };
    await forward('useDatabase', { path: '/etc/passwd' });
    expect(remember).toHaveBeenCalledTimes(1);
  });

  it('reads back what it saved, and ignores a damaged or relative setting', () => {
    const file = join(dir, 'settings.json');
    saveSettings(file, { databasePath: '/team/shared.db' });
    expect(loadSettings(file)).toEqual({ databasePath: '/team/shared.db' });
    saveSettings(file, { databasePath: 'relative.db' });
    expect(loadSettings(file)).toEqual({});
    expect(loadSettings(join(dir, 'missing.json'))).toEqual({});
  });
});
