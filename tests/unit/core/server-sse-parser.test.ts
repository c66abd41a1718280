/** The page's reader of serve mode's event stream (renderer/src/lib/sse-parser.ts). */
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../renderer/src/lib/sse-parser';

describe('SseParser', () => {
  it('parses what the server sends, in any chunking', () => {
    const stream =
      'retry: 2000\n\n: ping\n\nevent: job:started\ndata: {"id":"a"}\n\n' +
      'event: library:changed\r\ndata: {"folders":\r\ndata: []}\r\n\r\n';
    const expected = [
      { event: 'job:started', data: '{"id":"a"}' },
      { event: 'library:changed', data: '{"folders":\n[]}' },
    ];
    for (const size of [1, 2, 3, 7, stream.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) {
        events.push(...parser.push(stream.slice(i, i + size)));
      }
      expect(events, `chunks of ${size}`).toEqual(expected);
      expect(parser.retryMs).toBe(2000);
    }
  });

  it('drops a half-received event when a new connection starts', () => {
    const parser = new SseParser();
    expect(parser.push('event: job:started\ndata: {"id"')).toEqual([]);
    parser.reset();
    expect(parser.push('event: job:finished\ndata: 1\n\n')).toEqual([
      { event: 'job:finished', data: '1' },
    ]);
  });
});
