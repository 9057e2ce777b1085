import { API_METHODS, channelOf, type ApiMethod, type Envelope } from '../native/contract.js';

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
  /** Hands a call to the engine, whose one door parses and checks its input. */
  forward(method: ApiMethod, input: unknown): Promise<Envelope<unknown>>;
}

/**
 * One IPC handler per contract method (channel names come from the contract). A call must come
 * from our window; anything else is answered with an error envelope and never forwarded. Input is
 * checked once, by the engine's door (the same schema and limits as the CLI and HTTP), not here.
 */
export function registerRouter(o: RouterOptions): () => void {
  for (const method of API_METHODS) {
    o.ipcMain.handle(channelOf(method), async (event, input) => {
      if (!o.isTrusted(event)) return { ok: false, error: { code: 'forbidden', message: 'Refused: the call did not come from the Hindsight window.' } } satisfies Envelope<never>;
      return o.forward(method, input);
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

/** The trust rule main uses: the sender is our window's web contents, showing our own page. */
export function trustedSender(ourWindow: () => { webContents: { id: number } } | null): (event: InvokeEvent) => boolean {
  return (event) => {
    const win = ourWindow();
    return !!win && event.sender.id === win.webContents.id && isAppUrl(event.senderFrame?.url);
  };
}

/**
 * Events for the page wait until it says it listens (the preload sends READY_CHANNEL once the
 * page subscribed): an import's progress pushed while the page loads is not lost.
 */
export const READY_CHANNEL = 'hindsight:page-ready';

export class EventGate {
  private held: Array<[string, unknown]> = [];
  private open = false;

  constructor(
    private readonly deliver: (channel: string, payload: unknown) => void,
    private readonly limit = 2_000,
  ) {}

  send(channel: string, payload: unknown): void {
    if (this.open) return this.deliver(channel, payload);
    this.held.push([channel, payload]);
    if (this.held.length > this.limit) this.held.shift();
  }

  /** The page listens: deliver what was held, then everything as it comes. */
  ready(): void {
    this.open = true;
    for (const [c, p] of this.held.splice(0)) this.deliver(c, p);
  }

  /** The page went away (reload): hold again until it says it listens. */
  reset(): void {
    this.open = false;
  }
}
