/** Turns anything thrown inside the core into the {@link ApiError} a transport sends. */
import { ExplorerError, type ApiError } from '../contract';

export function toApiError(error: unknown): ApiError {
  if (error instanceof ExplorerError) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  // Unexpected: keep the stack in the log of the process that owns the core.
  console.error('Unexpected error in Latent Explorer core:', error);
  return { code: 'INTERNAL', message: `Internal error: ${message}` };
}
