/** Fakes for ExplorerService's dependencies, shared by the core unit tests. */
import type { EngineStatus, LibraryInfo } from '../../../app/contract';
import { ExplorerService, type ServiceDeps } from '../../../app/service/explorer-service';
import type { ScanOptions } from '../../../app/library/scan';

export const FAKE_ENGINE: EngineStatus = {
  backend: 'cpu',
  backendPackage: '@tensorflow/tfjs-backend-cpu',
  device: 'cpu',
  tfjsVersion: '4.22.0',
  attempts: [{ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', ok: true }],
  requested: null,
};

export function libraryInfo(folder: string, imageCount: number): LibraryInfo {
  return {
    folder,
    imageCount,
    byFormat: { png: imageCount },
    totalBytes: imageCount * 100,
    otherFileCount: 0,
    skipped: [],
    skippedCount: 0,
    scannedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
}

/** A scan that reports progress and then waits until released or aborted. */
export function controllableScan() {
  const pending = new Map<string, () => void>();
  const scan = (folder: string, options: ScanOptions): Promise<LibraryInfo> =>
    new Promise((resolve, reject) => {
      options.onProgress?.({ filesSeen: 5, imagesFound: 3, currentFolder: folder });
      const onAbort = () => reject(new Error('aborted by signal'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      pending.set(folder, () => resolve(libraryInfo(folder, 3)));
    });
  return { scan, release: (folder: string) => pending.get(folder)?.() };
}

export function makeService(overrides: Partial<ServiceDeps> = {}): ExplorerService {
  return new ExplorerService({
    appVersion: '9.9.9',
    dataDir: '/tmp/le-test',
    electronVersion: null,
    engine: { status: async () => FAKE_ENGINE },
    library: { scan: async (folder) => libraryInfo(folder, 2) },
    dialogs: null,
    jobs: { progressIntervalMs: 0 },
    ...overrides,
  });
}
