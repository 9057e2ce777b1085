/**
 * The engine's process in the desktop app: an Electron utilityProcess runs this file (plain
 * Node, no Electron imports). Main sends `{ id, method, input }` on the parent port and gets
 * `{ id, envelope }`; events are posted as `{ event, payload }`; `{ shutdown: true }` asks for a
 * clean stop (imports cancelled, database checkpointed and closed), answered by `{ closed: true }`.
 * A crash here takes down this process only; main restarts it.
 */
import { modelSearchFromEnv } from '../embed/model-locator.js';
import { EngineService } from './engine-service.js';
import type { ApiEvent, Envelope } from '../contract.js';

export type EngineRequest = { id: number; method: string; input: unknown } | { shutdown: true };
export type EngineMessage =
  | { id: number; envelope: Envelope<unknown> }
  | { event: ApiEvent; payload: unknown }
  | { ready: true }
  | { fatal: string }
  | { closed: true };

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: EngineMessage): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) throw new Error('engine-process must run in an Electron utilityProcess');

const [dbPath, version, bundledModels] = process.argv.slice(2);
EngineService.open(
  {
    dbPath: dbPath!,
    shell: 'desktop',
    version: version ?? '0.0.0',
    // The app's bundled models folder (extraResources) sits between the env override and the user's.
    models: modelSearchFromEnv(process.env, bundledModels || undefined),
    eager: true,
  },
  (event, payload) => port.postMessage({ event, payload }),
).then(
  (service) => {
    port.on('message', (e) => {
      const req = e.data as EngineRequest;
      if ('shutdown' in req) {
        void service.close().finally(() => {
          port.postMessage({ closed: true });
          process.exit(0);
        });
        return;
      }
      void service.call(req.method, req.input).then((envelope) => port.postMessage({ id: req.id, envelope }));
    });
    port.postMessage({ ready: true });
  },
  (err: Error) => port.postMessage({ fatal: err.message }),
);
