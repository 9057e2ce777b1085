import type { ApiEvent, ApiMethod, Envelope } from '../native/contract.js';
import type { EngineMessage } from '../native/service/engine-process.js';

/** The part of Electron's UtilityProcess the host uses. */
export interface ChildLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: EngineMessage) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

export interface EngineHostOptions {
  /** Starts the engine process (utilityProcess.fork in the app; a fake in tests). */
  fork(): ChildLike;
  onEvent(event: ApiEvent, payload: unknown): void;
  /** Told when the engine died and was started again, so the window can say so. */
  onRestart(reason: string): void;
  restartDelayMs?: number;
}

/**
 * Runs the engine in its own process and keeps it running: calls are queued until it is ready;
 * if it crashes, pending calls fail with a clear error, and a new process is started.
 */
export class EngineHost {
  private child: ChildLike | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private pending = new Map<number, (e: Envelope<unknown>) => void>();
  private stopping = false;
  restarts = 0;

  constructor(private readonly o: EngineHostOptions) {}

  start(): void {
    const child = this.o.fork();
    this.child = child;
    this.ready = new Promise<void>((resolve) => {
      child.on('message', (m) => {
        if ('ready' in m) resolve();
        else if ('fatal' in m) {
          this.failAll({ code: 'engine-failed', message: `The engine could not start: ${m.fatal}` });
          resolve();
        } else if ('event' in m) this.o.onEvent(m.event, m.payload);
        else if ('id' in m) {
          this.pending.get(m.id)?.(m.envelope);
          this.pending.delete(m.id);
        }
      });
    });
    child.on('exit', (code) => {
      if (this.child !== child) return;
      this.child = null;
      if (this.stopping) return;
      const reason = `the engine process stopped unexpectedly (exit code ${code})`;
      this.failAll({ code: 'engine-restarted', message: `The request was lost because ${reason}; it has been restarted. Try again.` });
      this.restarts++;
      setTimeout(() => {
        if (this.stopping) return;
        this.start();
        this.o.onRestart(reason);
      }, this.o.restartDelayMs ?? 500);
    });
  }

  async call(method: ApiMethod, input: unknown): Promise<Envelope<unknown>> {
    if (!this.child) return { ok: false, error: { code: 'engine-unavailable', message: 'The engine is restarting; try again in a moment.' } };
    await this.ready;
    const child = this.child;
    if (!child) return { ok: false, error: { code: 'engine-unavailable', message: 'The engine is restarting; try again in a moment.' } };
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      child.postMessage({ id, method, input });
    });
  }

  private failAll(error: { code: string; message: string }): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, error });
    this.pending.clear();
  }

  stop(): void {
    this.stopping = true;
    this.child?.kill();
  }
}
