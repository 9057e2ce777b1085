import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { EngineHost, type ChildLike } from '../../electron/engine-host.js';

/** A fake engine process: answers calls, and can crash. */
class FakeChild extends EventEmitter {
  killed = false;
  constructor(private readonly answer: (m: { id: number; method: string }) => unknown) {
    super();
    setImmediate(() => this.emit('message', { ready: true }));
  }
  postMessage(m: { id: number; method: string } | { shutdown: true }) {
    if ('shutdown' in m) return void setImmediate(() => this.emit('message', { closed: true }));
    const value = this.answer(m);
    if (value !== undefined) setImmediate(() => this.emit('message', { id: m.id, envelope: { ok: true, value } }));
  }
  crash() {
    this.emit('exit', 139);
  }
  kill() {
    this.killed = true;
    this.emit('exit', 0);
    return true;
  }
}

describe('engine host', () => {
  it('forwards calls and events', async () => {
    const onEvent = vi.fn();
    let child!: FakeChild;
    const host = new EngineHost({ fork: () => (child = new FakeChild((m) => `answer to ${m.method}`)) as unknown as ChildLike, onEvent, onState: vi.fn() });
    host.start();
    expect(await host.call('stats', {})).toEqual({ ok: true, value: 'answer to stats' });
    child.emit('message', { event: 'importProgress', payload: { importId: 1 } });
    expect(onEvent).toHaveBeenCalledWith('importProgress', { importId: 1 });
    await host.stop();
  });

  it('restarts a crashed engine, fails the lost calls clearly, and says so', async () => {
    const children: FakeChild[] = [];
    const onState = vi.fn();
    const host = new EngineHost({
      // The first engine never answers (it will crash); the next one answers.
      fork: () => {
        const c = new FakeChild((m) => (children.length > 1 ? `ok ${m.method}` : undefined));
        children.push(c);
        return c as unknown as ChildLike;
      },
      onEvent: vi.fn(),
      onState,
      restartDelayMs: 5,
    });
    host.start();
    await new Promise((r) => setImmediate(r));
    const lost = host.call('search', { query: 'x' });
    await new Promise((r) => setImmediate(r));
    children[0]!.crash();
    expect(await lost).toMatchObject({ ok: false, error: { code: 'engine-unavailable', message: expect.stringMatching(/exit code 139/) } });
    await new Promise((r) => setTimeout(r, 30));
    expect(onState).toHaveBeenCalledWith({ state: 'restarting', reason: expect.stringMatching(/exit code 139/) });
    expect(children).toHaveLength(2);
    expect(await host.call('stats', {})).toEqual({ ok: true, value: 'ok stats' });
    await host.stop();
    expect(children[1]!.killed).toBe(true);
  });
});
