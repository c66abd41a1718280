/**
 * Runs the built `latent-explorer` (bin/latent-explorer.js → build/cli/cli.js) as real processes
 * on a temp data directory: one-shot commands, and serve mode kept running in the background.
 * The tests using these need `npm run build:node` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = path.join(REPO_ROOT, 'bin', 'latent-explorer.js');
export const cliBuilt =
  existsSync(path.join(REPO_ROOT, 'build', 'cli', 'cli.js')) &&
  existsSync(path.join(REPO_ROOT, 'build', 'worker', 'engine-worker.js'));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child: the data directory and, unless `defaultBackend` asks for the
 * automatic choice every user gets, the quick-starting cpu backend.
 */
function env(dataDir: string, defaultBackend = false): NodeJS.ProcessEnv {
  const { LATENT_EXPLORER_BACKEND: _inherited, ...rest } = process.env;
  return defaultBackend
    ? { ...rest, LATENT_EXPLORER_DATA_DIR: dataDir }
    : { ...rest, LATENT_EXPLORER_DATA_DIR: dataDir, LATENT_EXPLORER_BACKEND: 'cpu' };
}

/** Runs one command to its end. `umask` (POSIX) runs it under that umask, through sh. */
export function cli(
  dataDir: string,
  args: string[],
  options: { umask?: string; defaultBackend?: boolean } = {},
): Promise<CliResult> {
  const childEnv = env(dataDir, options.defaultBackend);
  const child =
    options.umask !== undefined
      ? spawn(
          '/bin/sh',
          ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, BIN, ...args],
          { cwd: REPO_ROOT, env: childEnv },
        )
      : spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: childEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Served {
  child: ChildProcess;
  pid: number;
  origin: string;
  token: string;
  output(): string;
  /** POST /api/<method>; resolves with the ApiResult. */
  call<T = unknown>(
    method: string,
    body?: unknown,
  ): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }>;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
}

/** Starts `serve --port 0 --no-open` and waits for its "Latent Explorer serving at" line. */
export async function serve(dataDir: string): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--no-open'], {
    cwd: REPO_ROOT,
    env: env(dataDir),
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (c: string) => {
      output += c;
      const match = /Latent Explorer serving at (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${String(code)}) before it was ready:\n${output}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  return {
    child,
    pid: child.pid ?? -1,
    origin: parsed.origin,
    token,
    output: () => output,
    exited,
    call: async (method, body) => {
      const reply = await fetch(`${parsed.origin}/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await reply.json()) as never;
    },
  };
}

/** SIGTERM (like Ctrl+C) and wait for the exit. */
export async function stop(server: Served): Promise<number | string | null> {
  if (server.child.exitCode === null && server.child.signalCode === null)
    server.child.kill('SIGTERM');
  return server.exited;
}
