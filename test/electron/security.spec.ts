import { describe, expect, it, vi } from 'vitest';
import { applyNavigationPolicy, applySessionPolicy, CSP, secureWebPreferences } from '../../electron/security.js';

type Before = (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void;
type Headers = (d: { url: string; responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void;
interface FakeSession {
  permission: null | ((wc: unknown, p: string, cb: (g: boolean) => void) => void);
  check: null | (() => boolean);
  before: null | Before;
  headers: null | Headers;
  setPermissionRequestHandler(h: FakeSession['permission']): void;
  setPermissionCheckHandler(h: FakeSession['check']): void;
  webRequest: { onBeforeRequest(h: Before): void; onHeadersReceived(h: Headers): void };
}

/** A stand-in for Electron's Session that keeps the handlers the policy installs. */
function fakeSession(): FakeSession {
  const s: FakeSession = {
    permission: null,
    check: null,
    before: null,
    headers: null,
    setPermissionRequestHandler(h) {
      s.permission = h;
    },
    setPermissionCheckHandler(h) {
      s.check = h;
    },
    webRequest: {
      onBeforeRequest: (h) => void (s.before = h),
      onHeadersReceived: (h) => void (s.headers = h),
    },
  };
  return s;
}

const cancelled = (s: FakeSession, url: string) => {
  let result: boolean | undefined;
  s.before!({ url }, (r) => (result = r.cancel));
  return result;
};

describe('Electron security policy', () => {
  it('turns on every isolation option of the checklist', () => {
    expect(secureWebPreferences('/p/preload.js')).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: '/p/preload.js' });
  });

  it('lets the window load only its own app:// pages: no request reaches the network', () => {
    const s = fakeSession();
    applySessionPolicy(s);
    expect(cancelled(s, 'app://hindsight/index.html')).toBe(false);
    expect(cancelled(s, 'app://hindsight/assets/index.js')).toBe(false);
    for (const url of ['https://huggingface.co/x', 'http://127.0.0.1:8080/', 'http://localhost/', 'ws://example.com/', 'file:///etc/passwd', 'app://other/', 'ftp://example.com']) {
      expect(cancelled(s, url), url).toBe(true);
    }
  });

  it('denies every permission request', () => {
    const s = fakeSession();
    applySessionPolicy(s);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      s.permission!({}, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(s.check!()).toBe(false);
  });

  it('adds the strict CSP to responses', () => {
    const s = fakeSession();
    applySessionPolicy(s);
    let headers: Record<string, string[]> | undefined;
    s.headers!({ url: 'app://hindsight/index.html', responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => (headers = r.responseHeaders));
    expect(headers!['Content-Security-Policy']).toEqual([CSP]);
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('blocks navigation away from the app, webviews and new windows; http links go to the system browser', () => {
    const handlers = new Map<string, (e: { preventDefault(): void }, url?: string) => void>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
    const contents = {
      on: (event: string, h: (e: { preventDefault(): void }, url?: string) => void) => void handlers.set(event, h),
      setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' }) => void (openHandler = h),
    };
    const opened: string[] = [];
    applyNavigationPolicy(contents as never, (u) => opened.push(u));
    const nav = (event: string, url: string) => {
      const e = { preventDefault: vi.fn() };
      handlers.get(event)!(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(nav('will-navigate', 'https://evil.example/')).toBe(true);
    expect(nav('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(nav('will-redirect', 'http://127.0.0.1/')).toBe(true);
    expect(nav('will-navigate', 'app://hindsight/index.html#/patterns')).toBe(false);
    const webview = { preventDefault: vi.fn() };
    handlers.get('will-attach-webview')!(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect(openHandler!({ url: 'https://status.example.com/x' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://status.example.com/x']);
  });
});
