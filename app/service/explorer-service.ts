/**
 * ExplorerService implements the contract by composing the core modules. Its dependencies are
 * passed in (see {@link ServiceDeps}) so tests can replace them; `create.ts` wires the real ones.
 */
import {
  ExplorerError,
  type AddFolderRequest,
  type AppStatus,
  type CancelJobRequest,
  type CancelJobResult,
  type EngineStatus,
  type ExplorerApi,
  type ImagePage,
  type IngestReport,
  type JobInfo,
  type LibraryState,
  type ListImagesRequest,
  type ListProblemsRequest,
  type MediaKind,
  type OpenDemoRequest,
  type PickFolderResult,
  type ProblemPage,
  type RemoveFolderRequest,
  type RescanRequest,
  type DecodeRequest,
  type DecodedImage,
  type EncodeRequest,
  type EvaluateRunRequest,
  type EvaluationReport,
  type Posterior,
  type PriorSample,
  type ReconstructRequest,
  type RunDetail,
  type RunInfo,
  type RunRequest,
  type SamplePriorRequest,
  type TrainingDefaults,
  type TrainingDefaultsRequest,
  type TrainingRequest,
  type AttributeRequest,
  type AttributeResult,
  type ComputeMapRequest,
  type DecodeMapPointRequest,
  type EmbeddingsInfo,
  type EmbeddingsStatusRequest,
  type EncodeLibraryReport,
  type EncodeLibraryRequest,
  type GetMapRequest,
  type GetReplayFrameRequest,
  type GetReplayRequest,
  type ReplayFrame,
  type ReplayInfo,
  type ImagePosterior,
  type InterpolateRequest,
  type InterpolationResult,
  type LatentGridRequest,
  type LatentGridResult,
  type LatentMap,
  type LatentSummary,
  type LatentSummaryRequest,
  type MapPointDecode,
  type NeighborsRequest,
  type NeighborsResult,
  type OutliersRequest,
  type OutliersResult,
  type PosteriorRequest,
  type TraversalResult,
  type TraverseRequest,
} from '../contract';
import type { ModelArgs, ModelResult } from '../engine/worker/protocol';
import type { Library, OpenLibraryOptions } from '../library';
import { dataDirLayout } from '../paths';
import type { DataDirAccess } from './data-dir-lock';
import { EventBus } from './event-bus';
import { JobRunner, type JobRunnerOptions } from './jobs';
import { LibraryController, type IngestTuning, type MediaFile } from './library-controller';
import { LatentController } from './latent-controller';
import { ModelClient } from './model-client';
import { RunStore } from './run-store';
import { TrainingController } from './training-controller';
import { trainingDefaults } from './training-settings';
import type { WorkerSpawner } from './worker-port';

export interface FolderDialogs {
  /** Shows a native folder picker; resolves null when the user cancels. */
  pickFolder(): Promise<string | null>;
}

export interface ServiceDeps {
  appVersion: string;
  dataDir: string;
  /** `process.versions.electron` inside Electron, null elsewhere. */
  electronVersion: string | null;
  /** Where the engine status comes from; defaults to what the model worker reports when ready. */
  engine?: { status(): Promise<EngineStatus> };
  /** Opens (or creates) the image catalogue in a folder. */
  openLibrary: (dir: string, options?: OpenLibraryOptions) => Promise<Library>;
  /**
   * Writer (the default): this process owns the data directory; `release` (its writer lock) is
   * called by dispose. Reader: everything is read as stored and nothing is written.
   */
  access?: DataDirAccess;
  /** Present only where a native dialog exists (Electron). */
  dialogs: FolderDialogs | null;
  jobs?: JobRunnerOptions;
  fashionMnistSource?: string;
  ingest?: IngestTuning;
  /** Images per batch of the encode job (tests make it small to cancel between batches). */
  encodeBatch?: number;
  /** Starts engine worker processes (child processes in Node, utility processes in Electron). */
  spawnWorker: WorkerSpawner;
}

export class ExplorerService implements ExplorerApi {
  readonly events = new EventBus();
  private readonly jobs: JobRunner;
  private readonly library: LibraryController;
  private readonly training: TrainingController;
  private readonly model: ModelClient;
  private readonly latent: LatentController;
  private readonly access: DataDirAccess;
  private disposed: Promise<void> | null = null;

