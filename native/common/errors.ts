import { ERROR_CODES, type ContractError, type ErrorCode } from '../contract.js';

/**
 * Finer causes, each under one contract code. Importers throw these (a ZIP bomb is refused
 * input, a Slack day file with no messages is unsupported); the contract only ever sees the code,
 * and the reason travels beside it for diagnostics.
 */
const REASONS = {
  'bad-archive': 'refused-input',
  'bad-csv': 'refused-input',
  'bad-encoding': 'refused-input',
  'bad-format': 'refused-input',
  'bad-json': 'refused-input',
  'bad-map': 'usage',
  'bad-record': 'refused-input',
  'record-write': 'internal',
  'bad-xml': 'refused-input',
  'binary-file': 'refused-input',
  empty: 'refused-input',
  encrypted: 'refused-input',
  'nested-archive': 'refused-input',
  'no-text': 'refused-input',
  'not-a-file': 'refused-input',
  'too-large': 'refused-input',
  'too-many-files': 'refused-input',
  'unsafe-archive': 'refused-input',
  'unsafe-xml': 'refused-input',
  unreadable: 'refused-input',
  'zip-bomb': 'refused-input',
  'no-sample': 'not-found',
  'not-built': 'internal',
  'hash-mismatch': 'model-failed',
  'unverified-model': 'model-failed',
  'bad-model': 'model-failed',
  'model-load': 'model-failed',
  'model-dims': 'model-failed',
  'embed-failed': 'model-failed',
  'download-failed': 'model-failed',
  'db-open': 'db-unavailable',
  'db-too-new': 'db-unavailable',
  'db-readonly': 'db-unavailable',
  'db-missing': 'not-found',
  'upload-outside': 'forbidden',
  'unknown-method': 'invalid-input',
  'bad-taxonomy': 'usage',
} as const satisfies Record<string, ErrorCode>;
export type ErrorReason = keyof typeof REASONS;

/**
 * An error meant for a user: a stable code from the contract's closed set, a message that says
 * what happened, and a hint that says what to do. Anything else that escapes is reported as an
 * internal error, without its stack.
 */
export class HindsightError extends Error {
  readonly code: ErrorCode;
  readonly reason: string | undefined;
  readonly hint: string | undefined;

  constructor(codeOrReason: ErrorCode | ErrorReason, message: string, options: { hint?: string } = {}) {
    super(message);
    this.name = 'HindsightError';
    if (Object.hasOwn(ERROR_CODES, codeOrReason)) {
      this.code = codeOrReason as ErrorCode;
      this.reason = undefined;
    } else {
      this.code = REASONS[codeOrReason as ErrorReason];
      this.reason = codeOrReason;
    }
    this.hint = options.hint;
  }
}

/** The contract's form of any thrown value, for crossing a boundary without a stack. */
export function toContractError(err: unknown): ContractError {
  if (err instanceof HindsightError) {
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.reason ? { reason: err.reason } : {}) };
  }
  const message = err instanceof Error ? err.message : String(err);
  // SQLite tells a read-only or locked database in its own words; say it in ours.
  const sqlite = (err as { code?: unknown })?.code;
  if (sqlite === 'SQLITE_READONLY') return { code: 'db-unavailable', reason: 'db-readonly', message: 'The database is read-only: it can be searched, not changed.' };
  if (sqlite === 'SQLITE_BUSY') return { code: 'busy', message: 'Another Hindsight process is writing the database; try again when it has finished.' };
  return { code: 'internal', message: `Internal error: ${firstLine(message)}` };
}

/** A HindsightError again from its contract form (an error that crossed a process boundary). */
export function fromContractError(e: ContractError): HindsightError {
  const err = new HindsightError(e.code, e.message, e.hint ? { hint: e.hint } : {});
  if (e.reason) Object.defineProperty(err, 'reason', { value: e.reason });
  return err;
}

/** The CLI's exit code for an error. */
export function exitCodeOf(e: ContractError): number {
  return ERROR_CODES[e.code] ?? ERROR_CODES.internal;
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
