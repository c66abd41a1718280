/** Helpers for the core unit tests: a service over a real catalogue in a temp data directory. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { EngineStatus } from '../../../app/contract';
import { openLibrary } from '../../../app/library';
import { ExplorerService, type ServiceDeps } from '../../../app/service/explorer-service';
import { forkSpawner } from '../../../app/service/worker-port';

export const FAKE_ENGINE: EngineStatus = {
  backend: 'cpu',
  backendPackage: '@tensorflow/tfjs-backend-cpu',
  device: 'cpu',
  tfjsVersion: '4.22.0',
  attempts: [{ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', ok: true }],
  requested: null,
};

/** 28 px greyscale: the small model input of the worker tests. */
export const GREY_28 = {
  size: 28,
  channels: 1 as const,
  fit: 'cover' as const,
  background: { r: 0, g: 0, b: 0 },
};

export interface TestEnv {
  root: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function makeTestEnv(): Promise<TestEnv> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'le-core-'));
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir);
  return { root, dataDir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export function makeService(
  dataDir: string,
  overrides: Partial<ServiceDeps> = {},
): ExplorerService {
  return new ExplorerService({
    appVersion: '9.9.9',
    dataDir,
    electronVersion: null,
    engine: { status: async () => FAKE_ENGINE },
    openLibrary: (dir, options) => openLibrary(dir, options),
    dialogs: null,
    jobs: { progressIntervalMs: 0 },
    spawnWorker: forkSpawner({ backend: 'cpu' }),
    ...overrides,
  });
}

/** Writes `count` small real PNGs (distinct colours, so no duplicates) into `folder`. */
export async function writeImages(folder: string, count: number, prefix = 'img'): Promise<void> {
  await mkdir(folder, { recursive: true });
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp({
        create: {
          width: 40,
          height: 30,
          channels: 3,
          background: { r: (i * 37) % 256, g: (i * 11) % 256, b: i % 256 },
        },
      })
        .png()
        .toFile(path.join(folder, `${prefix}-${String(i).padStart(4, '0')}.png`)),
    ),
  );
}

export async function writeBadFiles(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'empty.png'), '');
  await writeFile(path.join(folder, 'fake.jpg'), 'this is text, not a JPEG');
  await writeFile(path.join(folder, 'notes.txt'), 'ignored');
}
