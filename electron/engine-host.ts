import { API_TIMEOUT_MS, type ApiEvent, type ApiEvents, type ApiMethod, type ContractError, type Envelope } from '../native/contract.js';
import type { EngineMessage } from '../native/service/engine-process.js';

/** The part of Electron's UtilityProcess the host uses. */
export interface ChildLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: EngineMessage) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

export type EngineState = ApiEvents['engineState']['state'] | 'starting';

export interface EngineHostOptions {
  /** Starts the engine process (utilityProcess.fork in the app; a fake in tests). */
  fork(): ChildLike;
  onEvent(event: ApiEvent, payload: unknown): void;
  /** Told when the engine is restarting, ready again, or stopped for good (with the reason). */
  onState(state: ApiEvents['engineState']): void;
  /** First restart delay; doubled after each failure in a row. */
  restartDelayMs?: number;
  /** Restarts allowed in a row (without a successful start lasting `stableMs`) before giving up. */
  maxRestarts?: number;
  /** A start that has lasted this long resets the count of restarts. */
  stableMs?: number;
  /** How long the process may take to become ready. */
  startTimeoutMs?: number;
  /** How long a clean shutdown may take before the process is killed. */
  shutdownTimeoutMs?: number;
  /** Per-call timeouts (tests); the contract's otherwise, plus a margin for the engine's own. */
  callTimeoutMs?: (method: ApiMethod) => number;
}

interface Pending {
  resolve: (e: Envelope<unknown>) => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs the engine in its own process and keeps it running, like VS Code's utility processes:
 * calls wait while it starts; a start that fails or a crash rejects the calls in flight with a
 * clear error (never a hang) and restarts it with growing delays, up to a limit — then the engine
 * is "stopped", every call fails at once with the reason, and the window is told. Every call has
 * a timeout. `stop()` asks the engine to finish (cancel imports, checkpoint, close) before it is
 * killed.
 */
export class EngineHost {
  private child: ChildLike | null = null;
  private state: EngineState = 'starting';
  private reason: string | null = null;
  /** Settles when the current start ends: null once ready, else why calls waiting for it fail. */
  private ready: Promise<ContractError | null> = Promise.resolve(null);
  private settleStart: (failure: ContractError | null) => void = () => {};
  /** The sentence calls get once the engine is stopped for good. */
  private stoppedMessage: string | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stopping = false;
  private failuresInRow = 0;
  private startedAt = 0;
  private closed: (() => void) | null = null;
  restarts = 0;

  constructor(private readonly o: EngineHostOptions) {}

  get current(): { state: EngineState; reason: string | null } {
    return { state: this.state, reason: this.reason };
  }

