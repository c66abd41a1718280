/** Errors the user should see: one dismissible notice per source (the latest one wins). */
import { ExplorerError, type ErrorCode } from '$contract/errors';

export interface Notice {
  id: number;
  /** What failed, e.g. `library` or `cancel`; a new error from the same source replaces the old. */
  source: string;
  code: ErrorCode | null;
  message: string;
}

export function describeError(error: unknown): { code: ErrorCode | null; message: string } {
  if (error instanceof ExplorerError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: null, message: error.message || error.name };
  return { code: null, message: String(error) };
}

class ErrorStore {
  items = $state<Notice[]>([]);
  #nextId = 1;

  report(source: string, error: unknown): void {
    const notice: Notice = { id: this.#nextId++, source, ...describeError(error) };
    this.items = [...this.items.filter((n) => n.source !== source), notice];
  }

  clear(source: string): void {
    this.items = this.items.filter((n) => n.source !== source);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}

export const errors = new ErrorStore();
