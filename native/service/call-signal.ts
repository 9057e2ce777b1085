/**
 * One call's cancellation, made only when a handler asks for it. Most calls (search, show,
 * stats…) never look at their signal, and in Node an AbortController is the dearest part of a
 * call through the door: creating its signal, and the garbage it leaves, were over half of the
 * door's own time (a CPU profile of `appInfo` through `invoke`, bench/door.ts). So the door
 * keeps this small object per call and creates the controller on first read of `signal`; a call
 * aborted before that (timed out, or the service closing) hands out a signal already aborted.
 */
export class CallSignal {
  private controller: AbortController | null = null;
  private aborted = false;

  /** The call's signal: aborted when the call times out or the service closes. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}
