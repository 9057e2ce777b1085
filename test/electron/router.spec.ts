import { describe, expect, it, vi } from 'vitest';
import { API_METHODS, channelOf, type Envelope } from '../../native/contract.js';
import { isAppUrl, registerRouter, type InvokeEvent } from '../../electron/router.js';

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
const trusted = (e: InvokeEvent) => e.sender.id === OUR_WINDOW && isAppUrl(e.senderFrame?.url);
const fromUs: InvokeEvent = { sender: { id: OUR_WINDOW }, senderFrame: { url: 'app://hindsight/index.html' } };

describe('IPC router', () => {
  it('registers exactly one channel per contract method, derived from the contract', () => {
    const ipc = fakeIpcMain();
    const off = registerRouter({ ipcMain: ipc, isTrusted: trusted, forward: vi.fn() });
    expect([...ipc.handlers.keys()].sort()).toEqual(API_METHODS.map(channelOf).sort());
    off();
    expect(ipc.handlers.size).toBe(0);
  });

  it('forwards a valid call from our window, parsed (defaults applied)', async () => {
    const ipc = fakeIpcMain();
    const forward = vi.fn(async (): Promise<Envelope<unknown>> => ({ ok: true, value: 'ok' }));
    registerRouter({ ipcMain: ipc, isTrusted: trusted, forward });
    const r = await ipc.handlers.get(channelOf('search'))!(fromUs, { query: 'kafka' });
    expect(r).toEqual({ ok: true, value: 'ok' });
    expect(forward).toHaveBeenCalledWith('search', { query: 'kafka', limit: 20 });
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
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(forward).not.toHaveBeenCalled();
  });

  it('refuses malformed input with a readable error, never forwarding it', async () => {
    const ipc = fakeIpcMain();
    const forward = vi.fn();
    registerRouter({ ipcMain: ipc, isTrusted: trusted, forward });
    for (const [method, input] of [
      ['search', { query: 42 }],
      ['search', { query: 'x', limit: 10_000 }],
      ['show', { id: -1 }],
      ['similar', { text: 'a', id: 3 }],
      ['startImport', { paths: [] }],
      ['stats', { extra: true }],
    ] as const) {
      const r = (await ipc.handlers.get(channelOf(method))!(fromUs, input)) as Envelope<unknown>;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid-input');
    }
    expect(forward).not.toHaveBeenCalled();
  });
});
