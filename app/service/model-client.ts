/**
 * The service's side of the model worker: one long-lived process for encode / decode /
 * reconstruct / samplePrior / evaluate, started on first use and restarted after a crash. Its
 * 'ready' message carries the engine status (backend, device, attempts) the worker chose, which
 * is the one the app reports: the service process itself never loads TensorFlow.js.
 */
import { ExplorerError, type EngineStatus, type PreprocessSpec } from '../contract';
import type {
  EmbeddingsRef,
  ModelArgs,
  ModelCall,
  ModelEvent,
  ModelMethod,
  ModelResult,
} from '../engine/worker/protocol';
import type { WorkerPort, WorkerSpawner } from './worker-port';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number) => void;
}

/** The checkpoint a call runs on: its directory, the run's input spec and stored embeddings. */
export interface ModelTarget {
  checkpointDir: string;
  spec: PreprocessSpec;
  embeddings?: EmbeddingsRef | null;
}

export interface ModelCallOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export class ModelClient {
  private port: WorkerPort | null = null;
  private ready: Promise<EngineStatus> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly spawn: WorkerSpawner,
    private readonly libraryDir: string,
  ) {}

  private start(): Promise<EngineStatus> {
    if (this.ready) return this.ready;
    const port = this.spawn('model');
    this.port = port;
    this.ready = new Promise<EngineStatus>((resolve, reject) => {
      port.onMessage((raw) => {
        const event = raw as ModelEvent;
        if (event.type === 'ready') resolve(event.engine);
        else if (event.type === 'progress')
          this.pending.get(event.id)?.onProgress?.(event.done, event.total);
        else if (event.type === 'reply') {
          const call = this.pending.get(event.id);
          this.pending.delete(event.id);
          if (!call) return;
          if (event.ok) call.resolve(event.value);
          else call.reject(ExplorerError.fromApiError(event.error));
        }
      });
      port.onExit((code) => {
        const error = new ExplorerError(
          'INTERNAL',
          `The model process stopped unexpectedly (exit code ${String(code)}); try again.`,
        );
        reject(error);
        for (const call of this.pending.values()) call.reject(error);
        this.pending.clear();
        this.port = null;
        this.ready = null;
      });
    });
    return this.ready;
  }

  /**
   * The engine status reported by the model worker (started if it is not running; the answer is
   * cached for as long as that worker lives). Never throws: a worker that cannot start is
   * reported as no backend, with the reason as the warning.
   */
  async engineStatus(): Promise<EngineStatus> {
    try {
      return await this.start();
    } catch (error) {
      return {
        backend: null,
        backendPackage: null,
        device: null,
        tfjsVersion: 'unknown',
        attempts: [],
        requested: null,
        warning: `The engine worker did not start: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  async call<M extends ModelMethod>(
    method: M,
    target: ModelTarget,
    args: ModelArgs<M>,
    options: ModelCallOptions = {},
  ): Promise<ModelResult<M>> {
    await this.start();
    const id = this.nextId++;
    return new Promise<ModelResult<M>>((resolve, reject) => {
      this.pending.set(id, {
        // The worker answers `id` with the result of `method` (see ModelMethods).
        resolve: (value) => resolve(value as ModelResult<M>),
        reject,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      options.signal?.addEventListener(
        'abort',
        () => this.port?.postMessage({ type: 'cancel', id }),
        { once: true },
      );
      const call: ModelCall<M> = {
        type: 'call',
        id,
        method,
        checkpointDir: target.checkpointDir,
        libraryDir: this.libraryDir,
        spec: target.spec,
        embeddings: target.embeddings ?? null,
        args,
      };
      this.port?.postMessage(call);
    });
  }

  dispose(): void {
    this.port?.kill();
    this.port = null;
    this.ready = null;
  }
}
