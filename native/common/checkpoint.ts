import { HindsightError } from './errors.js';

/**
 * A point where long work lets the event loop run (timers, other calls, a cancel) and stops if
 * it was asked to. Synchronous work cannot be interrupted in between, so long loops call this
 * every so often: that is what makes a call's timeout and cancellation take effect.
 */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new HindsightError('cancelled', 'The request was stopped before it finished.');
}
