/** Jobs as the core reports them through `job:*` events, seeded with `listJobs` at start. */
import { SvelteMap } from 'svelte/reactivity';
import type { JobInfo, JobKind, JobProgress } from '$contract/api';
import { api, on, watchConnection } from '../api';
import { errors } from './errors.svelte';

/** Finished jobs kept in memory; running ones are always kept. */
const KEEP_FINISHED = 20;

class JobStore {
  readonly byId = new SvelteMap<string, JobInfo>();

  /** Running jobs of the given kinds, oldest first. */
  runningOf(...kinds: JobKind[]): JobInfo[] {
    return [...this.byId.values()]
      .filter((job) => job.state === 'running' && kinds.includes(job.kind))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  #put(job: JobInfo): void {
    // A list fetched before a job:finished event must not bring the job back to life.
    const known = this.byId.get(job.id);
    if (known && known.state !== 'running' && job.state === 'running') return;
    this.byId.set(job.id, job);
    const finished = [...this.byId.values()]
      .filter((j) => j.state !== 'running')
      .sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''));
    for (const old of finished.slice(KEEP_FINISHED)) this.byId.delete(old.id);
  }

  #progress(progress: JobProgress): void {
    const job = this.byId.get(progress.jobId);
    if (job) {
      if (job.state === 'running') this.byId.set(job.id, { ...job, progress });
      return;
    }
    // The `job:started` event was missed (the page connected mid-job): show what we know now,
    // and fetch the job's full description.
    this.#put({
      id: progress.jobId,
      kind: progress.kind,
      label: `Running ${progress.kind} job`,
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      progress,
      error: null,
    });
    void this.#sync();
  }

  /** Takes the core's list as the truth for the jobs it names (e.g. after a reconnect). */
  async #sync(): Promise<void> {
    try {
      const listed = await api.listJobs();
      const ids = new Set(listed.map((job) => job.id));
      // A running job the core no longer lists ended while we were not listening.
      const gone = [...this.byId.values()].filter((j) => j.state === 'running' && !ids.has(j.id));
      for (const job of gone) this.byId.delete(job.id);
      for (const job of listed) this.#put(job);
    } catch (error) {
      errors.report('jobs', error);
    }
  }

  /**
   * Subscribes to job events and loads the current list; loads it again whenever the event
   * stream comes back after a drop, since events sent meanwhile are lost. Returns the
   * unsubscribe function.
   */
  start(): () => void {
    let dropped = false;
    const offs = [
      on('job:started', (job) => this.#put(job)),
      on('job:progress', (progress) => this.#progress(progress)),
      on('job:finished', (job) => this.#put(job)),
      watchConnection((state) => {
        if (state === 'reconnecting' || state === 'closed') dropped = true;
        if (state === 'open' && dropped) {
          dropped = false;
          void this.#sync();
        }
      }),
    ];
    void this.#sync();
    return () => offs.forEach((off) => off());
  }
}

export const jobs = new JobStore();
