/**
 * The list of every method of {@link ExplorerApi}. Kept free of any dependency so the
 * Electron preload (a sandboxed CommonJS bundle) can import it without pulling in the schemas.
 *
 * The Electron IPC handlers, the preload bridge, the serve-mode router and the renderer's HTTP
 * client are all generated from this list; `api.ts` checks it matches the interface exactly.
 */
export const API_METHODS = [
  'getStatus',
  'pickFolder',
  'openLibrary',
  'addFolder',
  'rescan',
  'removeFolder',
  'listImages',
  'listProblems',
  'openDemo',
  'listJobs',
  'cancelJob',
  'trainingDefaults',
  'startTraining',
  'pauseTraining',
  'resumeTraining',
  'cancelTraining',
  'trainingStatus',
  'listRuns',
  'getRun',
  'deleteRun',
  'encode',
  'decode',
  'reconstruct',
  'samplePrior',
  'evaluateRun',
  'encodeLibrary',
  'embeddingsStatus',
  'posterior',
  'neighbors',
  'interpolate',
  'traverse',
  'latentGrid',
  'latentSummary',
  'computeMap',
  'getMap',
  'decodeMapPoint',
  'attributeVector',
  'outliers',
  'getReplay',
  'getReplayFrame',
] as const;

export type ApiMethod = (typeof API_METHODS)[number];

/** Events pushed from the core to every connected UI (see `ExplorerEvents`). */
export const EVENT_NAMES = [
  'job:started',
  'job:progress',
  'job:finished',
  'library:changed',
  'train:step',
  'train:epoch',
  'train:state',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/** IPC channel for a method: `explorer:<method>`. */
export function ipcChannel(method: ApiMethod): string {
  return `explorer:${method}`;
}

/** IPC channel on which the main process forwards every event as `(name, payload)`. */
export const IPC_EVENT_CHANNEL = 'explorer:event';

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && (API_METHODS as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}
