/**
 * The engine host when the engine misbehaves: it cannot start, keeps failing, crashes with calls
 * in flight, never answers, or takes its time to shut down. The fake children speak the engine
 * process's protocol (native/service/engine-process.ts); timing is checked with fake timers.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineHost, type ChildLike, type EngineHostOptions } from '../../electron/engine-host.js';
import { API_TIMEOUT_MS, type ApiEvents } from '../../native/contract.js';

interface Script {
  /** What the process says once started: ready, a fatal error, or nothing at all. */
  start?: 'ready' | { fatal: string } | 'silent';
  /** Says ready only after this long (a slow start: migrations, a model to load). */
  readyAfterMs?: number;
  /** The value a call is answered with; undefined = no answer. */
  answer?: (m: { id: number; method: string }) => unknown;
  /** How long it takes to answer `{ shutdown }` with `{ closed }`; null = never. */
  closeAfterMs?: number | null;
}

/** A fake engine process. Messages arrive on a later microtask, like a real port's (fake timers leave microtasks alone). */
class FakeChild extends EventEmitter {
  kills = 0;
  readonly posted: unknown[] = [];
  constructor(private readonly script: Script) {
    super();
    const start = script.start ?? 'ready';
    const say = () => this.emit('message', start === 'ready' ? { ready: true } : start);
    if (start === 'silent') return;
    if (script.readyAfterMs) setTimeout(say, script.readyAfterMs);
    else queueMicrotask(say);
  }
  postMessage(m: { id: number; method: string } | { shutdown: true }) {
    this.posted.push(m);
    if ('shutdown' in m) {
      const after = this.script.closeAfterMs === undefined ? 0 : this.script.closeAfterMs;
      if (after !== null) setTimeout(() => this.emit('message', { closed: true }), after);
      return;
    }
    const value = this.script.answer?.(m);
    if (value !== undefined) queueMicrotask(() => this.emit('message', { id: m.id, envelope: { ok: true, value } }));
  }
  crash(code = 134) {
    this.emit('exit', code);
  }
  kill() {
    this.kills++;
    queueMicrotask(() => this.emit('exit', 0));
    return true;
  }
}

/** A host whose children follow `scripts` in turn (the last one repeats). */
function hostWith(scripts: Script[], o: Partial<EngineHostOptions> = {}) {
  const children: FakeChild[] = [];
  const forkedAt: number[] = [];
  const states: Array<ApiEvents['engineState']> = [];
  const host = new EngineHost({
    fork: () => {
      const c = new FakeChild(scripts[Math.min(children.length, scripts.length - 1)]!);
      children.push(c);
      forkedAt.push(Date.now());
      return c as unknown as ChildLike;
    },
    onEvent: () => {},
    onState: (s) => states.push(s),
    ...o,
  });
  return { host, children, forkedAt, states };
}

/** Stops the host, letting (fake) time pass for the `closed` answer. */
async function stopNow(host: EngineHost): Promise<void> {
  const stopping = host.stop();
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(10);
  await stopping;
}

