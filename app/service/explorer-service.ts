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
} from '../contract';
import type { Library } from '../library';
import { EventBus } from './event-bus';
import { JobRunner, type JobRunnerOptions } from './jobs';
import { LibraryController, type IngestTuning, type MediaFile } from './library-controller';

export interface FolderDialogs {
  /** Shows a native folder picker; resolves null when the user cancels. */
  pickFolder(): Promise<string | null>;
}

export interface ServiceDeps {
  appVersion: string;
  dataDir: string;
  /** `process.versions.electron` inside Electron, null elsewhere. */
  electronVersion: string | null;
  engine: { status(): Promise<EngineStatus> };
  /** Opens (or creates) the image catalogue in a folder. */
  openLibrary: (dir: string) => Promise<Library>;
  /** Present only where a native dialog exists (Electron). */
  dialogs: FolderDialogs | null;
  jobs?: JobRunnerOptions;
  fashionMnistSource?: string;
  ingest?: IngestTuning;
}

export class ExplorerService implements ExplorerApi {
  readonly events = new EventBus();
  private readonly jobs: JobRunner;
  private readonly library: LibraryController;

  constructor(private readonly deps: ServiceDeps) {
    this.jobs = new JobRunner(this.events, deps.jobs);
    this.library = new LibraryController({
      dataDir: deps.dataDir,
      openLibrary: deps.openLibrary,
      events: this.events,
      jobs: this.jobs,
      ...(deps.fashionMnistSource !== undefined ? { fashionMnistSource: deps.fashionMnistSource } : {}),
      ...(deps.ingest !== undefined ? { ingest: deps.ingest } : {}),
    });
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
      engine: await this.deps.engine.status(),
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

  /**
   * Thumbnail or original bytes for the media URLs of `app/contract/media.ts` (not part of the
   * JSON contract: transports serve them as plain HTTP / protocol responses). Null: no such image.
   */
  readMedia(kind: MediaKind, imageId: number): Promise<MediaFile | null> {
    return this.library.readMedia(kind, imageId);
  }

  /** Cancels running jobs, waits for them to settle, and closes the catalogue. */
  async dispose(): Promise<void> {
    await this.jobs.cancelAllAndWait();
    await this.library.close();
  }
}
