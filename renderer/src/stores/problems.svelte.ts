/** One page at a time of a folder's "skipped" list (`listProblems`): files that were not ingested. */
import type { ProblemPage } from '$contract/api';
import { api } from '../api';
import { describeError } from './errors.svelte';

export const PROBLEMS_PAGE_SIZE = 100;

export class ProblemList {
  page = $state<ProblemPage | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  folderId = $state<number | null>(null);

  /** Answers to older requests are dropped (the user paged on, or chose another folder). */
  #request = 0;

  async load(folderId: number, offset = 0): Promise<void> {
    const request = ++this.#request;
    if (folderId !== this.folderId) this.page = null;
    this.folderId = folderId;
    this.loading = true;
    this.error = null;
    try {
      const page = await api.listProblems({ folderId, offset, limit: PROBLEMS_PAGE_SIZE });
      if (request !== this.#request) return;
      // A page past the end (problems were fixed meanwhile): show the last one instead.
      if (page.problems.length === 0 && offset > 0 && page.total > 0) {
        const last = Math.floor((page.total - 1) / PROBLEMS_PAGE_SIZE) * PROBLEMS_PAGE_SIZE;
        return void (await this.load(folderId, last));
      }
      this.page = page;
    } catch (error) {
      if (request === this.#request) this.error = describeError(error).message;
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  reload(): Promise<void> {
    return this.folderId === null ? Promise.resolve() : this.load(this.folderId, this.page?.offset);
  }
}
