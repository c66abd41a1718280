/**
 * Typed errors that cross every transport (IPC, HTTP, CLI).
 *
 * Electron drops custom fields from errors thrown across IPC, so every transport
 * carries an {@link ApiResult} instead of throwing: `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }`.
 */

export const ERROR_CODES = [
  /** The request's arguments do not match the method's schema. */
  'BAD_REQUEST',
  /** The method name is not part of {@link API_METHODS}. */
  'UNKNOWN_METHOD',
  /** Missing or wrong serve-mode token, or an untrusted IPC sender. */
  'UNAUTHORIZED',
  /** A file, folder, job or other named thing does not exist. */
  'NOT_FOUND',
  /** A path exists but is not a folder where a folder is required. */
  'NOT_A_DIRECTORY',
  /** The operating system refused access to a file or folder. */
  'PERMISSION_DENIED',
  /** The user or a caller cancelled the job. */
  'CANCELLED',
  /** The feature is not available through this transport or on this machine. */
  'UNSUPPORTED',
  /** Another job holds the resource this call needs. */
  'BUSY',
  /** A bug or an unexpected failure; the message says what happened. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The serialisable form of an error, as it crosses a transport. */
export interface ApiError {
  code: ErrorCode;
  /** A sentence a user can act on, naming the file or argument involved. */
  message: string;
  /** Optional structured detail, e.g. the failing path or the validation issues. */
  details?: Record<string, unknown>;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** The error class thrown inside the core and rebuilt by clients from an {@link ApiError}. */
export class ExplorerError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ExplorerError';
    this.code = code;
    this.details = details;
  }

  toJSON(): ApiError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromApiError(error: ApiError): ExplorerError {
    return new ExplorerError(error.code, error.message, error.details);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** HTTP status used by serve mode for each error code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNKNOWN_METHOD: 404,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  NOT_A_DIRECTORY: 400,
  PERMISSION_DENIED: 403,
  CANCELLED: 409,
  UNSUPPORTED: 501,
  BUSY: 409,
  INTERNAL: 500,
};
