import { API_EVENTS, API_METHODS, type ApiEvent, type ApiEvents, type Envelope, type HindsightApi } from '../../../native/contract';
import type { Transport } from './types';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Browser mode: every method is a POST to `api/<method>` and events arrive over one
 * EventSource; all URLs are relative to the page, which lives under the bridge's token path.
 */
export function httpTransport(base = './'): Transport {
  const listeners = new Map<ApiEvent, Set<(payload: never) => void>>();
  let source: EventSource | null = null;
  const connect = () => {
    if (source) return;
    source = new EventSource(`${base}api/events`);
    for (const e of API_EVENTS) {
      source.addEventListener(e, (m) => {
        const payload = JSON.parse((m as MessageEvent<string>).data) as never;
        for (const l of listeners.get(e) ?? []) l(payload);
      });
    }
  };
  const call = async (method: string, input: unknown) => {
    const res = await fetch(`${base}api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input ?? {}) });
    const env = (await res.json()) as Envelope<unknown>;
    if (!env.ok) throw new ApiError(env.error.code, env.error.message);
    return env.value;
  };
  const api = Object.fromEntries(API_METHODS.map((m) => [m, (input: unknown) => call(m, input)])) as unknown as HindsightApi;
  api.on = <E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void) => {
    connect();
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  };
  return {
    api,
    kind: 'browser',
    async pathsFor(files, onProgress) {
      // One batch folder per drop: the engine imports the folder, files keep their relative paths.
      const batch = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      let folder = '';
      for (const [i, f] of files.entries()) {
        const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
        const res = await fetch(`${base}api/upload?batch=${batch}&path=${encodeURIComponent(rel)}`, { method: 'POST', body: f });
        const env = (await res.json()) as Envelope<{ path: string }>;
        if (!env.ok) throw new ApiError(env.error.code, env.error.message);
        folder = env.value.path;
        onProgress?.(i + 1, files.length);
      }
      return folder ? [folder] : [];
    },
  };
}
