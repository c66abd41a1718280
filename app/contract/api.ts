/**
 * THE API of Latent Explorer. Every transport (Electron IPC, serve-mode HTTP, the in-process
 * CLI) exposes exactly this interface; the renderer sees nothing else of the core.
 *
 * Rules for DTOs: plain JSON values only (typed arrays are allowed once a codec needs them,
 * never tensors); every method takes at most one request object and returns a Promise.
 */
import type { ApiMethod, EventName } from './methods';
import type { ApiError } from './errors';
import type { CancelJobRequest, EmptyRequest, OpenLibraryRequest } from './schemas';

export interface ExplorerApi {
  /** Versions, data directory, the active tfjs backend and what this transport can do. */
  getStatus(req?: EmptyRequest): Promise<AppStatus>;
  /** Shows the native folder picker (Electron only; serve mode answers UNSUPPORTED). */
  pickFolder(req?: EmptyRequest): Promise<PickFolderResult>;
  /** Scans a folder (recursively, as a cancellable job) and makes it the open library. */
  openLibrary(req: OpenLibraryRequest): Promise<LibraryInfo>;
  /** Jobs that are running or finished recently, newest first. */
  listJobs(req?: EmptyRequest): Promise<JobInfo[]>;
  /** Asks a running job to stop; it finishes with state `cancelled`. */
  cancelJob(req: CancelJobRequest): Promise<CancelJobResult>;
}

/** Events pushed by the core to every connected UI. */
export interface ExplorerEvents {
  'job:started': JobInfo;
  'job:progress': JobProgress;
  'job:finished': JobInfo;
  'library:opened': LibraryInfo;
}

export type RequestOf<M extends ApiMethod> = Parameters<ExplorerApi[M]>[0];
export type ResponseOf<M extends ApiMethod> = Awaited<ReturnType<ExplorerApi[M]>>;
export type EventListener<E extends EventName> = (payload: ExplorerEvents[E]) => void;

// ---------------------------------------------------------------------------------------------
// DTOs
// ---------------------------------------------------------------------------------------------

/** TensorFlow.js backends in order of preference. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendAttempt {
  name: BackendName;
  /** The npm package that provides it, e.g. `@tensorflow/tfjs-node-gpu`. */
  package: string;
  ok: boolean;
  /** Why it was skipped or failed; absent when it is the active one. */
  reason?: string;
}

export interface EngineStatus {
  /** The active backend, or null if none could be initialised. */
  backend: BackendName | null;
  /** Which package provides the active backend. */
  backendPackage: string | null;
  device: 'gpu' | 'cpu' | null;
  tfjsVersion: string;
  /** Every backend tried, in order, with the reason the skipped ones were skipped. */
  attempts: BackendAttempt[];
  /** Backend requested with `LATENT_EXPLORER_BACKEND` or `--backend`, if any. */
  requested: BackendName | null;
  /** Set when the requested backend could not be used, or no backend works. */
  warning?: string;
}

export interface AppStatus {
  appName: string;
  appVersion: string;
  runtime: { node: string; electron: string | null; platform: string; arch: string };
  dataDir: string;
  engine: EngineStatus;
  capabilities: { nativeFolderPicker: boolean };
  /** The library opened last in this session, if any. */
  library: LibraryInfo | null;
}

export interface PickFolderResult {
  /** The chosen folder, or null when the user closed the dialog. */
  folder: string | null;
}

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface LibraryInfo {
  /** Absolute, resolved path of the folder. */
  folder: string;
  imageCount: number;
  /** Image count per format, keyed by lower-case format name (jpeg, png, webp, ...). */
  byFormat: Record<string, number>;
  /** Total size in bytes of the image files. */
  totalBytes: number;
  /** Files that are not images by their extension (ignored). */
  otherFileCount: number;
  /** Entries that could not be read, with the reason (at most the first 200). */
  skipped: SkippedEntry[];
  /** How many entries were skipped in all. */
  skippedCount: number;
  scannedAt: string;
  durationMs: number;
}

export type JobKind = 'scan';
export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  jobId: string;
  kind: JobKind;
  done: number;
  /** Null while the total is unknown (e.g. while a folder is still being walked). */
  total: number | null;
  /** What `done` counts, e.g. `files`. */
  unit: string;
  message?: string;
  /** Items per second since the job started. */
  ratePerSec: number;
  /** Seconds left, when the total is known. */
  etaSec: number | null;
}

export interface JobInfo {
  id: string;
  kind: JobKind;
  label: string;
  state: JobState;
  startedAt: string;
  finishedAt: string | null;
  progress: JobProgress;
  error: ApiError | null;
}

export interface CancelJobResult {
  /** False when the job had already finished. */
  cancelled: boolean;
}

// ---------------------------------------------------------------------------------------------
// Compile-time proof that API_METHODS / EVENT_NAMES list exactly the interface's members.
// ---------------------------------------------------------------------------------------------
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const methodsMatch: Exact<ApiMethod, keyof ExplorerApi> = true;
const eventsMatch: Exact<EventName, keyof ExplorerEvents> = true;
void methodsMatch;
void eventsMatch;
