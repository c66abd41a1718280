/**
 * One-click demo datasets, generated once into the data directory: a few thousand Fashion-MNIST
 * images from the Debian package, and a synthetic "shapes" set with known factors. Each is
 * written into `<name>.partial` and renamed when complete, so a cancelled or crashed generation
 * is never mistaken for a finished one.
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DemoDataset, PreprocessSpec } from '../contract';
import { ExplorerError } from '../contract';
import { writeFashionMnistPngs } from './fashion-mnist';
import { writeShapesDataset } from './shapes';

export interface DemoDefinition {
  title: string;
  count: number;
  /** The preprocessing that suits the dataset. */
  spec: PreprocessSpec;
}

export const DEMOS: Record<DemoDataset, DemoDefinition> = {
  'fashion-mnist': {
    title: 'Fashion-MNIST (3,000 training images, 28x28 greyscale)',
    count: 3000,
    spec: { size: 28, channels: 1, fit: 'cover', background: { r: 0, g: 0, b: 0 } },
  },
  shapes: {
    title: 'Shapes (2,000 synthetic 64x64 images with known shape, position, size and colour)',
    count: 2000,
    spec: { size: 64, channels: 3, fit: 'cover', background: { r: 255, g: 255, b: 255 } },
  },
};

export interface DemoControl {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Where Fashion-MNIST's IDX files are (default: the Debian package's folder). */
  fashionMnistSource?: string;
}

/** Makes sure the dataset exists under `demoRoot` and returns its folder. */
export async function ensureDemoDataset(
  dataset: DemoDataset,
  demoRoot: string,
  control: DemoControl = {},
): Promise<string> {
  const def = DEMOS[dataset];
  const folder = path.join(demoRoot, dataset);
  if (existsSync(folder)) return folder;
  const partial = `${folder}.partial`;
  await rm(partial, { recursive: true, force: true });
  try {
    if (dataset === 'fashion-mnist') {
      await writeFashionMnistPngs({
        out: partial,
        count: def.count,
        ...(control.fashionMnistSource !== undefined ? { source: control.fashionMnistSource } : {}),
        ...(control.signal ? { signal: control.signal } : {}),
        ...(control.onProgress ? { onProgress: control.onProgress } : {}),
      });
    } else {
      await writeShapesDataset({ dir: partial, count: def.count, size: def.spec.size, seed: 1 });
      control.onProgress?.(def.count, def.count);
    }
    if (control.signal?.aborted)
      throw new ExplorerError('CANCELLED', `Generating the ${dataset} demo was cancelled.`);
    await rename(partial, folder);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return folder;
}
