/**
 * A lazily filled, paged view of the images of one folder (or of all folders): the grid asks
 * for the items it shows, and only the pages of {@link PAGE_SIZE} images that cover them are
 * fetched with `listImages`, then cached. When the library changes, cached pages are marked
 * stale and refetched as they are shown again, while their old entries stay on screen meanwhile
 * (no flicker while an ingest adds images).
 */
import { SvelteMap } from 'svelte/reactivity';
import type { ImageEntry } from '$contract/api';
import { api } from '../api';
import { pagesFor } from '../lib/virtual-grid';

export const PAGE_SIZE = 200;
/** Pages kept in memory (10,000 entries); the ones farthest from where the user looks go first. */
const MAX_PAGES = 50;

export class ImagePager {
  /** How many images there are, from the latest answer; null before the first one. */
  total = $state<number | null>(null);
  /** Bumped when cached pages become stale, so views ask again for what they show. */
  revision = $state(0);

  readonly #pages = new SvelteMap<number, ImageEntry[]>();
  // Bookkeeping that nothing renders: plain collections on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #stale = new Set<number>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #inflight = new Map<number, Promise<void>>();
  readonly #onError: (error: unknown) => void;
  #folderId: number | null = null;
  /** Answers to requests made before the last reset are dropped. */
  #generation = 0;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  get folderId(): number | null {
    return this.#folderId;
  }

  /** Shows another folder (null = all folders): forgets everything and loads the first page. */
  reset(folderId: number | null): void {
    this.#folderId = folderId;
    this.#generation += 1;
    this.#pages.clear();
    this.#stale.clear();
    this.#inflight.clear();
    this.total = null;
    this.revision += 1;
    void this.#fetch(0);
  }

  /** The library changed: refetch pages as they are shown, keeping their entries until then. */
  invalidate(): void {
    for (const page of this.#pages.keys()) this.#stale.add(page);
    // With nothing on screen, no view asks for a page: learn the new total right away.
    if (!this.total && !this.#inflight.has(0)) void this.#fetch(0);
    this.revision += 1;
  }

  get(index: number): ImageEntry | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Makes sure items `start` up to `end` (exclusive) are loaded or loading. */
  ensure(start: number, end: number): void {
    for (const page of pagesFor(start, end, PAGE_SIZE)) {
      if (this.#inflight.has(page)) continue;
      if (!this.#pages.has(page) || this.#stale.has(page)) void this.#fetch(page);
    }
  }

  /** The entry at `index`, fetching its page if needed. */
  async at(index: number): Promise<ImageEntry | undefined> {
    const page = Math.floor(index / PAGE_SIZE);
    if (!this.#pages.has(page)) await (this.#inflight.get(page) ?? this.#fetch(page));
    return this.get(index);
  }

  #fetch(page: number): Promise<void> {
    const generation = this.#generation;
    const folderId = this.#folderId;
    this.#stale.delete(page);
    const request = (async () => {
      try {
        const answer = await api.listImages({
          ...(folderId === null ? {} : { folderId }),
          status: 'ok',
          offset: page * PAGE_SIZE,
          limit: PAGE_SIZE,
        });
        if (generation !== this.#generation) return;
        this.total = answer.total;
        this.#pages.set(page, answer.images);
        // Pages past the end are gone (images were removed); far-away pages make room.
        const kept = [...this.#pages.keys()].filter((other) => {
          if (other === page || other * PAGE_SIZE < answer.total) return true;
          this.#pages.delete(other);
          return false;
        });
        kept.sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
        for (const far of kept.slice(0, Math.max(0, kept.length - MAX_PAGES))) {
          this.#pages.delete(far);
          this.#stale.delete(far);
        }
      } catch (error) {
        if (generation === this.#generation) this.#onError(error);
      } finally {
        if (generation === this.#generation) this.#inflight.delete(page);
      }
    })();
    this.#inflight.set(page, request);
    return request;
  }
}
