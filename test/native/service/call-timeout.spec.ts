// A call's time limit and the service's close reach the work itself: the door aborts the signal
// it handed the handler (native/service/engine-service.ts `run`, native/service/call-signal.ts),
// so the engine stops at its next checkpoint instead of running on after its caller gave up.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../../native/engine.js';
import { TestApi } from '../../support/api.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const realPatterns = Engine.prototype.patterns;

/**
 * Watches the signal the door hands to the engine's `patterns`: the real work starts `delayMs`
 * after the call (so after a short time limit has passed) and runs with that signal.
 */
function watchPatterns(delayMs: number): { signal: () => AbortSignal | undefined; work: () => Promise<unknown> } {
  let signal: AbortSignal | undefined;
  let work: Promise<unknown> | undefined;
  vi.spyOn(Engine.prototype, 'patterns').mockImplementation(function (this: Engine, req, o = {}) {
    signal = o.signal;
    work = new Promise((r) => setTimeout(r, delayMs)).then(() => realPatterns.call(this, req, o));
    return work as ReturnType<Engine['patterns']>;
  });
  return { signal: () => signal, work: () => work! };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a call's time limit and its signal", () => {
  it('aborts the signal the handler was given when the call times out, and the work stops there', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'timeout.db'), models: NO_MODEL, timeouts: { patterns: 30 } });
    const watch = watchPatterns(150);
    await expect(api.patterns()).rejects.toMatchObject({ code: 'timeout', message: /patterns took longer than/ });
    expect(watch.signal()).toBeDefined();
    expect(watch.signal()!.aborted).toBe(true);
    // The engine, starting after the limit, sees the aborted signal and stops instead of finishing.
    await expect(watch.work()).rejects.toMatchObject({ code: 'cancelled' });
    await api.close();
  });

  it('leaves the signal of a call that finished in time alone, also after its limit has passed', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'in-time.db'), models: NO_MODEL, timeouts: { patterns: 300 } });
    const watch = watchPatterns(0);
    expect(await api.patterns()).toMatchObject({ incidents: 0, patterns: [] });
    await new Promise((r) => setTimeout(r, 450));
    expect(watch.signal()!.aborted).toBe(false);
    await api.close();
  });

  it('aborts the signal of a call still running when the service closes', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'closing.db'), models: NO_MODEL, timeouts: { patterns: 60_000 } });
    const watch = watchPatterns(150);
    const call = api.patterns();
    await vi.waitFor(() => expect(watch.signal()).toBeDefined());
    await api.close();
    expect(watch.signal()!.aborted).toBe(true);
    // Close does not wait for calls in progress: this one fails, with what depends on where its
    // work was when the database closed.
    await expect(call).rejects.toBeDefined();
  });
});
