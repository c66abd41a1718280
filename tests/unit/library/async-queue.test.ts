import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../../app/library/async-queue';

describe('AsyncQueue', () => {
  it('hands items out in order, to waiting consumers first', async () => {
    const queue = new AsyncQueue<number>();
    const waiting = queue.next();
    queue.push(1);
    queue.push(2);
    expect(await waiting).toBe(1);
    expect(await queue.next()).toBe(2);
    for (let i = 0; i < 3000; i++) queue.push(i);
    for (let i = 0; i < 3000; i++) expect(await queue.next()).toBe(i);
  });

  it('drains, then ends, after close; close wakes waiting consumers', async () => {
    const queue = new AsyncQueue<string>();
    const a = queue.next();
    const b = queue.next();
    queue.close();
    expect(await a).toBeUndefined();
    expect(await b).toBeUndefined();
    const other = new AsyncQueue<string>();
    other.push('x');
    other.close();
    other.push('ignored');
    expect(await other.next()).toBe('x');
    expect(await other.next()).toBeUndefined();
    expect(other.size).toBe(0);
  });
});
