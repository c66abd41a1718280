/**
 * A minimal unbounded async FIFO between one producer (the folder walk) and several consumers
 * (decode workers). `next()` resolves with undefined once the queue is closed and drained;
 * `close()` also wakes every waiting consumer (used for cancellation).
 */
export class AsyncQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waiting: ((item: T | undefined) => void)[] = [];
  private closed = false;

  get size(): number {
    return this.items.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds an item; ignored once the queue is closed. */
  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  /** No more items will be pushed. Items already queued are still handed out by `next()`. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(undefined);
  }

  /** Closes the queue and drops what is still queued. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.close();
  }

  next(): Promise<T | undefined> {
    if (this.head < this.items.length) {
      const item = this.items[this.head] as T;
      this.items[this.head] = undefined as T;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
