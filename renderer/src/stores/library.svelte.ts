/**
 * The library: every folder of the catalogue with its counts, which one is shown, and the
 * actions on folders. Folders can also change outside this page (the Electron File menu, another
 * browser tab, the CLI on the same data directory), so the state follows `library:changed` and
 * the job events rather than only this page's own calls; it is reloaded after a reconnect.
 */
import type { FolderInfo, JobInfo, LibraryState, PreprocessSpec } from '$contract/api';
import { ExplorerError } from '$contract/errors';
import type { DemoDataset } from '$contract/schemas';
import { api, on, watchConnection } from '../api';
import { errors } from './errors.svelte';

/** An ingest (or demo) that was cancelled: what it was and how to go on. */
export interface CancelledIngest {
  jobId: string;
  label: string;
  /** The folder it ingested, when known: its images are what was kept. */
  folderId: number | null;
  /** Files that had been ingested when it stopped (a fallback when the folder is unknown). */
  done: number;
}

export const DEMO_NAMES: Record<DemoDataset, string> = {
  'fashion-mnist': 'Fashion-MNIST',
  shapes: 'Shapes',
};

/**
 * The folder a job works on: `detail.folderId` when the core reports it, else the folder whose
 * path ends the job's label (`Ingesting /a/b`; the longest match, so `/a/b` wins over `b`).
 */
export function folderOfJob(job: JobInfo, folders: FolderInfo[]): FolderInfo | null {
  const id = job.progress.detail?.folderId;
  if (id !== undefined) return folders.find((f) => f.id === id) ?? null;
  let best: FolderInfo | null = null;
  for (const folder of folders) {
    if (job.label.endsWith(folder.path) && folder.path.length > (best?.path.length ?? 0)) {
      best = folder;
    }
  }
  return best;
}

function isCancelled(error: unknown): boolean {
  return error instanceof ExplorerError && error.code === 'CANCELLED';
}

class LibraryStore {
  state = $state<LibraryState | null>(null);
  /** The folder shown in the browser; null = all folders. */
  selectedId = $state<number | null>(null);
  /** What this page has asked for and is waiting on (folder paths, demo names). */
  pending = $state<string[]>([]);
  cancelled = $state<CancelledIngest | null>(null);
  /** The job this page asked to cancel, until it finishes. */
  cancellingJobId = $state<string | null>(null);

  folders = $derived(this.state?.folders ?? []);
  selected = $derived(this.folders.find((f) => f.id === this.selectedId) ?? null);

  /** Set while this page adds a folder, so the new folder is selected as soon as it appears. */
  #selectNew = false;

  start(): () => void {
    let dropped = false;
    const offs = [
      on('library:changed', (state) => this.#apply(state)),
      on('job:finished', (job) => this.#finished(job)),
      watchConnection((connection) => {
        if (connection === 'reconnecting' || connection === 'closed') dropped = true;
        if (connection === 'open' && dropped) {
          dropped = false;
          void this.load();
        }
      }),
    ];
    void this.load();
    return () => offs.forEach((off) => off());
  }

  async load(): Promise<void> {
    try {
      this.#apply(await api.openLibrary());
      errors.clear('library-load');
    } catch (error) {
      errors.report('library-load', error);
    }
  }

  select(folderId: number | null): void {
    this.selectedId = folderId;
  }

  #apply(state: LibraryState): void {
    const known = new Set(this.folders.map((f) => f.id));
    this.state = state;
    if (this.#selectNew) {
      const added = state.folders.find((f) => !known.has(f.id));
      if (added) {
        this.selectedId = added.id;
        this.#selectNew = false;
      }
    }
    if (this.selectedId !== null && !state.folders.some((f) => f.id === this.selectedId)) {
      this.selectedId = null;
    }
  }

  /** Puts a folder the core returned into the state, in case its event was missed. */
  #upsert(folder: FolderInfo): void {
    if (!this.state) return;
    const folders = this.state.folders.some((f) => f.id === folder.id)
      ? this.state.folders.map((f) => (f.id === folder.id ? folder : f))
      : [...this.state.folders, folder];
    this.state = { ...this.state, folders };
  }

  #finished(job: JobInfo): void {
    if (job.id === this.cancellingJobId) this.cancellingJobId = null;
    if (job.state !== 'cancelled' || (job.kind !== 'ingest' && job.kind !== 'demo')) return;
    const folder = job.kind === 'ingest' ? folderOfJob(job, this.folders) : null;
    const failed = job.progress.detail?.failed ?? 0;
    this.cancelled = {
      jobId: job.id,
      label: job.label,
      folderId: folder?.id ?? null,
      done: Math.max(0, job.progress.done - failed),
    };
  }

  async #track<T>(label: string, source: string, work: () => Promise<T>): Promise<T | null> {
    errors.clear(source);
    this.cancelled = null;
    this.pending = [...this.pending, label];
    try {
      return await work();
    } catch (error) {
      // Cancelling is not a failure: the job:finished event shows what was kept.
      if (!isCancelled(error)) errors.report(source, error);
      return null;
    } finally {
      const i = this.pending.indexOf(label);
      this.pending = this.pending.filter((_, j) => j !== i);
    }
  }

  /** Adds a folder and ingests it; resolves true when the ingest completed. */
  async add(folder: string, spec?: PreprocessSpec): Promise<boolean> {
    const selectionBefore = this.selectedId;
    this.#selectNew = true;
    const report = await this.#track(folder, 'library', () =>
      api.addFolder(spec ? { folder, spec } : { folder }),
    );
    this.#selectNew = false;
    if (!report) return false;
    this.#upsert(report.folder);
    // Show the folder, unless the user picked another one meanwhile.
    if (this.selectedId === selectionBefore || this.selectedId === report.folder.id) {
      this.selectedId = report.folder.id;
    }
    return true;
  }

  async openDemo(dataset: DemoDataset): Promise<boolean> {
    this.#selectNew = true;
    const report = await this.#track(`the ${DEMO_NAMES[dataset]} demo`, 'demo', () =>
      api.openDemo({ dataset }),
    );
    this.#selectNew = false;
    if (!report) return false;
    this.#upsert(report.folder);
    this.selectedId = report.folder.id;
    return true;
  }

  /** Re-ingests one folder (or all with `undefined`): new, changed and deleted files. */
  async rescan(folderId?: number): Promise<boolean> {
    const folder = this.folders.find((f) => f.id === folderId);
    const label = folder ? folder.path : 'every folder';
    const reports = await this.#track(label, 'library', () =>
      api.rescan(folderId === undefined ? {} : { folderId }),
    );
    for (const report of reports ?? []) this.#upsert(report.folder);
    return reports !== null;
  }

  async remove(folderId: number): Promise<boolean> {
    errors.clear('library');
    try {
      this.#apply(await api.removeFolder({ folderId }));
      if (this.cancelled?.folderId === folderId) this.cancelled = null;
      return true;
    } catch (error) {
      errors.report('library', error);
      return false;
    }
  }

  async cancel(jobId: string): Promise<void> {
    errors.clear('cancel');
    this.cancellingJobId = jobId;
    try {
      const { cancelled } = await api.cancelJob({ jobId });
      if (!cancelled && this.cancellingJobId === jobId) this.cancellingJobId = null;
    } catch (error) {
      if (this.cancellingJobId === jobId) this.cancellingJobId = null;
      errors.report('cancel', error);
    }
  }

  dismissCancelled(): void {
    this.cancelled = null;
  }
}

export const library = new LibraryStore();
