import { API_EVENTS, API_METHODS, type ApiEvent, type ApiEvents, type Envelope, type HindsightApi } from '../../../native/contract';
import { ApiError, relativePathOf, type Transport } from './types';

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
  const failed = (env: Envelope<unknown> & { ok: false }) => new ApiError(env.error.code, env.error.message, env.error.reason, env.error.hint);
  const call = async (method: string, input: unknown) => {
    let res: Response;
    try {
      res = await fetch(`${base}api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input ?? {}) });
    } catch {
      throw new ApiError('engine-unavailable', 'Hindsight is not answering: is `hindsight serve` still running?');
    }
    const env = (await res.json()) as Envelope<unknown>;
    if (!env.ok) throw failed(env);
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

  /** Deletes a drop's uploads on the bridge; best effort (the bridge also clears them when it stops). */
  const discardBatch = (batch: string) => fetch(`${base}api/upload?batch=${encodeURIComponent(batch)}`, { method: 'DELETE' }).then(() => {}, () => {});

  /**
   * One batch folder per drop: the engine reads the folder, files keep their relative paths. A
   * refused file ends the drop, and the files uploaded before it are deleted.
   */
  const upload = async (files: File[], onFile: (i: number, f: File) => void): Promise<string> => {
    const batch = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    let folder = '';
    for (const [i, f] of files.entries()) {
      const res = await fetch(`${base}api/upload?batch=${batch}&path=${encodeURIComponent(relativePathOf(f))}`, { method: 'POST', body: f });
      const env = (await res.json()) as Envelope<{ path: string }>;
      if (!env.ok) {
        await discardBatch(batch);
        throw failed(env);
      }
      folder = env.value.path;
      onFile(i, f);
    }
    return folder;
  };

  return {
    api,
    kind: 'browser',
    async pathsFor(files, onProgress) {
      const folder = await upload(files, (i) => onProgress?.(i + 1, files.length));
      return folder ? [folder] : [];
    },
    async discard(paths) {
      // pathsFor's paths are batch folders: the batch is the last part.
      await Promise.all(paths.map((p) => discardBatch(p.split(/[\\/]/).filter(Boolean).pop() ?? '')));
    },
    async folderFor(files, onProgress) {
      const total = files.reduce((n, f) => n + f.size, 0);
      let done = 0;
      const batch = await upload(files, (_i, f) => onProgress?.((done += f.size), total));
      if (!batch) throw new ApiError('invalid-input', 'The folder is empty.');
      // The picked folder's own name is the first part of every relative path: the model folder is inside the batch.
      const top = relativePathOf(files[0]!).split('/')[0]!;
      const sep = batch.includes('\\') && !batch.includes('/') ? '\\' : '/';
      return files.every((f) => relativePathOf(f).includes('/')) ? `${batch}${sep}${top}` : batch;
    },
  };
}

export { ApiError };
