/**
 * Where a run keeps its files inside `<dataDir>/runs/<id>/` that both the service and the
 * training worker need to find. No tfjs import: the service process reads this too.
 */
import path from 'node:path';

/** The run's checkpoint directory (model.json, weights, optimizer state, config.json). */
export function checkpointDir(runDir: string): string {
  return path.join(runDir, 'checkpoint');
}
