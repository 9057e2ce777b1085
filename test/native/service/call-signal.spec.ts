import { describe, expect, it } from 'vitest';
import { CallSignal } from '../../../native/service/call-signal.js';

describe("a call's signal, made when a handler asks for it", () => {
  it('is not aborted while the call runs, and is one signal however often it is read', () => {
    const call = new CallSignal();
    expect(call.signal.aborted).toBe(false);
    expect(call.signal).toBe(call.signal);
  });

  it('aborts a signal already handed out when the call times out or the service closes', () => {
    const call = new CallSignal();
    const signal = call.signal;
    let heard = 0;
    signal.addEventListener('abort', () => heard++);
    call.abort();
    expect(signal.aborted).toBe(true);
    expect(heard).toBe(1);
  });

  it('hands out an aborted signal when it is first read after the call was aborted', () => {
    const call = new CallSignal();
    call.abort();
    expect(call.signal.aborted).toBe(true);
  });
});
