import { HindsightError } from './errors.js';

/**
 * A point where long work lets the event loop run (timers, other calls, a cancel) and stops if
 * it was asked to. Synchronous work cannot be interrupted in between, so long loops call this
 * every so often: that is what makes a call's timeout and cancellation take effect.
 */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  // A timer, not setImmediate: the timers phase runs a due timeout (a call's limit) before this resumes.
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (signal?.aborted) throw new HindsightError('cancelled', 'The request was stopped before it finished.');
}
