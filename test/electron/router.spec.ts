import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS, channelOf, type ApiMethod, type Envelope } from '../../native/contract.js';
import { EngineService } from '../../native/service/engine-service.js';
import { EventGate, isAppUrl, registerRouter, trustedSender, type InvokeEvent } from '../../electron/router.js';
import { NO_MODEL } from '../support/generated-models.js';
import { tempDir } from '../support/temp.js';

/** A stand-in for ipcMain: records handlers so the test can invoke them as Electron would. */
function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEvent, input: unknown) => Promise<unknown>>();
  return {
    handlers,
    handle: (channel: string, fn: (event: InvokeEvent, input: unknown) => Promise<unknown>) => void handlers.set(channel, fn),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
}

const OUR_WINDOW = 7;
// The rule main.ts uses, with a stand-in for our BrowserWindow.
const trusted = trustedSender(() => ({ webContents: { id: OUR_WINDOW } }));
const fromUs: InvokeEvent = { sender: { id: OUR_WINDOW }, senderFrame: { url: 'app://hindsight/index.html' } };
const dir = tempDir();

describe('IPC router', () => {
  it('registers exactly one channel per contract method, derived from the contract', () => {
    const ipc = fakeIpcMain();
    const off = registerRouter({ ipcMain: ipc, isTrusted: trusted, forward: vi.fn() });
    expect([...ipc.handlers.keys()].sort()).toEqual(API_METHODS.map(channelOf).sort());
    off();
    expect(ipc.handlers.size).toBe(0);
  });

  it('forwards a call from our window to the engine as it came', async () => {
    const ipc = fakeIpcMain();
    const forward = vi.fn(async (): Promise<Envelope<unknown>> => ({ ok: true, value: 'ok' }));
    registerRouter({ ipcMain: ipc, isTrusted: trusted, forward });
    const r = await ipc.handlers.get(channelOf('search'))!(fromUs, { query: 'kafka' });
    expect(r).toEqual({ ok: true, value: 'ok' });
    expect(forward).toHaveBeenCalledWith('search', { query: 'kafka' });
  });

  it('trusts nothing when our window is gone', () => {
    expect(trustedSender(() => null)(fromUs)).toBe(false);
  });

  it.each([
    ['another window', { sender: { id: 99 }, senderFrame: { url: 'app://hindsight/index.html' } }],
    ['a remote page in our window', { sender: { id: OUR_WINDOW }, senderFrame: { url: 'https://evil.example/' } }],
    ['a file:// page', { sender: { id: OUR_WINDOW }, senderFrame: { url: 'file:///tmp/x.html' } }],
    ['a lookalike origin', { sender: { id: OUR_WINDOW }, senderFrame: { url: 'app://hindsight.evil/' } }],
    ['a destroyed frame', { sender: { id: OUR_WINDOW }, senderFrame: null }],
  ])('refuses calls from %s without forwarding them', async (_name, event) => {
    const ipc = fakeIpcMain();
    const forward = vi.fn();
    registerRouter({ ipcMain: ipc, isTrusted: trusted, forward });
    const r = (await ipc.handlers.get(channelOf('stats'))!(event as InvokeEvent, {})) as Envelope<unknown>;
    expect(r).toEqual({ ok: false, error: { code: 'forbidden', message: 'Refused: the call did not come from the Hindsight window.' } });
    expect(forward).not.toHaveBeenCalled();
  });

  it('through the engine door: malformed input gets one readable sentence, and reaches no database', async () => {
    const dbPath = join(dir, 'router.db');
    const service = await EngineService.open({ dbPath, shell: 'desktop', version: 't', models: NO_MODEL }, () => {});
    const ipc = fakeIpcMain();
    registerRouter({ ipcMain: ipc, isTrusted: trusted, forward: (m, i) => service.call(m, i) });
    const cases: Array<[ApiMethod, unknown, RegExp]> = [
      ['search', { query: 42 }, /^query must be text \(got 42\)\.$/],
      ['search', { query: 'x', limit: 10_000 }, /^limit must be between 1 and 200 \(got 10000\)\.$/],
      ['show', { id: -1 }, /^id must be at least 1/],
      ['similar', { text: 'a', id: 3 }, /^Give exactly one of text, file or id\.$/],
      ['startImport', { paths: [] }, /^paths must not be empty\.$/],
      ['stats', { extra: true }, /^extra is not an option here\.$/],
      ['search', { query: 'x', since: 'yesterday' }, /^since must be a date such as 2024-03-31/],
    ];
    for (const [method, input, message] of cases) {
      const r = (await ipc.handlers.get(channelOf(method))!(fromUs, input)) as Envelope<unknown>;
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(message) } });
    }
    // Nothing was valid, so nothing opened (let alone created) the database.
    expect(existsSync(dbPath)).toBe(false);
    await service.close();
  });
});

describe('events before the page listens', () => {
  it('are held until the page says it listens, then delivered in order; a reload holds again', () => {
    const delivered: Array<[string, unknown]> = [];
    const gate = new EventGate((c, p) => delivered.push([c, p]));
    gate.send('hindsight:importProgress', 1);
    gate.send('hindsight:importDone', 2);
    expect(delivered).toEqual([]);
    gate.ready();
    expect(delivered).toEqual([['hindsight:importProgress', 1], ['hindsight:importDone', 2]]);
    gate.send('hindsight:importProgress', 3);
    expect(delivered).toHaveLength(3);
    gate.reset();
    gate.send('hindsight:importProgress', 4);
    expect(delivered).toHaveLength(3);
    gate.ready();
    expect(delivered[3]).toEqual(['hindsight:importProgress', 4]);
  });

  it('keeps at most its limit, dropping the oldest', () => {
    const delivered: unknown[] = [];
    const gate = new EventGate((_c, p) => delivered.push(p), 3);
    for (let i = 0; i < 5; i++) gate.send('e', i);
    gate.ready();
    expect(delivered).toEqual([2, 3, 4]);
  });
});

describe('app URLs', () => {
  it.each([
    ['app://hindsight/index.html', true],
    ['app://hindsight.evil/', false],
    ['https://hindsight/', false],
    [null, false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => expect(isAppUrl(url)).toBe(ok));
});
