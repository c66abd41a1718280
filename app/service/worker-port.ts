/**
 * How the service starts engine workers. In plain Node (serve mode, CLI, tests) they are forked
 * child processes; Electron passes a spawner built on utilityProcess.fork (Electron's own binary
 * cannot run as Node there: the RunAsNode fuse is off).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { BACKEND_ENV } from '../engine/backend-names';
import type { WorkerMode } from '../engine/worker/protocol';
import { packageRoot } from '../version';

export interface WorkerPort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process ends, with its exit code (null if killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type WorkerSpawner = (mode: WorkerMode) => WorkerPort;

export function workerEntry(): string {
  return path.join(packageRoot(), 'build', 'worker', 'engine-worker.js');
}

/** Forks workers with Node; `backend` (e.g. from --backend) is passed on to them. */
export const forkSpawner =
  (options: { backend?: string | null } = {}): WorkerSpawner =>
  (mode) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '6',
    };
    if (options.backend) env[BACKEND_ENV] = options.backend;
    const child = fork(workerEntry(), [mode], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env,
    });
    let exited = false;
    const exitListeners: ((code: number | null) => void)[] = [];
    child.on('exit', (code) => {
      exited = true;
      for (const listener of exitListeners) listener(code);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      // A message racing the worker's own exit is expected; anything else is worth a log line.
      if (error.code !== 'EPIPE' && error.code !== 'ERR_IPC_CHANNEL_CLOSED')
        console.error(`engine worker (${mode}) failed:`, error);
    });
    return {
      postMessage: (message) => {
        if (!exited && child.connected) child.send(message as object);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
