/**
 * Collects ingest results and commits them in batches: pixels of newly decoded contents are
 * appended to the spec's cache (slots reserved first, written and fsync'ed), then everything is
 * applied to the catalogue in one transaction. Flushes run one after another; when more than
 * two are queued, `push` waits, so decoded pixels cannot pile up behind a slow disk.
 * After a failed flush nothing more is written and `error` holds the cause.
 */
import { performance } from 'node:perf_hooks';
import type { BatchItem, Catalogue, FileIdentity } from './catalogue';
import type { DecodeResult } from './decode';
import type { PixelCacheFile } from './pixel-cache';

/** A batch item, or a decoded image whose pixels still have to be written. */
export type PendingItem =
  | BatchItem
  | {
      op: 'decoded';
      file: FileIdentity;
      hash: string;
      result: Extract<DecodeResult, { ok: true }>;
    };

export interface BatchWriterOptions {
  /** Items other than `seen` per transaction. */
  batchSize: number;
  /** Longest wait before results are committed. */
  batchMaxMs: number;
  /** Called once, with the first flush error. */
  onError: (error: unknown) => void;
}

export class BatchWriter {
  private batch: PendingItem[] = [];
  private heavy = 0;
  private lastFlush = performance.now();
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  error: unknown = null;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly scanId: number,
    private readonly cache: { id: number; file: PixelCacheFile },
    private readonly options: BatchWriterOptions,
  ) {}

  async push(item: PendingItem): Promise<void> {
    this.batch.push(item);
    if (item.op !== 'seen') this.heavy++;
    const due = performance.now() - this.lastFlush >= this.options.batchMaxMs;
    // `seen` rows are tiny updates: many fit in one transaction.
    if (this.heavy >= this.options.batchSize || this.batch.length >= 1024 || due) {
      void this.flush();
      if (this.queued > 2) await this.chain;
    }
  }

  /** Commits everything pushed so far; resolves when it (and earlier flushes) are done. */
  flush(): Promise<void> {
    const items = this.batch;
    this.batch = [];
    this.heavy = 0;
    this.lastFlush = performance.now();
    if (items.length === 0) return this.chain;
    this.queued++;
    this.chain = this.chain
      .then(() => this.write(items))
      .catch((error: unknown) => {
        if (this.error === null) {
          this.error = error;
          this.options.onError(error);
        }
      })
      .finally(() => {
        this.queued--;
      });
    return this.chain;
  }

  private async write(items: PendingItem[]): Promise<void> {
    if (this.error !== null) return;
    const decoded = items.filter(
      (i): i is Extract<PendingItem, { op: 'decoded' }> => i.op === 'decoded',
    );
    const slots = new Map<PendingItem, number>();
    if (decoded.length > 0) {
      const first = this.catalogue.reserveSlots(this.cache.id, decoded.length);
      await this.cache.file.writeSlots(
        first,
        decoded.map((i) => i.result.pixels),
      );
      decoded.forEach((item, k) => slots.set(item, first + k));
    }
    this.catalogue.applyBatch(
      this.scanId,
      items.map((item): BatchItem => {
        if (item.op !== 'decoded') return item;
        const { meta, thumbnail } = item.result;
        return {
          op: 'ok',
          file: item.file,
          hash: item.hash,
          content: {
            meta,
            thumb: thumbnail.data,
            thumbWidth: thumbnail.width,
            thumbHeight: thumbnail.height,
          },
          pixels: { cacheId: this.cache.id, slot: slots.get(item) as number },
        };
      }),
    );
  }
}
