/**
 * ExplorerService implements the contract by composing the core modules. Its dependencies are
 * passed in (see {@link ServiceDeps}) so tests can use fakes; `create.ts` wires the real ones.
 */
import {
  ExplorerError,
  type AppStatus,
  type CancelJobRequest,
  type CancelJobResult,
  type EngineStatus,
  type ExplorerApi,
  type JobInfo,
  type LibraryInfo,
  type OpenLibraryRequest,
  type PickFolderResult,
} from '../contract';
import { EventBus } from './event-bus';
import { JobRunner, type JobRunnerOptions } from './jobs';
import type { ScanOptions, ScanProgress } from '../library/scan';

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
  library: { scan(folder: string, options: ScanOptions): Promise<LibraryInfo> };
  /** Present only where a native dialog exists (Electron). */
  dialogs: FolderDialogs | null;
  jobs?: JobRunnerOptions;
}

export class ExplorerService implements ExplorerApi {
  readonly events = new EventBus();
  private readonly jobs: JobRunner;
  private library: LibraryInfo | null = null;
  private currentScan: string | null = null;

  constructor(private readonly deps: ServiceDeps) {
    this.jobs = new JobRunner(this.events, deps.jobs);
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
      library: this.library,
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

  async openLibrary(req: OpenLibraryRequest): Promise<LibraryInfo> {
    // Opening a new folder supersedes a scan still running for the previous one.
    if (this.currentScan !== null) this.jobs.cancel(this.currentScan);
    const job = this.jobs.start('scan', `Scanning ${req.folder}`, 'files', (ctx) =>
      this.deps.library.scan(req.folder, {
        signal: ctx.signal,
        onProgress: (p: ScanProgress) => ctx.progress(p.filesSeen, null, p.currentFolder),
      }),
    );
    this.currentScan = job.id;
    try {
      const info = await job.result;
      this.library = info;
      this.events.emit('library:opened', info);
      return info;
    } finally {
      if (this.currentScan === job.id) this.currentScan = null;
    }
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

  /** Cancels running jobs; call before the process exits. */
  async dispose(): Promise<void> {
    this.jobs.cancelAll();
  }
}
