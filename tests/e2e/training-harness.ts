/**
 * The harness of the training e2e tests: like `useHarness` (harness.ts), but the server trains
 * on the WASM backend (`--backend wasm`, much faster than `cpu` for small conv models), and a
 * folder of small distinct greyscale images to train on.
 *
 * TODO(lead): `startServe` in serve.ts hard-codes LATENT_EXPLORER_BACKEND=cpu; with a `backend`
 * option there, `startWasmServe` below could go.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import { SHOTS, type Harness } from './harness';
import { REPO_ROOT, type ServeHandle } from './serve';

const READY = /Latent Explorer serving at (\S+)/;

async function startWasmServe(): Promise<ServeHandle> {
  for (const built of [
    'build/cli/cli.js',
    'build/worker/engine-worker.js',
    'build/renderer/index.html',
  ]) {
    if (!existsSync(path.join(REPO_ROOT, built))) {
      throw new Error(`${built} is missing: run \`npm run build\` before the e2e tests.`);
    }
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'le-e2e-train-'));
  const child = spawn(
    process.execPath,
    ['bin/latent-explorer.js', 'serve', '--port', '0', '--no-open', '--backend', 'wasm'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LATENT_EXPLORER_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (output += chunk));
  child.stderr.on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
      child.stdout.on('data', () => {
        const match = READY.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${String(code)}) before it was ready:\n${output}`));
      });
    });
    return { url, origin: new URL(url).origin, dataDir, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One WASM-backed server and one browser for the file's tests. */
export function useTrainingHarness(): Harness {
  let server: ServeHandle | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await Promise.all([
      startWasmServe().then((s) => (server = s)),
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
