import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplorerError } from '../../../app/contract';
import type { ExplorerService } from '../../../app/service/explorer-service';
import { dispatch } from '../../../app/service/dispatch';
import { makeService, makeTestEnv, writeImages, type TestEnv } from './fakes';

let env: TestEnv;
let service: ExplorerService;
beforeAll(async () => {
  env = await makeTestEnv();
  service = makeService(env.dataDir);
});
afterAll(async () => {
  await service.dispose();
  await env.cleanup();
});

describe('dispatch', () => {
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
      const result = await dispatch(service, 'addFolder', req);
      expect(result.ok, JSON.stringify(req)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('BAD_REQUEST');
        expect(result.error.message).toMatch(/^Invalid arguments for addFolder: /);
      }
    }
    const spec = { size: 8, channels: 2, fit: 'stretch', background: { r: 0, g: 0, b: 300 } };
    const badSpec = await dispatch(service, 'addFolder', { folder: '/x', spec });
    expect(!badSpec.ok && badSpec.error.message).toMatch(
      /spec\.size.*spec\.channels.*spec\.fit.*spec\.background\.b/,
    );
    for (const req of [{ folderId: 0 }, { folderId: 1.5 }, { folderId: '1' }, {}]) {
      expect(await dispatch(service, 'removeFolder', req), JSON.stringify(req)).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    }
    expect(await dispatch(service, 'listImages', { limit: 5000 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await dispatch(service, 'openDemo', { dataset: 'imagenet' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    const bad = await dispatch(service, 'addFolder', { folder: 42 });
    expect(!bad.ok && bad.error.message).toContain('folder');
  });

  it('accepts nothing or {} for methods without arguments, and rejects anything else', async () => {
    expect((await dispatch(service, 'listJobs', undefined)).ok).toBe(true);
    expect((await dispatch(service, 'listJobs', {})).ok).toBe(true);
    expect(await dispatch(service, 'listJobs', { all: true })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await dispatch(service, 'cancelJob', { jobId: '../../etc' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
  });

  it('returns the value on success', async () => {
    const folder = `${env.root}/photos`;
    await writeImages(folder, 2);
    const result = await dispatch(service, 'addFolder', { folder });
    expect(result).toMatchObject({ ok: true, value: { folder: { imageCount: 2 } } });
  });

  it('keeps the code of an ExplorerError and turns other throws into INTERNAL', async () => {
    const typed = makeService(env.dataDir, {
      openLibrary: async () => {
        throw new ExplorerError('PERMISSION_DENIED', 'Permission denied: /root');
      },
    });
    expect(await dispatch(typed, 'addFolder', { folder: '/root' })).toEqual({
      ok: false,
      error: { code: 'PERMISSION_DENIED', message: 'Permission denied: /root' },
    });
    const broken = makeService(env.dataDir, {
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
