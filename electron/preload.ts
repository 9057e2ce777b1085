/**
 * The page's only door to the app: exactly the contract's methods and events, as
 * `window.hindsight`, plus the path of a dropped file (webUtils, preload-only).
 * Sandboxed preloads cannot require modules, so this file is bundled with what it imports.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { API_EVENTS, API_METHODS, channelOf, type ApiEvent, type Envelope } from '../native/contract.js';
import { READY_CHANNEL } from './router.js';

const api: Record<string, unknown> = {};
for (const method of API_METHODS) {
  api[method] = async (input: unknown) => {
    const env = (await ipcRenderer.invoke(channelOf(method), input)) as Envelope<unknown>;
    // The code, reason and hint survive: the page offers what to do about an error by them.
    if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code, reason: env.error.reason, hint: env.error.hint });
    return env.value;
  };
}
let toldReady = false;
api.on = (event: ApiEvent, listener: (payload: unknown) => void) => {
  if (!API_EVENTS.includes(event)) throw new Error(`Unknown event ${String(event)}`);
  const handler = (_e: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(channelOf(event), handler);
  // The page subscribes to its events as it mounts; once that turn is over, main may send.
  if (!toldReady) {
    toldReady = true;
    setTimeout(() => ipcRenderer.send(READY_CHANNEL), 0);
  }
  return () => void ipcRenderer.removeListener(channelOf(event), handler);
};
api.pathForFile = (file: File) => webUtils.getPathForFile(file);

contextBridge.exposeInMainWorld('hindsight', api);