/** Lets queued microtasks (the fake port's messages) run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

afterEach(() => {
  vi.useRealTimers();
});

describe('engine host: starting', () => {
  it('fails the calls waiting for a start that ends in `fatal` at once, with the reason', async () => {
    vi.useFakeTimers();
    const { host } = hostWith([{ start: { fatal: 'the database is locked' } }, {}], { restartDelayMs: 1_000, callTimeoutMs: () => 20_000 });
    host.start();
    const waiting = host.call('stats', {});
    let answer: unknown;
    void waiting.then((a) => (answer = a));
    await settle();
    // No time has passed: neither the restart delay nor the call's own timeout.
    expect(answer).toEqual({
      ok: false,
      error: { code: 'engine-unavailable', message: 'The engine is not available: it could not start: the database is locked.', hint: 'Hindsight restarts the engine; try again in a moment.' },
    });
    // The restart that follows serves the next call.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(host.current.state).toBe('ready');
    await stopNow(host);
  });

  it('treats a process that never says ready as failed after the start timeout, kills it, and fails the waiting calls then', async () => {
    vi.useFakeTimers();
    const { host, children, states } = hostWith([{ start: 'silent' }, {}], { startTimeoutMs: 5_000, restartDelayMs: 100, callTimeoutMs: () => 60_000 });
    host.start();
    let answer: unknown;
    void host.call('stats', {}).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(children[0]!.kills).toBe(0);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(children[0]!.kills).toBe(1);
    expect(states[0]).toEqual({ state: 'restarting', reason: 'it did not start within 5 s' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'engine-unavailable', message: expect.stringMatching(/did not start within 5 s/) } });
    await vi.advanceTimersByTimeAsync(100);
    expect(children).toHaveLength(2);
    expect(states[1]).toEqual({ state: 'ready', reason: null });
    await stopNow(host);
  });

  it('makes a call wait while the engine starts, then answers it', async () => {
    vi.useFakeTimers();
    const { host, children, states } = hostWith([{ readyAfterMs: 3_000, answer: (m) => `ok ${m.method}` }], { callTimeoutMs: () => 60_000 });
    expect(host.current).toEqual({ state: 'starting', reason: null });
    host.start();
    expect(host.current.state).toBe('starting');
    let answer: unknown;
    void host.call('stats', {}).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(answer).toBeUndefined();
    expect(children[0]!.posted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toEqual({ ok: true, value: 'ok stats' });
    expect(host.current).toEqual({ state: 'ready', reason: null });
    // The window hears of the engine's state only when something went wrong (or is put right).
    expect(states).toEqual([]);
    await stopNow(host);
  });

  it('fails a call whose wait for the start outlasts its timeout', async () => {
    vi.useFakeTimers();
    const { host } = hostWith([{ readyAfterMs: 30_000 }], { callTimeoutMs: () => 4_000, startTimeoutMs: 60_000 });
    host.start();
    let answer: unknown;
    void host.call('stats', {}).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(answer).toEqual({ ok: false, error: { code: 'timeout', message: 'The engine did not become ready within 4 s.' } });
    await stopNow(host);
  });
});

describe('engine host: restarting', () => {
  it('backs off with doubling delays, then stops after the limit, says why, and fails calls at once', async () => {
    vi.useFakeTimers({ now: 0 });
    const { host, forkedAt, states } = hostWith([{ start: { fatal: 'no space left on device' } }], { restartDelayMs: 100, maxRestarts: 3 });
    host.start();
    await settle();
    expect(host.current).toEqual({ state: 'restarting', reason: 'it could not start: no space left on device' });
    await vi.advanceTimersByTimeAsync(100);
    expect(host.current.state).toBe('restarting');
    await vi.advanceTimersByTimeAsync(10_000);
    // One start and three restarts, each after twice the delay of the one before.
    expect(forkedAt).toEqual([0, 100, 300, 700]);
    expect(states.map((s) => s.state)).toEqual(['restarting', 'restarting', 'restarting', 'stopped']);
    expect(states[3]!.reason).toBe('The engine stopped: it could not start: no space left on device. It failed 4 times in a row and was not restarted again.');
    expect(host.current.state).toBe('stopped');
    const r = await host.call('search', { query: 'x' });
    expect(r).toEqual({ ok: false, error: { code: 'engine-unavailable', message: states[3]!.reason, hint: 'Restart Hindsight.' } });
    // And it is not restarted again, however long one waits.
    await vi.advanceTimersByTimeAsync(600_000);
    expect(forkedAt).toHaveLength(4);
  });

  it('caps the delay between restarts at 30 s', async () => {
    vi.useFakeTimers({ now: 0 });
    const { host, forkedAt } = hostWith([{ start: { fatal: 'x' } }], { restartDelayMs: 10_000, maxRestarts: 4 });
    host.start();
    await vi.advanceTimersByTimeAsync(200_000);
    expect(forkedAt).toEqual([0, 10_000, 30_000, 60_000, 90_000]);
  });

  it('counts failures in a row only: a start that lasted `stableMs` begins the count again', async () => {
    vi.useFakeTimers({ now: 0 });
    const { host, children, forkedAt } = hostWith([{}], { restartDelayMs: 100, maxRestarts: 1, stableMs: 1_000 });
    host.start();
    await settle();
    // Crashes after a long, healthy run restart at the first delay each time, without end.
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(5_000);
      children.at(-1)!.crash();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(children).toHaveLength(5);
    expect(host.current.state).toBe('ready');
    expect(forkedAt.slice(1).map((t, i) => t - forkedAt[i]!)).toEqual([5_100, 5_100, 5_100, 5_100]);
    // A crash soon after that restart is the second failure in a row: over the limit of one.
    children.at(-1)!.crash();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(children).toHaveLength(5);
    expect(host.current.state).toBe('stopped');
  });

  it('never counts a start that did not become ready as a healthy run, however long it took', async () => {
    vi.useFakeTimers({ now: 0 });
    // Each start takes 5 s to time out, far past `stableMs`: still failures in a row.
    const { host, children, states } = hostWith([{ start: 'silent' }], { startTimeoutMs: 5_000, stableMs: 1_000, restartDelayMs: 10, maxRestarts: 2 });
    host.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(children).toHaveLength(3);
    expect(states.at(-1)).toMatchObject({ state: 'stopped', reason: expect.stringMatching(/failed 3 times in a row/) });
  });

  it('counts a run of exactly `stableMs` as healthy', async () => {
    vi.useFakeTimers({ now: 0 });
    const { host, children } = hostWith([{}], { restartDelayMs: 10, maxRestarts: 1, stableMs: 1_000 });
    host.start();
    await settle();
    children[0]!.crash();
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(1_000);
    children[1]!.crash();
    await vi.advanceTimersByTimeAsync(10);
    expect(children).toHaveLength(3);
    expect(host.current.state).toBe('ready');
    await stopNow(host);
  });

  it('fails a call made while a restart is pending at once, with the reason', async () => {
    vi.useFakeTimers();
    const { host, children } = hostWith([{ answer: () => 'ok' }], { restartDelayMs: 5_000, callTimeoutMs: () => 60_000 });
    host.start();
    await settle();
    children[0]!.crash(9);
    let answer: unknown;
    void host.call('stats', {}).then((a) => (answer = a));
    await settle();
    expect(answer).toEqual({
      ok: false,
      error: { code: 'engine-unavailable', message: 'The engine is not available: the engine process stopped unexpectedly (exit code 9).', hint: 'Hindsight restarts the engine; try again in a moment.' },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await host.call('stats', {})).toEqual({ ok: true, value: 'ok' });
    await stopNow(host);
  });
});

describe('engine host: calls', () => {
  it('rejects a call pending when the engine crashes at once, not at its timeout', async () => {
    vi.useFakeTimers();
    const { host, children } = hostWith([{ answer: () => undefined }], { restartDelayMs: 50, callTimeoutMs: () => 60_000 });
    host.start();
    await settle();
    let answer: unknown;
    void host.call('similar', { text: 'x' }).then((a) => (answer = a));
    await settle();
    expect(children[0]!.posted).toEqual([{ id: 1, method: 'similar', input: { text: 'x' } }]);
    children[0]!.crash(139);
    await settle();
    expect(answer).toEqual({
      ok: false,
      error: { code: 'engine-unavailable', message: 'The request was lost because the engine process stopped unexpectedly (exit code 139).', hint: 'Hindsight restarts the engine; try again in a moment.' },
    });
    await stopNow(host);
  });

  it('times out a call that gets no answer, and ignores the answer if it comes later', async () => {
    vi.useFakeTimers();
    let late: (() => void) | null = null;
    const { host, children } = hostWith([
      {
        answer: (m) => {
          if (m.method === 'patterns') late = () => children[0]!.emit('message', { id: m.id, envelope: { ok: true, value: 'too late' } });
          return m.method === 'patterns' ? undefined : 'fine';
        },
      },
    ], { callTimeoutMs: (m) => (m === 'patterns' ? 3_000 : 60_000) });
    host.start();
    await settle();
    let answer: unknown;
    void host.call('patterns', {}).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toMatchObject({ ok: false, error: { code: 'timeout', message: 'patterns took longer than 3 s.' } });
    late!();
    expect(answer).toMatchObject({ ok: false, error: { code: 'timeout' } });
    // The engine is still in service for other calls.
    expect(await host.call('stats', {})).toEqual({ ok: true, value: 'fine' });
    await stopNow(host);
  });

  it('gives a call the contract\'s time limit plus a margin for the engine\'s own timeout message by default', async () => {
    vi.useFakeTimers();
    const { host } = hostWith([{ answer: () => undefined }]);
    host.start();
    await settle();
    let answer: unknown;
    void host.call('stats', {}).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(API_TIMEOUT_MS.stats + 4_999);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toEqual({ ok: false, error: { code: 'timeout', message: `stats took longer than ${Math.round((API_TIMEOUT_MS.stats + 5_000) / 1000)} s.`, hint: 'Try again, or with a narrower request.' } });
    await stopNow(host);
  });

  it('gives each call its own id and routes each answer to its caller', async () => {
    const { host } = hostWith([{ answer: (m) => `${m.method}#${m.id}` }]);
    host.start();
    const [a, b, c] = await Promise.all([host.call('stats', {}), host.call('search', { query: 'q' }), host.call('appInfo', {})]);
    expect([a, b, c]).toEqual([
      { ok: true, value: 'stats#1' },
      { ok: true, value: 'search#2' },
      { ok: true, value: 'appInfo#3' },
    ]);
    await stopNow(host);
  });

  it('forwards events, and ignores the messages of a process it has replaced', async () => {
    const events: unknown[] = [];
    const { host, children } = hostWith([{ answer: () => 'old' }, { answer: () => 'new' }], { restartDelayMs: 1, onEvent: (e, p) => events.push([e, p]) });
    host.start();
    await settle();
    children[0]!.emit('message', { event: 'importProgress', payload: { importId: 7 } });
    children[0]!.crash();
    await new Promise((r) => setTimeout(r, 20));
    children[0]!.emit('message', { event: 'importDone', payload: { importId: 7 } });
    expect(events).toEqual([['importProgress', { importId: 7 }]]);
    expect(await host.call('stats', {})).toEqual({ ok: true, value: 'new' });
    await stopNow(host);
  });
});

describe('engine host: stopping', () => {
  it('asks for a clean shutdown and kills the process only once it says `closed`', async () => {
    vi.useFakeTimers();
    const { host, children } = hostWith([{ closeAfterMs: 2_000 }], { shutdownTimeoutMs: 10_000 });
    host.start();
    await settle();
    let stopped = false;
    void host.stop().then(() => (stopped = true));
    await settle();
    expect(children[0]!.posted).toContainEqual({ shutdown: true });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(children[0]!.kills).toBe(0);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
    expect(children[0]!.kills).toBe(1);
    // Stopping is not a crash: nothing is restarted.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(children).toHaveLength(1);
  });

  it('kills a process that never says `closed` after the shutdown timeout', async () => {
    vi.useFakeTimers();
    const { host, children } = hostWith([{ closeAfterMs: null }], { shutdownTimeoutMs: 3_000 });
    host.start();
    await settle();
    void host.stop();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(children[0]!.kills).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(children[0]!.kills).toBe(1);
  });

  it('fails calls in flight and later calls at once while shutting down', async () => {
    vi.useFakeTimers();
    const { host, children } = hostWith([{ answer: () => undefined, closeAfterMs: 5_000 }], { callTimeoutMs: () => 60_000 });
    host.start();
    await settle();
    let inFlight: unknown;
    void host.call('experts', { text: 'x' }).then((a) => (inFlight = a));
    await settle();
    const stopping = host.stop();
    await settle();
    expect(inFlight).toMatchObject({ ok: false, error: { code: 'engine-unavailable', message: 'Hindsight is shutting down.' } });
    expect(await host.call('stats', {})).toMatchObject({ ok: false, error: { code: 'engine-unavailable' } });
    // Only the shutdown request reached the process after stop().
    expect(children[0]!.posted.slice(1)).toEqual([{ shutdown: true }]);
    await vi.advanceTimersByTimeAsync(5_000);
    await stopping;
  });

  it('finishes stopping when the process exits before saying `closed`, and does not restart it', async () => {
    vi.useFakeTimers();
    const { host, children, states } = hostWith([{ closeAfterMs: null }], { shutdownTimeoutMs: 60_000, restartDelayMs: 10 });
    host.start();
    await settle();
    let stopped = false;
    void host.stop().then(() => (stopped = true));
    await settle();
    children[0]!.crash(0);
    await settle();
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(children).toHaveLength(1);
    expect(states).toEqual([]);
  });

  it('does not start a new process when stopped while a restart was pending', async () => {
    vi.useFakeTimers();
    const { host, children } = hostWith([{}], { restartDelayMs: 1_000 });
    host.start();
    await settle();
    children[0]!.crash();
    await settle();
    await stopNow(host);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(children).toHaveLength(1);
  });

  it('asks for the shutdown once when stopped twice', async () => {
    vi.useFakeTimers();
    const { host, children } = hostWith([{ closeAfterMs: 100 }]);
    host.start();
    await settle();
    const a = host.stop();
    const b = host.stop();
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([a, b]);
    expect(children[0]!.posted).toEqual([{ shutdown: true }]);
    expect(children[0]!.kills).toBe(1);
  });
});
