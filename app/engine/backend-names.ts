/**
 * The names of the TensorFlow.js backends and how a requested one is parsed: plain data with no
 * tfjs import, so the service, the CLI and the Electron main process can name the environment
 * variable and check `--backend` without loading TensorFlow.js (only engine workers do that).
 */
import type { BackendName } from '../contract';

/** The environment variable that requests a backend (inherited by the engine workers). */
export const BACKEND_ENV = 'LATENT_EXPLORER_BACKEND';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Parses a requested backend name; `auto`/empty means no preference. */
export function parseBackendName(value: string | undefined | null): BackendName | null | 'invalid' {
  if (value === undefined || value === null || value === '' || value === 'auto') return null;
  return (BACKEND_NAMES as readonly string[]).includes(value) ? (value as BackendName) : 'invalid';
}
