/**
 * Starts `latent-explorer serve` as a child process on a free port with a fresh data directory,
 * and stops it again. The URL it prints carries the session token.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const READY = /Latent Explorer serving at (\S+)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface ServeHandle {
  /** The printed URL, `http://127.0.0.1:<port>/?token=...`. */
  url: string;
  /** `http://127.0.0.1:<port>`, without the token. */
  origin: string;
  dataDir: string;
  /** Everything the server wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /**
   * Forces a tfjs backend on the server and its workers. Leave it unset: the suite runs the way a
   * user does, with the backend chosen automatically (a forced backend hid a crash once).
   */
  backend?: 'cpu' | 'wasm';
}

export async function startServe(options: ServeOptions = {}): Promise<ServeHandle> {
  for (const built of [
    'build/cli/cli.js',
    'build/worker/engine-worker.js',
    'build/renderer/index.html',
  ]) {
    if (!existsSync(path.join(REPO_ROOT, built))) {
      throw new Error(`${built} is missing: run \`npm run build\` before the e2e tests.`);
    }
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'le-e2e-data-'));
  // Nothing of the developer's environment may pick the backend: only the data directory is set.
  const { LATENT_EXPLORER_BACKEND: _inherited, ...env } = process.env;
  if (options.backend) env.LATENT_EXPLORER_BACKEND = options.backend;
  const child = spawn(
    process.execPath,
    ['bin/latent-explorer.js', 'serve', '--port', '0', '--no-open'],
    {
      cwd: REPO_ROOT,
      env: { ...env, LATENT_EXPLORER_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (output += chunk));

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`serve printed no URL within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      );
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        const match = READY.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${code ?? signal}) before it was ready:\n${output}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { url, origin: new URL(url).origin, dataDir, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
