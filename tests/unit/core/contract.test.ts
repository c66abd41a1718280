import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  API_METHODS,
  API_SCHEMAS,
  ERROR_CODES,
  EVENT_NAMES,
  ExplorerError,
  HTTP_STATUS,
  PAGE_CSP,
  createApiClient,
  formatBytes,
  formatDuration,
  ipcChannel,
  originalUrl,
  parseMediaPath,
  thumbnailUrl,
  isApiMethod,
  isEventName,
} from '../../../app/contract';

describe('contract', () => {
  it('lists each method once and has a schema for every method', () => {
    expect(new Set(API_METHODS).size).toBe(API_METHODS.length);
    expect(Object.keys(API_SCHEMAS).sort()).toEqual([...API_METHODS].sort());
    expect(new Set(EVENT_NAMES).size).toBe(EVENT_NAMES.length);
  });

  it('maps every error code to an HTTP status', () => {
    for (const code of ERROR_CODES) expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
  });

  it('recognises methods and events, and nothing else', () => {
    expect(isApiMethod('addFolder')).toBe(true);
    expect(isApiMethod('constructor')).toBe(false);
    expect(isApiMethod('__proto__')).toBe(false);
    expect(isApiMethod(42)).toBe(false);
    expect(isEventName('job:progress')).toBe(true);
    expect(isEventName('job:nope')).toBe(false);
    expect(ipcChannel('getStatus')).toBe('explorer:getStatus');
  });

  it('accepts only well-formed media paths', () => {
    expect(parseMediaPath('/media/thumb/12')).toEqual({ kind: 'thumb', imageId: 12 });
    expect(parseMediaPath('/media/original/3')).toEqual({ kind: 'original', imageId: 3 });
    for (const bad of [
      '/media/thumb/0',
      '/media/thumb/01',
      '/media/thumb/-1',
      '/media/thumb/1/',
      '/media/thumb/../1',
      '/media/thumb/%31',
      '/media/other/1',
      '/media/thumb/9999999999999999',
    ]) {
      expect(parseMediaPath(bad), bad).toBeNull();
    }
    expect(thumbnailUrl(5)).toBe('media/thumb/5');
    expect(originalUrl(5)).toBe('media/original/5');
  });

  it('round-trips ExplorerError through its wire form', () => {
    const error = new ExplorerError('NOT_FOUND', 'Folder not found: /x', { path: '/x' });
    const back = ExplorerError.fromApiError(
      JSON.parse(JSON.stringify(error)) as ReturnType<ExplorerError['toJSON']>,
    );
    expect(back).toBeInstanceOf(ExplorerError);
    expect(back.code).toBe('NOT_FOUND');
    expect(back.message).toBe('Folder not found: /x');
    expect(back.details).toEqual({ path: '/x' });
  });

  it('builds a client that unwraps values and rethrows typed errors', async () => {
    const calls: [string, unknown][] = [];
    const api = createApiClient(async (method, req) => {
      calls.push([method, req]);
      if (method === 'addFolder')
        return { ok: false, error: { code: 'NOT_FOUND', message: 'Folder not found: /nope' } };
      return { ok: true, value: { cancelled: true } };
    });
    await expect(api.cancelJob({ jobId: 'job-1-a' })).resolves.toEqual({ cancelled: true });
    const failure = api.addFolder({ folder: '/nope' });
    await expect(failure).rejects.toBeInstanceOf(ExplorerError);
    await expect(failure).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Folder not found: /nope',
    });
    expect(calls).toEqual([
      ['cancelJob', { jobId: 'job-1-a' }],
      ['addFolder', { folder: '/nope' }],
    ]);
    expect(Object.keys(api).sort()).toEqual([...API_METHODS].sort());
  });

  it('keeps the page policy of renderer/index.html equal to the one both transports send', () => {
    const html = readFileSync(new URL('../../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    // Meta tags cannot carry frame-ancestors; the headers add it.
    expect(`${meta}; frame-ancestors 'none'`).toBe(PAGE_CSP);
  });

  it('formats sizes and durations for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatBytes(-1)).toBe('?');
    expect(formatDuration(4.2)).toBe('4s');
    expect(formatDuration(75)).toBe('1m 15s');
    expect(formatDuration(3725)).toBe('1h 2m');
    expect(formatDuration(null)).toBe('–');
  });
});
