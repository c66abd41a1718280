/**
 * The app's engine status (backend, device, attempts) is what the model worker reports in its
 * 'ready' message: the service process never selects a backend (or loads tfjs) itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../../app/contract';
import type { WorkerMode } from '../../../app/engine/worker/protocol';
import { ExplorerService } from '../../../app/service/explorer-service';
import { ModelClient } from '../../../app/service/model-client';
import type { WorkerPort, WorkerSpawner } from '../../../app/service/worker-port';

const REPORTED: EngineStatus = {
  backend: 'wasm',
  backendPackage: '@tensorflow/tfjs-backend-wasm',
  device: 'cpu',
  tfjsVersion: '4.22.0',
  attempts: [
    { name: 'tensorflow', package: '@tensorflow/tfjs-node', ok: false, reason: 'not installed' },
    { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', ok: true },
  ],
  requested: 'wasm',
};

/** A worker that answers 'ready' with REPORTED, or dies before it when `crash` is set. */
function fakeSpawner(options: { crash?: boolean } = {}) {
  const spawned: WorkerMode[] = [];
  const spawn: WorkerSpawner = (mode) => {
    spawned.push(mode);
    let onMessage: (m: unknown) => void = () => undefined;
    let onExit: (code: number | null) => void = () => undefined;
    const port: WorkerPort = {
      postMessage: () => undefined,
      onMessage: (l) => (onMessage = l),
      onExit: (l) => (onExit = l),
      kill: () => onExit(null),
    };
    setTimeout(() => (options.crash ? onExit(1) : onMessage({ type: 'ready', engine: REPORTED })));
    return port;
  };
  return { spawn, spawned };
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'le-engine-status-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the engine status', () => {
  it("is the model worker's ready report, started once and cached while it lives", async () => {
    const { spawn, spawned } = fakeSpawner();
    const client = new ModelClient(spawn, dataDir);
    expect(await client.engineStatus()).toEqual(REPORTED);
    expect(await client.engineStatus()).toEqual(REPORTED);
    expect(spawned).toEqual(['model']);
    client.dispose();
  });

  it('is "no backend" with the reason when the worker cannot start, and retried later', async () => {
    const crashing = fakeSpawner({ crash: true });
    const client = new ModelClient(crashing.spawn, dataDir);
    const status = await client.engineStatus();
    expect(status).toMatchObject({ backend: null, device: null, attempts: [] });
    expect(status.warning).toMatch(/engine worker did not start.*exit code 1/);
    await client.engineStatus();
    expect(crashing.spawned).toEqual(['model', 'model']);
  });

  it('is what getStatus returns when the service is given no other source', async () => {
    const { spawn, spawned } = fakeSpawner();
    const service = new ExplorerService({
      appVersion: '9.9.9',
      dataDir,
      electronVersion: null,
      openLibrary: () => Promise.reject(new Error('not used')),
      dialogs: null,
      spawnWorker: spawn,
    });
    expect((await service.getStatus()).engine).toEqual(REPORTED);
    expect(spawned).toEqual(['model']);
    await service.dispose();
  });
});
