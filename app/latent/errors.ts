/**
 * Typed errors of the latent-space core. A `LatentError` is an `ExplorerError`, so when the service
 * lets one through, `dispatch()` sends it with its code: bad input is `BAD_REQUEST`, an aborted job
 * `CANCELLED`, a missing native index `UNSUPPORTED`. `reason` says which check failed.
 */
import { ExplorerError, type ErrorCode } from '../contract/errors';

export type LatentErrorReason =
  /** Array lengths do not match N, D or each other. */
  | 'bad-shape'
  /** NaN or ±Infinity where a number is required. */
  | 'non-finite'
  /** A row index outside 0..N-1 (or not an integer). */
  | 'bad-index'
  /** k is not a positive integer, or larger than the rows it may return. */
  | 'bad-k'
  /** An option is out of range or of the wrong kind. */
  | 'bad-option'
  /** A posterior metric was asked for a query that has no log-variance. */
  | 'needs-logvar'
  /** Too few rows (or group members) for the operation. */
  | 'not-enough-rows'
  /** More rows than the method handles (e.g. exact t-SNE's O(N²) memory). */
  | 'too-large'
  /** Folder restriction or agreement without folder ids in the table. */
  | 'no-folders'
  /** The AbortSignal fired. */
  | 'cancelled'
  /** A native library could not be loaded on this machine. */
  | 'unavailable';

function codeFor(reason: LatentErrorReason): ErrorCode {
  if (reason === 'cancelled') return 'CANCELLED';
  if (reason === 'unavailable') return 'UNSUPPORTED';
  return 'BAD_REQUEST';
}

export class LatentError extends ExplorerError {
  readonly reason: LatentErrorReason;

  constructor(reason: LatentErrorReason, message: string, details?: Record<string, unknown>) {
    super(codeFor(reason), message, { reason, ...details });
    this.name = 'LatentError';
    this.reason = reason;
  }
}

/** Throws `LatentError('cancelled')` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new LatentError('cancelled', `${what} was cancelled.`);
}

/** Lets other work run between chunks of a long computation (one macrotask turn). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Checks that `value` is an integer in [min, max]; `what` names it in the message. */
export function checkInteger(value: number, what: string, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `an integer ≥ ${min}` : `an integer in ${min}..${max}`;
    throw new LatentError('bad-option', `${what} must be ${range}, got ${String(value)}.`, {
      [what]: value,
    });
  }
}

/** Checks that `value` is a finite number; `what` names it in the message. */
export function checkFiniteNumber(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new LatentError('non-finite', `${what} must be a finite number, got ${String(value)}.`);
  }
}
