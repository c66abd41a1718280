/**
 * Entry of the engine worker processes (bundled to build/worker/engine-worker.js). The first
 * argument is the mode: `train` (one run, then exit) or `model` (serve inference until told to
 * stop). Runs as a Node child process (serve mode, CLI) or an Electron utility process; both give
 * a parent port for structured-clone messages.
 */
import { ensureBackend } from '../backend';
import { openLibrary } from '../../library';
import { registerTrainingKernels } from '../kernels/register';
import { ModelServer } from './model-server';
import {
  CONCURRENT_METHODS,
  type ModelCommand,
  type ModelEvent,
  type TrainCommand,
  type TrainEvent,
  type WorkerMode,
} from './protocol';
import { TrainingLoop } from './training-loop';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): void;
}

/** Electron's utilityProcess exposes `process.parentPort`; a Node child uses process.send. */
function parentPort(): ParentPort {
  const electronPort = (
    process as unknown as {
      parentPort?: {
        postMessage(m: unknown): void;
        on(e: 'message', l: (e: { data: unknown }) => void): void;
      };
    }
  ).parentPort;
  if (electronPort) {
    return {
      postMessage: (m) => electronPort.postMessage(m),
      on: (_event, listener) => electronPort.on('message', (e) => listener(e.data)),
    };
  }
  if (typeof process.send !== 'function')
    throw new Error('engine-worker must be started as a child process.');
  return {
    postMessage: (m) => process.send?.(m),
    on: (_event, listener) => process.on('message', listener),
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2] as WorkerMode | undefined;
  if (mode !== 'train' && mode !== 'model')
    throw new Error(`engine-worker: unknown mode ${String(mode)}`);
  const port = parentPort();
  const engine = await ensureBackend();
  if (engine.backend !== null) registerTrainingKernels(engine.backend);
  const openReadOnly = (dir: string) => openLibrary(dir, { readOnly: true });

  if (mode === 'train') {
    const send = (event: TrainEvent) => port.postMessage(event);
    let loop: TrainingLoop | null = null;
    port.on('message', (raw) => {
      const command = raw as TrainCommand;
      if (command.type === 'train' && loop === null) {
        loop = new TrainingLoop(command.job, { send, engine, openLibrary: openReadOnly });
        void loop.run().finally(() => setTimeout(() => process.exit(0), 50));
      } else if (command.type === 'pause') loop?.pause();
      else if (command.type === 'resume') loop?.resume();
      else if (command.type === 'stop') {
        if (loop) loop.stop();
        else process.exit(0);
      }
    });
    send({ type: 'ready', engine });
    return;
  }

  const send = (event: ModelEvent) => port.postMessage(event);
  const server = new ModelServer({ send, openLibrary: openReadOnly });
  // Inference calls run one at a time: tfjs work is synchronous per batch anyway, and order
  // keeps slider updates in sequence. Long map jobs run beside the queue (they yield often).
  let queue = Promise.resolve();
  port.on('message', (raw) => {
    const command = raw as ModelCommand;
    if (command.type === 'cancel') server.cancel(command.id);
    else if (CONCURRENT_METHODS.has(command.method)) void server.handle(command);
    else queue = queue.then(() => server.handle(command));
  });
  send({ type: 'ready', engine });
}

main().catch((error: unknown) => {
  console.error('engine-worker failed to start:', error);
  process.exit(1);
});