  start(): void {
    if (this.stopping) return;
    this.state = this.restarts ? 'restarting' : 'starting';
    this.ready = new Promise<ContractError | null>((resolve) => (this.settleStart = resolve));
    const child = this.o.fork();
    this.child = child;
    this.startedAt = Date.now();
    const startTimer = setTimeout(() => {
      if (this.child === child && this.state !== 'ready') this.failed(child, `it did not start within ${Math.round((this.o.startTimeoutMs ?? 60_000) / 1000)} s`);
    }, this.o.startTimeoutMs ?? 60_000);
    child.on('message', (m) => {
      if (this.child !== child) return;
      if ('ready' in m) {
        clearTimeout(startTimer);
        this.state = 'ready';
        this.reason = null;
        this.settleStart(null);
        if (this.restarts) this.o.onState({ state: 'ready', reason: null });
      } else if ('fatal' in m) {
        clearTimeout(startTimer);
        this.failed(child, `it could not start: ${m.fatal}`);
      } else if ('closed' in m) {
        this.closed?.();
      } else if ('event' in m) {
        this.o.onEvent(m.event, m.payload);
      } else if ('id' in m) {
        const p = this.pending.get(m.id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(m.id);
        p.resolve(m.envelope);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(startTimer);
      this.closed?.();
      if (this.child !== child) return;
      if (this.stopping) {
        this.child = null;
        return;
      }
      this.failed(child, `the engine process stopped unexpectedly (exit code ${code})`);
    });
  }

  /** The engine failed to start or crashed: fail what was in flight, then restart or give up. */
  private failed(child: ChildLike, reason: string): void {
    if (this.child !== child) return;
    this.child = null;
    try {
      child.kill();
    } catch {
      // already gone
    }
    const lived = Date.now() - this.startedAt;
    this.failuresInRow = this.state === 'ready' && lived >= (this.o.stableMs ?? 60_000) ? 1 : this.failuresInRow + 1;
    this.reason = reason;
    this.failAll({ code: 'engine-unavailable', message: `The request was lost because ${reason}.`, hint: 'Hindsight restarts the engine; try again in a moment.' });
    if (this.failuresInRow > (this.o.maxRestarts ?? 5)) {
      this.state = 'stopped';
      this.stoppedMessage = `The engine stopped: ${reason}. It failed ${this.failuresInRow} times in a row and was not restarted again.`;
      // Calls waiting for this start would otherwise wait for a start that never comes.
      this.settleStart(this.unavailable());
      this.o.onState({ state: 'stopped', reason: this.stoppedMessage });
      return;
    }
    this.state = 'restarting';
    // Calls waiting for this start fail now, with the reason, rather than at their timeout.
    this.settleStart(this.unavailable());
    this.restarts++;
    this.o.onState({ state: 'restarting', reason });
    const delay = (this.o.restartDelayMs ?? 500) * 2 ** (this.failuresInRow - 1);
    setTimeout(() => this.start(), Math.min(delay, 30_000));
  }

  async call(method: ApiMethod, input: unknown): Promise<Envelope<unknown>> {
    const limit = this.o.callTimeoutMs?.(method) ?? API_TIMEOUT_MS[method] + 5_000;
    if (this.state === 'stopped' || this.stopping) return { ok: false, error: this.unavailable() };
    let waited: NodeJS.Timeout | undefined;
    const started = await Promise.race([
      this.ready,
      new Promise<'timeout'>((r) => (waited = setTimeout(() => r('timeout'), limit))),
    ]);
    clearTimeout(waited);
    const child = this.child;
    if (started === 'timeout') return { ok: false, error: { code: 'timeout', message: `The engine did not become ready within ${Math.round(limit / 1000)} s.` } };
    if (started) return { ok: false, error: started };
    if (!child || this.state !== 'ready') return { ok: false, error: this.unavailable() };
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'timeout', message: `${method} took longer than ${Math.round(limit / 1000)} s.`, hint: 'Try again, or with a narrower request.' } });
      }, limit);
      this.pending.set(id, { resolve, timer });
      child.postMessage({ id, method, input });
    });
  }

  /** Why a call cannot be served now. */
  private unavailable(): ContractError {
    if (this.stopping) return { code: 'engine-unavailable', message: 'Hindsight is shutting down.' };
    if (this.stoppedMessage) return { code: 'engine-unavailable', message: this.stoppedMessage, hint: 'Restart Hindsight.' };
    return { code: 'engine-unavailable', message: `The engine is not available: ${this.reason ?? 'it is not running'}.`, hint: 'Hindsight restarts the engine; try again in a moment.' };
  }

  private failAll(error: ContractError): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error });
    }
    this.pending.clear();
  }

  /** Asks the engine to shut down cleanly (imports cancelled, database checkpointed), then kills it. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.settleStart(this.unavailable());
    const child = this.child;
    this.failAll(this.unavailable());
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.o.shutdownTimeoutMs ?? 10_000);
      this.closed = () => {
        clearTimeout(timer);
        resolve();
      };
      child.postMessage({ shutdown: true });
    });
    this.closed = null;
    this.child = null;
    child.kill();
  }
}
