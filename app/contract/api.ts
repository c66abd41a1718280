/**
 * THE API of Latent Explorer. Every transport (Electron IPC, serve-mode HTTP, the in-process
 * CLI) exposes exactly this interface; the renderer sees nothing else of the core.
 *
 * Rules for DTOs: plain JSON values only (typed arrays are allowed once a codec needs them,
 * never tensors); every method takes at most one request object and returns a Promise.
 */
import type { ApiMethod, EventName } from './methods';
import type { ApiError } from './errors';
import type {
  DecodedImage,
  EpochReport,
  EvaluationReport,
  Posterior,
  PriorSample,
  RunDetail,
  RunInfo,
  StepReport,
  TrainingDefaults,
} from './training';
import type {
  AddFolderRequest,
  CancelJobRequest,
  DecodeRequest,
  EncodeRequest,
  EvaluateRunRequest,
  ReconstructRequest,
  RunRequest,
  SamplePriorRequest,
  TrainingDefaultsRequest,
  TrainingRequest,
  EmptyRequest,
  ListImagesRequest,
  ListProblemsRequest,
  OpenDemoRequest,
  PreprocessSpecInput,
  RemoveFolderRequest,
  RescanRequest,
} from './schemas';
import type {
  AttributeResult,
  EmbeddingsInfo,
  EncodeLibraryReport,
  ImagePosterior,
  InterpolationResult,
  LatentGridResult,
  LatentMap,
  LatentSummary,
  MapPointDecode,
  NeighborsResult,
  OutliersResult,
  ReplayFrame,
  ReplayInfo,
  TraversalResult,
} from './latent';
import type {
  AttributeRequest,
  ComputeMapRequest,
  DecodeMapPointRequest,
  EmbeddingsStatusRequest,
  EncodeLibraryRequest,
  GetMapRequest,
  GetReplayFrameRequest,
  GetReplayRequest,
  InterpolateRequest,
  LatentGridRequest,
  LatentSummaryRequest,
  NeighborsRequest,
  OutliersRequest,
  PosteriorRequest,
  TraverseRequest,
} from './latent-schemas';

export interface ExplorerApi {
  /** Versions, data directory, the active tfjs backend and what this transport can do. */
  getStatus(req?: EmptyRequest): Promise<AppStatus>;
  /** Shows the native folder picker (Electron only; serve mode answers UNSUPPORTED). */
  pickFolder(req?: EmptyRequest): Promise<PickFolderResult>;
  /** Opens the image catalogue of this data directory: its folders with their counts. */
  openLibrary(req?: EmptyRequest): Promise<LibraryState>;
  /**
   * Adds a folder to the library (idempotent) and ingests it incrementally as a cancellable
   * `ingest` job: decode, resize to the model input, thumbnail, record failures.
   */
  addFolder(req: AddFolderRequest): Promise<IngestReport>;
  /** Re-ingests one folder, or every folder: new, changed and deleted files are noticed. */
  rescan(req?: RescanRequest): Promise<IngestReport[]>;
  /** Removes a folder from the catalogue. The image files themselves are never touched. */
  removeFolder(req: RemoveFolderRequest): Promise<LibraryState>;
  /** A page of images, in path order; thumbnails are at {@link thumbnailUrl}(id). */
  listImages(req?: ListImagesRequest): Promise<ImagePage>;
  /** A page of the files and folders that could not be ingested, with the reason. */
  listProblems(req: ListProblemsRequest): Promise<ProblemPage>;
  /** Generates a demo dataset (once) into the data directory and adds it to the library. */
  openDemo(req: OpenDemoRequest): Promise<IngestReport>;
  /** Jobs that are running or finished recently, newest first. */
  listJobs(req?: EmptyRequest): Promise<JobInfo[]>;
  /** Asks a running job to stop; it finishes with state `cancelled`. */
  cancelJob(req: CancelJobRequest): Promise<CancelJobResult>;

