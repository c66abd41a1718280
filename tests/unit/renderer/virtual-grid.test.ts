import { describe, expect, it } from 'vitest';
import {
  columnsFor,
  gridWindow,
  pagesFor,
  scrollToReveal,
} from '../../../renderer/src/lib/virtual-grid';

const metrics = { cellWidth: 100, rowHeight: 120 };

describe('virtual grid', () => {
  it('fits whole columns and at least one', () => {
    expect(columnsFor(1050, 100)).toBe(10);
    expect(columnsFor(40, 100)).toBe(1);
  });

  it('renders only the visible rows plus overscan for 100k items', () => {
    const w = gridWindow(100_000, { width: 1000, height: 600, scrollTop: 120 * 500 }, metrics);
    expect(w.columns).toBe(10);
    expect(w.rows).toBe(10_000);
    expect(w.height).toBe(1_200_000);
    expect(w.firstRow).toBe(498);
    expect(w.start).toBe(4980);
    expect(w.end).toBe(5070); // rows 498..506: 5 visible + 2 overscan each side
    expect(w.end - w.start).toBeLessThan(100);
  });

  it('clamps at both ends and handles empty and short lists', () => {
    expect(gridWindow(0, { width: 1000, height: 600, scrollTop: 0 }, metrics)).toMatchObject({
      start: 0,
      end: 0,
      rows: 0,
      height: 0,
    });
    expect(gridWindow(7, { width: 1000, height: 600, scrollTop: 0 }, metrics)).toMatchObject({
      start: 0,
      end: 7,
      rows: 1,
    });
    const past = gridWindow(95, { width: 1000, height: 600, scrollTop: 99_999 }, metrics);
    expect(past.end).toBe(95);
    expect(past.start).toBeLessThanOrEqual(past.end);
    expect(gridWindow(50, { width: 1000, height: 600, scrollTop: -40 }, metrics).start).toBe(0);
  });

  it('scrolls only when an item is out of view', () => {
    expect(scrollToReveal(25, 10, { height: 600, scrollTop: 0 }, 120)).toBeNull();
    expect(scrollToReveal(95, 10, { height: 600, scrollTop: 0 }, 120)).toBe(1080 + 120 - 600);
    expect(scrollToReveal(5, 10, { height: 600, scrollTop: 500 }, 120)).toBe(0);
  });

  it('lists the pages that cover a window', () => {
    expect(pagesFor(0, 0, 200)).toEqual([]);
    expect(pagesFor(150, 450, 200)).toEqual([0, 1, 2]);
    expect(pagesFor(200, 400, 200)).toEqual([1]);
  });
});
