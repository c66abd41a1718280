/**
 * The open library and the state of opening one. Scans can also be started outside this page
 * (the Electron File menu, another browser tab), so progress and cancellation follow the job
 * events rather than only this page's own `openLibrary` call.
 */
import type { JobInfo, LibraryInfo } from '$contract/api';
import { ExplorerError } from '$contract/errors';
import { api, on } from '../api';
import { errors } from './errors.svelte';

class LibraryStore {
  current = $state<LibraryInfo | null>(null);
  /** The folder this page is opening, while its `openLibrary` call runs. */
  opening = $state<string | null>(null);
  /** What the last cancelled scan was (its job label), until the next open or dismissal. */
  cancelled = $state<string | null>(null);
  /** The job this page asked to cancel, until it finishes. */
  cancellingJobId = $state<string | null>(null);

  /** Follows libraries opened and scans cancelled by any UI; returns the unsubscribe function. */
  start(): () => void {
    const offs = [
      on('library:opened', (info) => {
        this.current = info;
      }),
      on('job:finished', (job) => this.#finished(job)),
    ];
    return () => offs.forEach((off) => off());
  }

  #finished(job: JobInfo): void {
    if (job.id === this.cancellingJobId) this.cancellingJobId = null;
    if (job.kind === 'scan' && job.state === 'cancelled') this.cancelled = job.label;
  }

  /** Shows the library the core already has open (from `getStatus`), unless one is shown. */
  adopt(info: LibraryInfo | null): void {
    if (info && !this.current) this.current = info;
  }

  async open(folder: string): Promise<void> {
    if (this.opening !== null) return;
    errors.clear('library');
    errors.clear('cancel');
    this.cancelled = null;
    this.opening = folder;
    try {
      this.current = await api.openLibrary({ folder });
    } catch (error) {
      // Cancelling is not a failure. The job:finished event names the scan; this covers the
      // case where the event stream was down when it came.
      if (error instanceof ExplorerError && error.code === 'CANCELLED') {
        this.cancelled ??= `the scan of ${folder}`;
      } else {
        errors.report('library', error);
      }
    } finally {
      this.opening = null;
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
