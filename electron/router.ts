import { API_INPUTS, API_METHODS, channelOf, type ApiMethod, type Envelope } from '../native/contract.js';

/** The part of Electron's IpcMainInvokeEvent the router looks at. */
export interface InvokeEvent {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, input: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface RouterOptions {
  ipcMain: IpcMainLike;
  /** True only for our own window's web contents and our own page's origin. */
  isTrusted(event: InvokeEvent): boolean;
  /** Sends a parsed call to the engine process. */
  forward(method: ApiMethod, input: unknown): Promise<Envelope<unknown>>;
}

/**
 * One IPC handler per contract method (channel names come from the contract). Each call is
 * checked to come from our window and parsed with the method's schema before it reaches the
 * engine; anything else is answered with an error envelope and never forwarded.
 */
export function registerRouter(o: RouterOptions): () => void {
  for (const method of API_METHODS) {
    o.ipcMain.handle(channelOf(method), async (event, input) => {
      if (!o.isTrusted(event)) return { ok: false, error: { code: 'forbidden', message: 'Refused: the call did not come from the Hindsight window.' } } satisfies Envelope<never>;
      const parsed = API_INPUTS[method].safeParse(input ?? {});
      if (!parsed.success) {
        return { ok: false, error: { code: 'invalid-input', message: `Invalid input for ${method}: ${parsed.error.issues[0]?.message ?? 'rejected'}.` } } satisfies Envelope<never>;
      }
      return o.forward(method, parsed.data);
    });
  }
  return () => API_METHODS.forEach((m) => o.ipcMain.removeHandler(channelOf(m)));
}

/** Our page is served from this scheme and host only (see security.ts). */
export const APP_ORIGIN = 'app://hindsight';

export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
