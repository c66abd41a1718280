/**
 * The harness of the training e2e tests: like `useHarness` (harness.ts), with a folder of small
 * distinct greyscale images to train on. The server picks its backend itself, as for a user
 * (WASM on a machine without libtensorflow).
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import { SHOTS, type Harness } from './harness';
import { startServe, type ServeHandle } from './serve';

/** One WASM-backed server and one browser for the file's tests. */
export function useTrainingHarness(): Harness {
  let server: ServeHandle | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await Promise.all([
      startServe().then((s) => (server = s)),
      launchBrowser().then((b) => (browser = b)),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the server is not running');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not running');
      return browser;
    },
  };
}

/**
 * `count` distinct 28x28 greyscale PNGs: a white square or disc at a different place (and size)
 * in each, on black. Small enough that a conv VAE learns something in a few seconds.
 */
export async function makeShapesFolder(count = 200): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'le-e2e-shapes-'));
  const size = 28;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const pixels = Buffer.alloc(size * size);
      const cx = 5 + (i % 18);
      const cy = 5 + (Math.floor(i / 18) % 18);
      const r = 3 + ((i * 7) % 5);
      const square = (i * 3 + Math.floor(i / 18)) % 2 === 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const inside = square
            ? Math.abs(x - cx) <= r && Math.abs(y - cy) <= r
            : (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
          pixels[y * size + x] = inside ? 255 : 0;
        }
      }
      await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
        .png()
        .toFile(path.join(root, `shape-${String(i).padStart(3, '0')}.png`));
    }),
  );
  return root;
}
