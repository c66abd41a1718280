/**
 * Smoke test of the bundled main process (build/main/main.js, from `npm run build:node`): runs
 * it in plain Node with 'electron' resolved to fixtures/electron-stub.mjs, so main.ts itself, its
 * paths relative to import.meta.url and the real core are exercised without the Electron binary.
 * Skipped when the bundle has not been built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_METHODS } from '../../../app/contract/methods';
import { CONTENT_SECURITY_POLICY } from '../../../main/security';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bundle = path.join(repo, 'build/main/main.js');
const preloadBundle = path.join(repo, 'build/main/preload.cjs');
const register = fileURLToPath(new URL('./fixtures/electron-stub-register.mjs', import.meta.url));

interface FetchProbe {
  status: number;
  csp: string | null;
  type: string | null;
  cache: string | null;
  nosniff: string | null;
  length: number;
}

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
  utilityForks: {
    modulePath: string;
    modulePathExists: boolean;
    args: string[];
    serviceName: string | null;
    stdio: string;
    threadpool: string | null;
    exitCode: number | null;
    messagesIn: number;
    messagesOut: number;
  }[];
}

describe.skipIf(!existsSync(bundle))('build/main/main.js under a stub electron', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'le-main-bundle-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = () => {
    const child = spawnSync(process.execPath, ['--import', register, bundle], {
      cwd: repo,
      env: {
        ...process.env,
        LATENT_EXPLORER_DATA_DIR: path.join(dataDir, 'profile'),
        // Inherited by the engine worker, which reports the backend it chose.
        LATENT_EXPLORER_BACKEND: 'cpu',
      },
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
    const { index, traversal } = result!.report.probes as Record<string, FetchProbe>;
    const built = existsSync(path.join(repo, 'build/renderer/index.html'));
    expect(index?.status).toBe(built ? 200 : 404);
    expect(index?.csp).toBe(CONTENT_SECURITY_POLICY);
    expect(traversal?.status).toBe(404);
  });

  it('routes app://explorer/media/ to the real core and refuses malformed media paths', () => {
    const { mediaMissing, mediaMalformed, mediaUnknownKind } = result!.report.probes as Record<
      string,
      FetchProbe
    >;
    // readMedia of the real service answered: no image 999 in a fresh catalogue.
    expect(mediaMissing).toMatchObject({
      status: 404,
      csp: CONTENT_SECURITY_POLICY,
      nosniff: 'nosniff',
      cache: 'no-store',
    });
    expect(mediaMalformed).toMatchObject({ status: 400, csp: CONTENT_SECURITY_POLICY });
    expect(mediaUnknownKind).toMatchObject({ status: 400, csp: CONTENT_SECURITY_POLICY });
  });

  it('answers IPC through the real core, with validation and sender checks', () => {
    const probes = result!.report.probes;
    expect(probes.listJobs).toEqual({ ok: true, value: [] });
    expect(probes.getStatus).toMatchObject({
      ok: true,
      value: {
        dataDir: path.join(dataDir, 'profile'),
        capabilities: { nativeFolderPicker: true },
        // Reported by the model worker, which chose it from the env it inherited.
        engine: { backend: 'cpu', requested: 'cpu', device: 'cpu' },
      },
    });
    expect(probes.badRequest).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(probes.openLibrary).toMatchObject({ ok: true, value: { folders: [] } });
    expect(probes.foreign).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('runs the engine workers as utility processes of build/worker/engine-worker.js', () => {
    const report = result!.report;
    // The core's own child_process fork would not go through utilityProcess at all.
    expect(report.utilityForks).toMatchObject([
      {
        // Started by getStatus: the engine status is the model worker's 'ready' report.
        modulePath: path.join(repo, 'build/worker/engine-worker.js'),
        modulePathExists: true,
        args: ['model'],
        serviceName: 'Latent Explorer engine (model)',
        stdio: 'pipe',
        threadpool: '6',
        // Lives until the app shuts it down (its exit may come after the report).
        messagesIn: 1,
        messagesOut: 0,
      },
      {
        modulePath: path.join(repo, 'build/worker/engine-worker.js'),
        modulePathExists: true,
        args: ['train'],
        serviceName: 'Latent Explorer engine (train)',
        stdio: 'pipe',
        threadpool: '6',
        // The training worker exits by itself once its run has finished.
        exitCode: 0,
        messagesIn: expect.any(Number),
        messagesOut: expect.any(Number),
      },
    ]);
    // ready and finished came back; the train command went out.
    expect(report.utilityForks[1]!.messagesIn).toBeGreaterThanOrEqual(2);
    expect(report.utilityForks[1]!.messagesOut).toBeGreaterThanOrEqual(1);
  });

  it("relays the worker's messages both ways: its typed error and its engine report", () => {
    const probes = result!.report.probes;
    expect(probes.addFolder).toMatchObject({ ok: true, value: { processed: 0 } });
    // Only the worker's training loop says this: the job went out, the answer came back.
    expect(probes.startTraining).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('No ingested images') },
    });
    // The backend is from the worker's 'ready' report, chosen from the env it inherited.
    expect(probes.runs).toEqual([
      { state: 'failed', backend: 'cpu', message: expect.stringContaining('No ingested images') },
    ]);
  });
});

/**
 * The bundled preload in a context shaped like a sandboxed preload's: a `require` that knows only
 * 'electron' (with the renderer modules the sandbox provides), no Node globals.
 */
