import { describe, expect, it } from 'vitest';
import { ExplorerError } from '../../../app/contract';
import { dispatch } from '../../../app/service/dispatch';
import { makeService } from './fakes';

describe('dispatch', () => {
  const service = makeService();

  it('refuses unknown methods, including Object prototype names', async () => {
    for (const name of ['frob', 'constructor', 'toString', '__proto__', 42, null]) {
      const result = await dispatch(service, name, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it('validates arguments and names the bad field', async () => {
    const cases: unknown[] = [
      undefined,
      null,
      'folder',
      { folder: 42 },
      { folder: '' },
      { folder: 'a\0b' },
      { folder: '/tmp', extra: true },
      { folder: 'x'.repeat(5000) },
    ];
    for (const req of cases) {
      const result = await dispatch(service, 'openLibrary', req);
      expect(result.ok, JSON.stringify(req)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('BAD_REQUEST');
        expect(result.error.message).toMatch(/^Invalid arguments for openLibrary: /);
      }
    }
    const bad = await dispatch(service, 'openLibrary', { folder: 42 });
    expect(!bad.ok && bad.error.message).toContain('folder');
  });

  it('accepts nothing or {} for methods without arguments, and rejects anything else', async () => {
    expect((await dispatch(service, 'listJobs', undefined)).ok).toBe(true);
    expect((await dispatch(service, 'listJobs', {})).ok).toBe(true);
    expect(await dispatch(service, 'listJobs', { all: true })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await dispatch(service, 'cancelJob', { jobId: '../../etc' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
  });

  it('returns the value on success', async () => {
    const result = await dispatch(service, 'openLibrary', { folder: '/photos' });
    expect(result).toMatchObject({ ok: true, value: { folder: '/photos', imageCount: 2 } });
  });

  it('keeps the code of an ExplorerError and turns other throws into INTERNAL', async () => {
    const typed = makeService({
      library: {
        scan: async () => {
          throw new ExplorerError('PERMISSION_DENIED', 'Permission denied: /root');
        },
      },
    });
    expect(await dispatch(typed, 'openLibrary', { folder: '/root' })).toEqual({
      ok: false,
      error: { code: 'PERMISSION_DENIED', message: 'Permission denied: /root' },
    });
    const broken = makeService({
      engine: {
        status: async () => {
          throw new TypeError('boom');
        },
      },
    });
    const result = await dispatch(broken, 'getStatus', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(!result.ok && result.error.message).toContain('boom');
  });
});
