/**
 * The arithmetic of a virtualised grid of fixed-size cells: how many columns fit, which rows
 * are visible for a scroll position, and where a given item is. Pure functions, no DOM, so a
 * grid of 100 000 items renders only the few dozen cells on screen.
 */

export interface GridMetrics {
  /** Cell width and height in CSS pixels, gap between cells included. */
  cellWidth: number;
  rowHeight: number;
}

export interface GridWindow {
  columns: number;
  rows: number;
  /** First and one-past-last item index to render (overscan included). */
  start: number;
  end: number;
  /** The row of `start`: the rendered block is translated down by `firstRow * rowHeight`. */
  firstRow: number;
  /** Height of the whole (mostly empty) scroll area. */
  height: number;
}

export function columnsFor(width: number, cellWidth: number): number {
  return Math.max(1, Math.floor(width / cellWidth));
}

export function gridWindow(
  total: number,
  viewport: { width: number; height: number; scrollTop: number },
  metrics: GridMetrics,
  overscanRows = 2,
): GridWindow {
  const columns = columnsFor(viewport.width, metrics.cellWidth);
  const rows = Math.ceil(Math.max(0, total) / columns);
  const height = rows * metrics.rowHeight;
  const top = Math.max(0, viewport.scrollTop);
  const firstVisible = Math.floor(top / metrics.rowHeight);
  const lastVisible = Math.ceil((top + Math.max(0, viewport.height)) / metrics.rowHeight);
  const firstRow = Math.min(Math.max(0, firstVisible - overscanRows), Math.max(0, rows - 1));
  const endRow = Math.min(rows, lastVisible + overscanRows);
  const start = Math.min(total, firstRow * columns);
  const end = Math.min(total, Math.max(start, endRow * columns));
  return { columns, rows, start, end, firstRow, height };
}

/**
 * The scrollTop that brings item `index` fully into view, or null if it already is (so a
 * keyboard walk through the items scrolls only when it must).
 */
export function scrollToReveal(
  index: number,
  columns: number,
  viewport: { height: number; scrollTop: number },
  rowHeight: number,
): number | null {
  const top = Math.floor(index / Math.max(1, columns)) * rowHeight;
  if (top < viewport.scrollTop) return top;
  if (top + rowHeight > viewport.scrollTop + viewport.height) {
    return Math.max(0, top + rowHeight - viewport.height);
  }
  return null;
}

/** Page indexes (of `pageSize` items) that cover items `start` up to `end` (exclusive). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const first = Math.floor(start / pageSize);
  const last = Math.floor((end - 1) / pageSize);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