describe.skipIf(!existsSync(preloadBundle))(
  'build/main/preload.cjs in a sandbox-like context',
  () => {
    const run = () => {
      const exposed: [string, Record<string, unknown>][] = [];
      const required: string[] = [];
      const ipcRenderer = {
        invoke: vi.fn(async (...args: unknown[]) => ({ ok: true, value: args })),
        on: vi.fn(),
        removeListener: vi.fn(),
      };
      const webUtils = {
        getPathForFile: vi.fn((file: { fake: string }) => `/dropped/${file.fake}`),
      };
      const electron = {
        contextBridge: {
          exposeInMainWorld: (key: string, api: Record<string, unknown>) =>
            exposed.push([key, api]),
        },
        ipcRenderer,
        webUtils,
      };
      const sandboxRequire = (id: string) => {
        required.push(id);
        if (id === 'electron') return electron;
        throw new Error(`module not found: ${id}`);
      };
      const module = { exports: {} };
      vm.runInNewContext(readFileSync(preloadBundle, 'utf8'), {
        require: sandboxRequire,
        module,
        exports: module.exports,
        console,
      });
      return { exposed, required, ipcRenderer, webUtils };
    };

    it('requires only electron and exposes one frozen window.explorer', () => {
      const { exposed, required } = run();
      expect(required).toEqual(['electron']);
      expect(exposed.map(([key]) => key)).toEqual(['explorer']);
      const api = exposed[0]![1];
      expect(Object.isFrozen(api)).toBe(true);
      expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'on', 'pathForFile'].sort());
    });

    it('invokes explorer:<method> and hands dropped files to webUtils.getPathForFile', async () => {
      const { exposed, ipcRenderer, webUtils } = run();
      const api = exposed[0]![1] as Record<string, (arg?: unknown) => unknown>;
      await api.addFolder!({ folder: '/photos' });
      expect(ipcRenderer.invoke).toHaveBeenCalledWith('explorer:addFolder', { folder: '/photos' });
      const file = { fake: 'cat.jpg' };
      expect(api.pathForFile!(file)).toBe('/dropped/cat.jpg');
      expect(webUtils.getPathForFile).toHaveBeenCalledWith(file);
      expect(ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    });
  },
);

/**
 * The Electron main process and the CLI / serve-mode process never do tfjs work (engine workers
 * do), so their bundles must not reach TensorFlow.js at all: built in memory from the options of
 * scripts/node-bundles.mjs, their metafiles name no @tensorflow package and, from app/engine,
 * only the modules that are plain data.
 */
describe('the bundles of the processes that serve the UI', () => {
  /** app/engine modules without tfjs that the service, the CLI and main/ may import. */
  const PURE_ENGINE_MODULES = [
    'app/engine/backend-names.ts',
    'app/engine/model/config.ts',
    'app/engine/replay-files.ts',
    'app/engine/run-layout.ts',
    'app/engine/worker/protocol.ts',
  ];
  const metafileOf = async (name: 'main' | 'cli' | 'worker'): Promise<Metafile> => {
    const { NODE_BUNDLES } = (await import(
      pathToFileURL(path.join(repo, 'scripts/node-bundles.mjs')).href
    )) as { NODE_BUNDLES: Record<string, { options: BuildOptions }> };
    const result = await build({
      ...NODE_BUNDLES[name]!.options,
      absWorkingDir: repo,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return result.metafile;
  };
  const externals = (meta: Metafile) =>
    new Set(
      Object.values(meta.inputs).flatMap((input) =>
        input.imports.filter((i) => i.external).map((i) => i.path),
      ),
    );
  const engineModules = (meta: Metafile) =>
    Object.keys(meta.inputs).filter((file) => file.startsWith('app/engine/'));

  it.each(['main', 'cli'] as const)(
    '%s imports no @tensorflow package and only pure engine modules',
    async (name) => {
      const meta = await metafileOf(name);
      expect([...externals(meta)].filter((p) => p.startsWith('@tensorflow/'))).toEqual([]);
      expect(engineModules(meta).filter((m) => !PURE_ENGINE_MODULES.includes(m))).toEqual([]);
    },
  );

  it('while the engine worker bundle does load tfjs (the check is not vacuous)', async () => {
    expect(externals(await metafileOf('worker'))).toContain('@tensorflow/tfjs');
  });

  it.skipIf(!existsSync(bundle))(
    'the built build/main/main.js names no @tensorflow package',
    () => {
      expect(readFileSync(bundle, 'utf8')).not.toContain('@tensorflow/');
    },
  );
});
