/**
 * TensorFlow.js backend selection. Preference order (DESIGN.md):
 *   1. `tensorflow` from @tensorflow/tfjs-node-gpu (CUDA), then from @tensorflow/tfjs-node (CPU,
 *      libtensorflow with oneDNN); both are optional dependencies whose install downloads
 *      libtensorflow, so either may be missing;
 *   2. `wasm` (@tensorflow/tfjs-backend-wasm, XNNPACK);
 *   3. `cpu` (pure JavaScript, always available).
 * A backend can be requested with `LATENT_EXPLORER_BACKEND` / `--backend`; when it cannot be
 * used the next one in order is taken and the report says why. Code outside app/engine never
 * names a backend: it shows the {@link EngineStatus} this module returns.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendAttempt, BackendName, EngineStatus } from '../contract';
import { BACKEND_ENV, BACKEND_NAMES, parseBackendName } from './backend-names';

export { BACKEND_ENV, BACKEND_NAMES, parseBackendName };

interface Candidate {
  name: BackendName;
  package: string;
  /** Loads the package and makes its backend active; throws with a reason if it cannot. */
  activate(): Promise<{ device: 'gpu' | 'cpu'; note?: string }>;
}

/** Hooks for tests: replace how a package is imported. */
export interface BackendLoaders {
  importModule(specifier: string): Promise<unknown>;
}

const defaultLoaders: BackendLoaders = {
  // The specifier is a variable on purpose: the optional packages may be absent, and a literal
  // would make bundlers and the type checker insist on resolving them.
  importModule: (specifier: string) => import(/* @vite-ignore */ specifier),
};

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  if (/Cannot find (package|module)/.test(firstLine)) {
    return 'not installed (optional dependency; its install downloads libtensorflow, which was skipped or failed)';
  }
  return firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
}

async function activateRegistered(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

function candidates(loaders: BackendLoaders): Candidate[] {
  const nodeBinding = (pkg: string, wantsGpu: boolean): Candidate => ({
    name: 'tensorflow',
    package: pkg,
    async activate() {
      await loaders.importModule(pkg);
      if (tf.findBackend('tensorflow') === null) {
        throw new Error(`${pkg} loaded but did not register the 'tensorflow' backend`);
      }
      await activateRegistered('tensorflow');
      // tfjs-node-gpu falls back to the CPU build of libtensorflow when CUDA is unusable.
      const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
      const onGpu = backend.isUsingGpuDevice === true;
      if (wantsGpu && !onGpu) {
        return { device: 'cpu', note: 'no usable CUDA device: libtensorflow runs on the CPU' };
      }
      return { device: onGpu ? 'gpu' : 'cpu' };
    },
  });
  return [
    nodeBinding('@tensorflow/tfjs-node-gpu', true),
    nodeBinding('@tensorflow/tfjs-node', false),
    {
      name: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      async activate() {
        await loaders.importModule('@tensorflow/tfjs-backend-wasm');
        await activateRegistered('wasm');
        return { device: 'cpu' };
      },
    },
    {
      name: 'cpu',
      package: '@tensorflow/tfjs-backend-cpu',
      async activate() {
        await activateRegistered('cpu');
        return { device: 'cpu' };
      },
    },
  ];
}

export interface SelectBackendOptions {
  /** `tensorflow`, `wasm`, `cpu` or `auto`; defaults to the environment variable. */
  requested?: string | null;
  loaders?: BackendLoaders;
}

/**
 * Tries the backends in order (the requested one first) and activates the first that works.
 * Never throws: the pure-JS `cpu` backend is always available, and the report lists the reason
 * each skipped backend was skipped.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<EngineStatus> {
  const raw = options.requested !== undefined ? options.requested : process.env[BACKEND_ENV];
  const parsed = parseBackendName(raw);
  const requested = parsed === 'invalid' ? null : parsed;
  const all = candidates(options.loaders ?? defaultLoaders);
  const ordered =
    requested === null
      ? all
      : [...all.filter((c) => c.name === requested), ...all.filter((c) => c.name !== requested)];

  const attempts: BackendAttempt[] = [];
  const warnings: string[] = [];
  if (parsed === 'invalid') {
    warnings.push(
      `Unknown backend "${raw}" requested (expected one of auto, ${BACKEND_NAMES.join(', ')}); choosing automatically.`,
    );
  }
  for (const candidate of ordered) {
    try {
      const { device, note } = await candidate.activate();
      attempts.push({
        name: candidate.name,
        package: candidate.package,
        ok: true,
        ...(note ? { reason: note } : {}),
      });
      if (requested !== null && candidate.name !== requested) {
        const why = attempts
          .filter((a) => a.name === requested)
          .map((a) => a.reason)
          .join('; ');
        warnings.push(
          `The requested backend "${requested}" is unavailable (${why}); using "${candidate.name}".`,
        );
      }
      return {
        backend: candidate.name,
        backendPackage: candidate.package,
        device,
        tfjsVersion: tf.version.tfjs,
        attempts,
        requested,
        ...(warnings.length > 0 ? { warning: warnings.join(' ') } : {}),
      };
    } catch (error) {
      attempts.push({
        name: candidate.name,
        package: candidate.package,
        ok: false,
        reason: describe(error),
      });
    }
  }
  return {
    backend: null,
    backendPackage: null,
    device: null,
    tfjsVersion: tf.version.tfjs,
    attempts,
    requested,
    warning: [...warnings, 'No TensorFlow.js backend could be initialised.'].join(' '),
  };
}

let selection: Promise<EngineStatus> | null = null;

/** Selects the backend once per process and returns the same report afterwards. */
export function ensureBackend(options: SelectBackendOptions = {}): Promise<EngineStatus> {
  selection ??= selectBackend(options);
  return selection;
}
