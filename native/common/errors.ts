/**
 * An error meant for a user: a stable machine-readable code and a message that says what
 * happened and what to do. Anything else that escapes is reported as an internal error.
 */
export class HindsightError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HindsightError';
  }
}

/** The `{ code, message }` form of any thrown value, for crossing a boundary without a stack. */
export function toContractError(err: unknown): { code: string; message: string } {
  if (err instanceof HindsightError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