  constructor(private readonly deps: ServiceDeps) {
    this.access = deps.access ?? { mode: 'writer', release: () => {} };
    const reader = this.access.mode === 'reader' ? this.access : null;
    this.jobs = new JobRunner(this.events, deps.jobs);
    this.library = new LibraryController({
      dataDir: deps.dataDir,
      openLibrary: (dir, options) => deps.openLibrary(dir, options),
      readOnly: reader !== null,
      events: this.events,
      jobs: this.jobs,
      ...(deps.fashionMnistSource !== undefined
        ? { fashionMnistSource: deps.fashionMnistSource }
        : {}),
      ...(deps.ingest !== undefined ? { ingest: deps.ingest } : {}),
    });
    this.training = new TrainingController({
      dataDir: deps.dataDir,
      runs: new RunStore(deps.dataDir),
      reader,
      events: this.events,
      jobs: this.jobs,
      spawn: deps.spawnWorker,
      folders: async () => (await this.library.state()).folders,
    });
    this.model = new ModelClient(deps.spawnWorker, dataDirLayout(deps.dataDir).library);
    this.latent = new LatentController({
      library: () => this.library.open(),
      readOnly: reader !== null,
      training: this.training,
      model: this.model,
      jobs: this.jobs,
      events: this.events,
      ...(deps.encodeBatch !== undefined ? { encodeBatch: deps.encodeBatch } : {}),
    });
    // A completed run's library is encoded at once, so its latent space is ready to explore.
    if (reader === null) {
      this.events.on('train:state', (run) => {
        if (run.state === 'completed' && this.disposed === null)
          this.latent.encodeLibrary({ runId: run.id }).catch(() => undefined);
      });
    }
  }

  async getStatus(): Promise<AppStatus> {
    return {
      appName: 'Latent Explorer',
      appVersion: this.deps.appVersion,
      runtime: {
        node: process.versions.node,
        electron: this.deps.electronVersion,
        platform: process.platform,
        arch: process.arch,
      },
      dataDir: this.deps.dataDir,
      engine: await (this.deps.engine?.status() ?? this.model.engineStatus()),
      capabilities: { nativeFolderPicker: this.deps.dialogs !== null },
    };
  }

  async pickFolder(): Promise<PickFolderResult> {
    if (this.deps.dialogs === null) {
      throw new ExplorerError(
        'UNSUPPORTED',
        'There is no native folder picker in serve mode: type the folder path on the server instead.',
      );
    }
    return { folder: await this.deps.dialogs.pickFolder() };
  }

  openLibrary(): Promise<LibraryState> {
    return this.library.state();
  }

  addFolder(req: AddFolderRequest): Promise<IngestReport> {
    return this.library.addFolder(req);
  }

  rescan(req?: RescanRequest): Promise<IngestReport[]> {
    return this.library.rescan(req);
  }

  removeFolder(req: RemoveFolderRequest): Promise<LibraryState> {
    return this.library.removeFolder(req.folderId);
  }

  listImages(req?: ListImagesRequest): Promise<ImagePage> {
    return this.library.listImages(req);
  }

  listProblems(req: ListProblemsRequest): Promise<ProblemPage> {
    return this.library.listProblems(req);
  }

  openDemo(req: OpenDemoRequest): Promise<IngestReport> {
    return this.library.openDemo(req.dataset);
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.jobs.list();
  }

  async cancelJob(req: CancelJobRequest): Promise<CancelJobResult> {
    if (!this.jobs.has(req.jobId)) {
      throw new ExplorerError('NOT_FOUND', `No job with id ${req.jobId}.`, { jobId: req.jobId });
    }
    return { cancelled: this.jobs.cancel(req.jobId) };
  }

  async trainingDefaults(req: TrainingDefaultsRequest): Promise<TrainingDefaults> {
    return trainingDefaults(req.size, req.channels, req.architecture);
  }

  startTraining(req: TrainingRequest): Promise<RunInfo> {
    return this.training.start(req);
  }

  pauseTraining(req: RunRequest): Promise<RunInfo> {
    return this.training.pause(req.runId);
  }

  resumeTraining(req: RunRequest): Promise<RunInfo> {
    return this.training.resume(req.runId);
  }

  cancelTraining(req: RunRequest): Promise<RunInfo> {
    return this.training.cancel(req.runId);
  }

  trainingStatus(): Promise<RunInfo | null> {
    return this.training.status();
  }

  listRuns(): Promise<RunInfo[]> {
    return this.training.list();
  }

  getRun(req: RunRequest): Promise<RunDetail> {
    return this.training.detail(req.runId);
  }

  async deleteRun(req: RunRequest): Promise<RunInfo[]> {
    const runs = await this.training.remove(req.runId);
    (await this.library.open()).embeddings.dropRun(req.runId);
    return runs;
  }

  private async infer<M extends 'encode' | 'decode' | 'reconstruct' | 'samplePrior'>(
    method: M,
    runId: string | undefined,
    args: ModelArgs<M>,
  ): Promise<ModelResult<M>> {
    const { run, dir } = await this.latent.resolveRun(runId);
    return this.model.call(method, { checkpointDir: dir, spec: run.spec }, args);
  }

  encode(req: EncodeRequest): Promise<Posterior[]> {
    return this.infer('encode', req.runId, { imageIds: req.imageIds });
  }

  decode(req: DecodeRequest): Promise<DecodedImage[]> {
    return this.infer('decode', req.runId, { latents: req.latents });
  }

  reconstruct(req: ReconstructRequest): Promise<DecodedImage[]> {
    return this.infer('reconstruct', req.runId, { imageIds: req.imageIds });
  }

