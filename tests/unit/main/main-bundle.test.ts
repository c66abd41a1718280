/**
 * Smoke test of the bundled main process (build/main/main.js, from `npm run build:node`): runs
 * it in plain Node with 'electron' resolved to fixtures/electron-stub.mjs, so main.ts itself, its
 * paths relative to import.meta.url and the real core are exercised without the Electron binary.
 * Skipped when the bundle has not been built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../../app/contract/methods';
import { CONTENT_SECURITY_POLICY } from '../../../main/security';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bundle = path.join(repo, 'build/main/main.js');
const register = fileURLToPath(new URL('./fixtures/electron-stub-register.mjs', import.meta.url));

interface StubReport {
  calls: string[];
  errors: string[];
  windows: {
    options: { webPreferences: Record<string, unknown> };
    preloadExists: boolean;
    loaded?: string;
  }[];
  ipcChannels: string[];
  permissionCheck: boolean;
  probes: Record<string, unknown>;
}

describe.skipIf(!existsSync(bundle))('build/main/main.js under a stub electron', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'le-main-bundle-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = () => {
    const child = spawnSync(process.execPath, ['--import', register, bundle], {
      cwd: repo,
      env: { ...process.env, LATENT_EXPLORER_DATA_DIR: path.join(dataDir, 'profile') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('STUB-REPORT '));
    if (!line)
      throw new Error(`no report (exit ${child.status}):\n${child.stdout}\n${child.stderr}`);
    return {
      status: child.status,
      report: JSON.parse(line.slice('STUB-REPORT '.length)) as StubReport,
    };
  };
  let result: ReturnType<typeof run> | null = null;
  beforeAll(() => {
    result = run();
  }, 90_000);

  it('starts, probes and quits cleanly', () => {
    expect(result?.report.errors).toEqual([]);
    expect(result?.status).toBe(0);
  });

  it('does the pre-ready work before ready, in order, and disposes before quitting', () => {
    expect(result?.report.calls).toEqual([
      'setPath:userData',
      'setPath:sessionData',
      'requestSingleInstanceLock',
      'enableSandbox',
      'registerSchemesAsPrivileged',
      'ready',
      'quit', // held back by will-quit while the core shuts down
      'quit',
    ]);
  });

  it('opens one secure window on app://explorer/ with the bundled preload', () => {
    const [win] = result?.report.windows ?? [];
    expect(result?.report.windows).toHaveLength(1);
    expect(win?.loaded).toBe('app://explorer/');
    expect(win?.preloadExists).toBe(true);
    expect(win?.options.webPreferences).toMatchObject({
      preload: path.join(repo, 'build/main/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
  });

  it('registers the IPC channels, denies permissions and guards navigation', () => {
    const report = result!.report;
    expect(report.ipcChannels).toEqual(API_METHODS.map((m) => `explorer:${m}`).sort());
    expect(report.permissionCheck).toBe(false);
    expect(report.probes.navigationPrevented).toBe(true);
    expect(report.probes.windowOpen).toEqual({ action: 'deny' });
  });

  it('serves the renderer with the CSP and refuses traversal', () => {
    const { index, traversal } = result!.report.probes as Record<
      string,
      { status: number; csp: string }
    >;
    const built = existsSync(path.join(repo, 'build/renderer/index.html'));
    expect(index?.status).toBe(built ? 200 : 404);
    expect(index?.csp).toBe(CONTENT_SECURITY_POLICY);
    expect(traversal?.status).toBe(404);
  });

  it('answers IPC through the real core, with validation and sender checks', () => {
    const probes = result!.report.probes;
    expect(probes.listJobs).toEqual({ ok: true, value: [] });
    expect(probes.getStatus).toMatchObject({
      ok: true,
      value: { dataDir: path.join(dataDir, 'profile'), capabilities: { nativeFolderPicker: true } },
    });
    expect(probes.badRequest).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(probes.foreign).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });
});
