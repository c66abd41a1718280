/**
 * Engine workers as Electron utility processes: the Electron counterpart of `forkSpawner`
 * (app/service/worker-port.ts), handed to the core as `createExplorerService({ spawnWorker })`.
 *
 * Why not child_process.fork: our fuses turn RunAsNode off, so forking `process.execPath` would
 * start the whole app again instead of Node. `utilityProcess.fork` starts a Chromium utility
 * process running Electron's own Node (with its asar support), on the same bundle
 * build/worker/engine-worker.js (inside app.asar when packaged); the worker talks through the
 * `process.parentPort` it finds there.
 *
 * Messages are structured clones both ways (V8's serializer, as `serialization: 'advanced'` in
 * Node): plain objects, arrays and typed arrays cross as they are. In this process a child's
 * 'message' event carries the message itself; only the worker's parentPort wraps it in
 * `{ data }`.
 */
import type { WorkerMode } from '../app/engine/worker/protocol';
import type { WorkerPort, WorkerSpawner } from '../app/service/worker-port';

/** The parts of Electron's UtilityProcess (a forked child) a worker port uses. */
export interface UtilityChildLike {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
}

export interface UtilityForkOptions {
  serviceName: string;
  stdio: 'pipe';
  env: Record<string, string>;
}

/** Electron's `utilityProcess` module, which can fork only once the app is ready. */
export interface UtilityProcessLike {
  fork(modulePath: string, args: string[], options: UtilityForkOptions): UtilityChildLike;
}

export interface UtilitySpawnerOptions {
  utilityProcess: UtilityProcessLike;
  /** build/worker/engine-worker.js, next to build/main/ (in app.asar when packaged). */
  workerPath: string;
  /** The environment the workers inherit (process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** Where the workers' stdout/stderr lines and abnormal exits go (the main log). */
  log(message: string): void;
}

/** libuv threads per worker (sharp and fs work), as forkSpawner sets them for Node workers. */
export const WORKER_THREADPOOL_SIZE = '6';
/** A worker writing this much without a newline is logged anyway. */
const MAX_LINE = 64 * 1024;

/** The name a worker shows in app.getAppMetrics() and 'child-process-gone'. */
export function workerServiceName(mode: WorkerMode): string {
  return `Latent Explorer engine (${mode})`;
}

function workerEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  out.UV_THREADPOOL_SIZE = env.UV_THREADPOOL_SIZE ?? WORKER_THREADPOOL_SIZE;
  return out;
}

/**
 * Sends a piped stream to `log` line by line. Returns a function that logs a partial last line:
 * Electron drops a child's streams as it reports the exit, so the port calls it then.
 */
function forwardLines(
  stream: NodeJS.ReadableStream | null,
  log: (line: string) => void,
): () => void {
  let pending = '';
  const flush = (): void => {
    if (pending.trim() !== '') log(pending);
    pending = '';
  };
  if (stream === null) return flush;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') log(line);
    if (pending.length > MAX_LINE) flush();
  });
  stream.on('end', flush);
  stream.on('error', (error: Error) => log(`output stream failed: ${error.message}`));
  return flush;
}

/**
 * A WorkerSpawner on `utilityProcess.fork(workerPath, [mode], ...)`. Each port ignores
 * postMessage and kill once its process has exited, and reports the exit once.
 */
export function utilityProcessSpawner(options: UtilitySpawnerOptions): WorkerSpawner {
  return (mode: WorkerMode): WorkerPort => {
    const name = `engine (${mode})`;
    const log = (message: string): void => options.log(`${name}: ${message}`);
    const child = options.utilityProcess.fork(options.workerPath, [mode], {
      serviceName: workerServiceName(mode),
      // Piped into the main log with the worker's name: a packaged app has no terminal, and
      // the log says which process wrote what.
      stdio: 'pipe',
      env: workerEnv(options.env),
    });
    const flushOutput = [forwardLines(child.stdout, log), forwardLines(child.stderr, log)];

    let exitCode: number | undefined;
    let killed = false;
    const exitListeners: ((code: number | null) => void)[] = [];
    child.on('error', (type, location) => log(`${type} at ${location}`));
    child.on('exit', (code) => {
      if (exitCode !== undefined) return;
      exitCode = code;
      for (const flush of flushOutput) flush();
      if (code !== 0 && !killed) log(`exited with code ${code}`);
      for (const listener of exitListeners.splice(0)) listener(code);
    });

    return {
      postMessage: (message) => {
        if (exitCode === undefined) child.postMessage(message);
      },
      onMessage: (listener) => {
        child.on('message', listener);
      },
      onExit: (listener) => {
        const code = exitCode;
        if (code === undefined) exitListeners.push(listener);
        else queueMicrotask(() => listener(code));
      },
      kill: () => {
        if (exitCode !== undefined || killed) return;
        killed = true;
        child.kill();
      },
    };
  };
}