  samplePrior(req: SamplePriorRequest): Promise<PriorSample> {
    return this.infer('samplePrior', req.runId, {
      count: req.count,
      ...(req.seed !== undefined ? { seed: req.seed } : {}),
    });
  }

  async evaluateRun(req: EvaluateRunRequest): Promise<EvaluationReport> {
    const { run, dir } = await this.training.checkpointOf(req.runId);
    const job = this.jobs.start('evaluate', `Evaluating ${run.id}`, 'images', async (ctx) => {
      const value = await this.model.call(
        'evaluate',
        { checkpointDir: dir, spec: run.spec },
        {
          folderIds: run.settings.folderIds,
          validationFraction: run.settings.validationFraction,
          iwaeSamples: req.iwaeSamples ?? 0,
          ...(req.maxImages !== undefined ? { maxImages: req.maxImages } : {}),
        },
        { signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) },
      );
      return { runId: run.id, ...value };
    });
    return job.result;
  }

  // ------------------------------------------------------------------ latent-space operations
  encodeLibrary(req?: EncodeLibraryRequest): Promise<EncodeLibraryReport> {
    return this.latent.encodeLibrary(req ?? {});
  }

  embeddingsStatus(req?: EmbeddingsStatusRequest): Promise<EmbeddingsInfo | null> {
    return this.latent.embeddingsStatus(req?.runId);
  }

  async posterior(req: PosteriorRequest): Promise<ImagePosterior> {
    return (await this.latent.call('posterior', req.runId, { source: req.source })).value;
  }

  async neighbors(req: NeighborsRequest): Promise<NeighborsResult> {
    const { runId, ...args } = req;
    const { run, value } = await this.latent.call('neighbors', runId, args);
    return { runId: run.id, step: run.checkpoint.step, ...value };
  }

  async interpolate(req: InterpolateRequest): Promise<InterpolationResult> {
    const { runId, ...args } = req;
    const { run, value } = await this.latent.call('interpolate', runId, args);
    return { runId: run.id, ...value };
  }

  async traverse(req: TraverseRequest): Promise<TraversalResult> {
    const { runId, ...args } = req;
    const { run, value } = await this.latent.call('traverse', runId, args);
    return { runId: run.id, ...value };
  }

  async latentGrid(req: LatentGridRequest): Promise<LatentGridResult> {
    const { runId, ...args } = req;
    const { run, value } = await this.latent.call('latentGrid', runId, args);
    return { runId: run.id, ...value };
  }

  async latentSummary(req?: LatentSummaryRequest): Promise<LatentSummary> {
    const args = req?.k !== undefined ? { k: req.k } : {};
    const { run, value } = await this.latent.call('latentSummary', req?.runId, args);
    return { runId: run.id, step: run.checkpoint.step, ...value };
  }

  computeMap(req: ComputeMapRequest): Promise<LatentMap> {
    return this.latent.computeMap(req);
  }

  getMap(req: GetMapRequest): Promise<LatentMap | null> {
    return this.latent.getMap(req.runId, req.method);
  }

  async decodeMapPoint(req: DecodeMapPointRequest): Promise<MapPointDecode> {
    const { runId, ...args } = req;
    return (await this.latent.call('decodeMapPoint', runId, args)).value;
  }

  async attributeVector(req: AttributeRequest): Promise<AttributeResult> {
    const { runId, ...args } = req;
    const { run, value } = await this.latent.call('attributeVector', runId, args);
    return { runId: run.id, ...value };
  }

  async outliers(req?: OutliersRequest): Promise<OutliersResult> {
    const args = {
      limit: req?.limit ?? 20,
      ...(req?.folderIds !== undefined ? { folderIds: req.folderIds } : {}),
    };
    const { run, value } = await this.latent.call('outliers', req?.runId, args);
    return { runId: run.id, step: run.checkpoint.step, ...value };
  }

  getReplay(req?: GetReplayRequest): Promise<ReplayInfo | null> {
    return this.latent.replay(req?.runId);
  }

  getReplayFrame(req: GetReplayFrameRequest): Promise<ReplayFrame> {
    return this.latent.replayFrame(req.runId, req.step);
  }

  /**
   * Thumbnail or original bytes for the media URLs of `app/contract/media.ts` (not part of the
   * JSON contract: transports serve them as plain HTTP / protocol responses). Null: no such image.
   */
  readMedia(kind: MediaKind, imageId: number): Promise<MediaFile | null> {
    return this.library.readMedia(kind, imageId);
  }

  /**
   * Stops training (after a checkpoint, its final state written), cancels jobs, stops workers,
   * closes the catalogue and releases the writer lock. Idempotent.
   */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      try {
        await this.training.dispose();
        await this.jobs.cancelAllAndWait();
        this.model.dispose();
        await this.library.close();
      } finally {
        if (this.access.mode === 'writer') this.access.release();
      }
    })();
    return this.disposed;
  }
}