  /** The model and settings a run gets by default for a model input (for forms' placeholders). */
  trainingDefaults(req: TrainingDefaultsRequest): Promise<TrainingDefaults>;
  /** Starts training a new run in a worker process; resolves once it is running. */
  startTraining(req: TrainingRequest): Promise<RunInfo>;
  /** Pauses a running run after its current step (the worker keeps the model in memory). */
  pauseTraining(req: RunRequest): Promise<RunInfo>;
  /** Resumes a paused run, or an interrupted/cancelled one from its last checkpoint. */
  resumeTraining(req: RunRequest): Promise<RunInfo>;
  /** Stops a run after saving a checkpoint (it can be resumed later). */
  cancelTraining(req: RunRequest): Promise<RunInfo>;
  /** The run that is training or paused now, if any. */
  trainingStatus(req?: EmptyRequest): Promise<RunInfo | null>;
  /** Every run (model) in the data directory with its latest checkpoint, newest first. */
  listRuns(req?: EmptyRequest): Promise<RunInfo[]>;
  /** A run with its metric history (for loss curves). */
  getRun(req: RunRequest): Promise<RunDetail>;
  /** Deletes a run and its checkpoints (not while it trains). */
  deleteRun(req: RunRequest): Promise<RunInfo[]>;
  /** Posterior q(z|x) of images: μ and log σ² per latent dimension. */
  encode(req: EncodeRequest): Promise<Posterior[]>;
  /** Decoder mean images for latent codes. */
  decode(req: DecodeRequest): Promise<DecodedImage[]>;
  /** decode(μ(x)) for images. */
  reconstruct(req: ReconstructRequest): Promise<DecodedImage[]>;
  /** Codes drawn from the prior N(0, I) (seeded) and their decodings. */
  samplePrior(req: SamplePriorRequest): Promise<PriorSample>;
  /** Validation −ELBO, and optionally the IWAE bound, as a cancellable `evaluate` job. */
  evaluateRun(req: EvaluateRunRequest): Promise<EvaluationReport>;

  // Latent-space operations. `runId` defaults to the latest completed run; operations on
  // stored embeddings need `encodeLibrary` first (done automatically when a run completes).
  /**
   * Encodes the run's folders with its current checkpoint and stores μ, log σ² and −ELBO per
   * image, as a cancellable `encode` job. Incremental: only new or changed images are encoded,
   * removed ones are dropped; a cancelled job keeps the batches it finished.
   */
  encodeLibrary(req?: EncodeLibraryRequest): Promise<EncodeLibraryReport>;
  /** What is stored for the run (null: nothing encoded yet). */
  embeddingsStatus(req?: EmbeddingsStatusRequest): Promise<EmbeddingsInfo | null>;
  /** μ, σ and KL to the prior per dimension of one image, file or code, with decode(μ). */
  posterior(req: PosteriorRequest): Promise<ImagePosterior>;
  /** Top-k library images nearest to an image, file or code, optionally within folders. */
  neighbors(req: NeighborsRequest): Promise<NeighborsResult>;
  /** Linear or spherical path through 2+ sources, decoded, with the on-manifold distance. */
  interpolate(req: InterpolateRequest): Promise<InterpolationResult>;
  /** One dimension or a direction swept around a source, in prior σ units, decoded. */
  traverse(req: TraverseRequest): Promise<TraversalResult>;
  /** Decoded grid over two dimensions at prior percentiles (the VAE manifold picture). */
  latentGrid(req: LatentGridRequest): Promise<LatentGridResult>;
  /** Per-dimension mean σ / KL, active units and folder agreement of neighbours. */
  latentSummary(req?: LatentSummaryRequest): Promise<LatentSummary>;
  /** 2-D map of the library (PCA, UMAP, t-SNE) as a cancellable `map` job, cached per checkpoint. */
  computeMap(req: ComputeMapRequest): Promise<LatentMap>;
  /** The cached map of the current checkpoint, or null. */
  getMap(req: GetMapRequest): Promise<LatentMap | null>;
  /** The latent code at a point of a map, decoded. */
  decodeMapPoint(req: DecodeMapPointRequest): Promise<MapPointDecode>;
  /** The attribute vector between two groups, its held-out consistency, applied to a target. */
  attributeVector(req: AttributeRequest): Promise<AttributeResult>;
  /** The library images the model explains worst (highest −ELBO). */
  outliers(req?: OutliersRequest): Promise<OutliersResult>;
  /** The run's training replay (null: none recorded), available while it trains. */
  getReplay(req?: GetReplayRequest): Promise<ReplayInfo | null>;
  /** One recorded step: the sample's 2-D positions and the decoded prior codes. */
  getReplayFrame(req: GetReplayFrameRequest): Promise<ReplayFrame>;
}

