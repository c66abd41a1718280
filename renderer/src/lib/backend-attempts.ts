/**
 * The rows of the backend popover: every backend the engine tried, in order, with a key that is
 * unique per row. Two attempts can share a backend name (tfjs-node-gpu and tfjs-node both register
 * `tensorflow`), so the package, not the name, identifies an attempt, and only the attempt whose
 * package is active is marked active.
 */
import type { BackendAttempt, EngineStatus } from '$contract/api';

export type AttemptState = 'Active' | 'Available' | 'Skipped';

export interface AttemptRow {
  /** Unique within the list: the package, with the position as a tie-breaker. */
  key: string;
  attempt: BackendAttempt;
  state: AttemptState;
}

export function attemptRows(engine: EngineStatus): AttemptRow[] {
  let activeMarked = false;
  return engine.attempts.map((attempt, index) => {
    const isActive =
      !activeMarked &&
      attempt.ok &&
      attempt.name === engine.backend &&
      (engine.backendPackage === null || attempt.package === engine.backendPackage);
    if (isActive) activeMarked = true;
    const state: AttemptState = isActive ? 'Active' : attempt.ok ? 'Available' : 'Skipped';
    return { key: `${index}:${attempt.package}`, attempt, state };
  });
}