/** Events pushed by the core to every connected UI. */
export interface ExplorerEvents {
  'job:started': JobInfo;
  'job:progress': JobProgress;
  'job:finished': JobInfo;
  /** The set of folders or their counts changed (after add, rescan, remove, or an ingest batch). */
  'library:changed': LibraryState;
  'train:step': StepReport;
  'train:epoch': EpochReport;
  /** A run changed state, saved a checkpoint, or finished. */
  'train:state': RunInfo;
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
}

export interface PickFolderResult {
  /** The chosen folder, or null when the user closed the dialog. */
  folder: string | null;
}

/** How every image of a folder is turned into the model's square input. */
export type PreprocessSpec = PreprocessSpecInput;

export interface FolderInfo {
  id: number;
  /** Absolute real path of the folder. */
  path: string;
  addedAt: string;
  spec: PreprocessSpec;
  /** Images that decoded (duplicates included). */
  imageCount: number;
  /** Distinct contents among them (what training uses). */
  uniqueCount: number;
  duplicateCount: number;
  /** Image files that could not be ingested (see listProblems). */
  failedCount: number;
  /** Images recorded earlier whose files are gone. */
  missingCount: number;
  /** Entries the walk passed over: unreadable folders, unsupported formats, broken links. */
  skippedCount: number;
  /** Non-image files, ignored, as of the last ingest. */
  otherFileCount: number;
  /** Image count per decoded format (jpeg, png, webp, gif, tiff, avif). */
  byFormat: Record<string, number>;
  /** Bytes of the images that decoded. */
  totalBytes: number;
  /** The last completed ingest, or null if none completed yet. */
  lastIngest: { finishedAt: string; durationMs: number } | null;
}

export interface FormatSupport {
  format: string;
  supported: boolean;
  /** Why not, when unsupported (e.g. "BMP is not supported by this build of sharp"). */
  reason?: string;
}

export interface LibraryState {
  folders: FolderInfo[];
  /** Image formats and whether this installation decodes them. */
  formats: FormatSupport[];
  /** The preprocessing used for a folder added without one. */
  defaultSpec: PreprocessSpec;
}

export interface IngestReport {
  folder: FolderInfo;
  /** Files read and decoded in this run (new or changed). */
  processed: number;
  /** Files unchanged since the last ingest (nothing to do). */
  unchanged: number;
  /** Files that failed in this run. */
  failed: number;
  /** Files newly found missing. */
  missing: number;
  /** Entries skipped by the walk in this run. */
  skipped: number;
  durationMs: number;
}

export type ImageStatus = 'ok' | 'failed' | 'missing';

export interface ImageEntry {
  id: number;
  folderId: number;
  /** Path relative to its folder, `/`-separated. */
  relPath: string;
  /** File size in bytes. */
  size: number;
  width: number | null;
  height: number | null;
  format: string | null;
  status: ImageStatus;
  /** A stable kind (empty, truncated, corrupt, not-an-image, too-large, ...) when failed. */
  errorKind: string | null;
  error: string | null;
}

export interface ImagePage {
  total: number;
  offset: number;
  images: ImageEntry[];
}

export interface ProblemEntry {
  folderId: number;
  /** Path relative to the folder. */
  path: string;
  kind: string;
  reason: string;
  imageId: number | null;
}

export interface ProblemPage {
  /** Problems matching the request (of its kind, if one was given). */
  total: number;
  offset: number;
  /** Problem count per kind in the folder, whatever kind was requested. */
  byKind: Record<string, number>;
  problems: ProblemEntry[];
}

export type JobKind = 'ingest' | 'demo' | 'train' | 'evaluate' | 'encode' | 'map';
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
  /** Job-specific counters, e.g. `{ failed, unchanged, skipped }` for an ingest. */
  detail?: Record<string, number>;
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
