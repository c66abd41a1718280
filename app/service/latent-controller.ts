/**
 * The service's side of the latent-space operations: which run and checkpoint a request means
 * (default: the latest completed run), the incremental `encode` job that stores the library's
 * embeddings in the catalogue, the `map` job and its cache, and the calls to the model worker
 * that compute everything on the stored embeddings.
 */
import {
  ExplorerError,
  type ComputeMapRequest,
  type EmbeddingsInfo,
  type EncodeLibraryReport,
  type LatentMap,
  type MapMethod,
  type ReplayFrame,
  type ReplayInfo,
  type RunInfo,
} from '../contract';
import { replayFrame, replayInfo } from './replay-reader';
import {
  EMBEDDING_METHODS,
  type ComputedMap,
  type EmbeddingsRef,
  type ModelArgs,
  type ModelMethod,
  type ModelResult,
} from '../engine/worker/protocol';
import type { EmbeddingRow, EmbeddingSetInfo, Library } from '../library';
import type { EventBus } from './event-bus';
import type { JobRunner } from './jobs';
import type { ModelClient, ModelTarget } from './model-client';
import type { TrainingController } from './training-controller';

/** Images per encode batch: a cancelled job keeps every finished batch. */
export const ENCODE_BATCH = 512;

export interface LatentControllerDeps {
  library(): Promise<Library>;
  readOnly: boolean;
  training: TrainingController;
  model: ModelClient;
  jobs: JobRunner;
  events: EventBus;
  /** Images per encode batch (default {@link ENCODE_BATCH}). */
  encodeBatch?: number;
}

interface ResolvedRun {
  run: RunInfo & { checkpoint: NonNullable<RunInfo['checkpoint']> };
  dir: string;
}

export class LatentController {
  /** Encode jobs running, by run id: a second request joins the first. */
  private readonly encoding = new Map<string, Promise<EncodeLibraryReport>>();

  constructor(private readonly deps: LatentControllerDeps) {}

  /** The run a request means, with its checkpoint. */
  async resolveRun(runId?: string): Promise<ResolvedRun> {
    let id = runId;
    if (id === undefined) {
      const runs = await this.deps.training.list();
      const done = runs.find((r) => r.state === 'completed' && r.checkpoint !== null);
      if (!done) {
        throw new ExplorerError(
          'NOT_FOUND',
          runs.some((r) => r.checkpoint !== null)
            ? 'No run has completed yet: pass a run id (latent-explorer runs lists them) or wait for training to finish.'
            : 'There is no trained model yet: train one first (latent-explorer train, or Train in the app).',
        );
      }
      id = done.id;
    }
    const { run, dir } = await this.deps.training.checkpointOf(id);
    return { run: run as ResolvedRun['run'], dir };
  }

  /** The training replay of a run (default: the latest completed); null when none was recorded. */
  async replay(runId: string | undefined): Promise<ReplayInfo | null> {
    const { run, dir } = await this.deps.training.runDir(runId ?? (await this.resolveRun()).run.id);
    return replayInfo(run.id, dir, await this.deps.library().catch(() => null));
  }

  async replayFrame(runId: string | undefined, step: number): Promise<ReplayFrame> {
    const { run, dir } = await this.deps.training.runDir(runId ?? (await this.resolveRun()).run.id);
    return replayFrame(run.id, dir, step);
  }

  private assertWriter(what: string): void {
    if (this.deps.readOnly) {
      throw new ExplorerError(
        'UNSUPPORTED',
        `${what} writes to the data directory, which another process holds: run it there, or stop that process.`,
      );
    }
  }

  /** The run's set at its current checkpoint step, or null. */
  private currentSet(lib: Library, run: ResolvedRun['run']): EmbeddingSetInfo | null {
    return lib.embeddings.set(run.id, run.checkpoint.step);
  }

  private info(lib: Library, run: ResolvedRun['run'], set: EmbeddingSetInfo): EmbeddingsInfo {
    const stored = lib.embeddings.storedHashes(set.id);
    const wanted = lib.trainingSet(run.spec, run.settings.folderIds).hashes;
    return {
      runId: run.id,
      step: set.step,
      dims: set.dims,
      count: set.count,
      pending: wanted.filter((h) => !stored.has(h)).length,
      current: set.step === run.checkpoint.step,
      updatedAt: set.updatedAt,
    };
  }

  async embeddingsStatus(runId?: string): Promise<EmbeddingsInfo | null> {
    const { run } = await this.resolveRun(runId);
    const lib = await this.deps.library();
    const set = this.currentSet(lib, run) ?? lib.embeddings.sets(run.id)[0] ?? null;
    return set ? this.info(lib, run, set) : null;
  }

  /** Starts (or joins) the run's encode job. */
  encodeLibrary(req: { runId?: string; force?: boolean } = {}): Promise<EncodeLibraryReport> {
    return this.resolveRun(req.runId).then((resolved) => {
      this.assertWriter('Encoding the library');
      const running = this.encoding.get(resolved.run.id);
      if (running) return running;
      const result = this.deps.jobs.start(
        'encode',
        `Encoding the library with ${resolved.run.id}`,
        'images',
        (ctx) => this.encode(resolved, req.force ?? false, ctx),
      ).result;
      this.encoding.set(resolved.run.id, result);
      void result.finally(() => this.encoding.delete(resolved.run.id)).catch(() => undefined);
      return result;
    });
  }

  private async encode(
    { run, dir }: ResolvedRun,
    force: boolean,
    ctx: { signal: AbortSignal; progress(done: number, total: number | null): void },
  ): Promise<EncodeLibraryReport> {
    const started = Date.now();
    const lib = await this.deps.library();
    const step = run.checkpoint.step;
    const set = lib.trainingSet(run.spec, run.settings.folderIds);
    const existing = this.currentSet(lib, run);
    const stored = existing ? lib.embeddings.storedHashes(existing.id) : new Set<string>();
    const wanted = new Set(set.hashes);
    const stale = [...stored].filter((h) => force || !wanted.has(h));
    const removed = existing && stale.length > 0 ? lib.embeddings.drop(existing.id, stale) : 0;
    if (force) stored.clear();
    const todo = set.hashes.flatMap((hash, i) => (stored.has(hash) ? [] : [i]));
    const target: ModelTarget = { checkpointDir: dir, spec: run.spec };
    ctx.progress(0, todo.length);
    let info = existing;
    const size = this.deps.encodeBatch ?? ENCODE_BATCH;
    for (let start = 0; start < todo.length; start += size) {
      ctx.signal.throwIfAborted();
      const batch = todo.slice(start, start + size);
      const out = await this.deps.model.call(
        'encodeSlots',
        target,
        { slots: batch.map((i) => set.slots[i] as number) },
        { signal: ctx.signal },
      );
      const d = out.dims;
      const rows: EmbeddingRow[] = batch.map((i, b) => ({
        hash: set.hashes[i] as string,
        mu: out.mu.slice(b * d, (b + 1) * d),
        logvar: out.logVar.slice(b * d, (b + 1) * d),
        negElbo: out.negElbo[b] as number,
        kl: out.kl[b] as number,
      }));
      info = lib.embeddings.write(run.id, step, d, rows);
      ctx.progress(start + batch.length, todo.length);
    }
    info ??= lib.embeddings.write(run.id, step, run.model.latentDim, []);
    // Embeddings of older checkpoints of this run are superseded once this set is complete.
    lib.embeddings.dropOtherSteps(run.id, step);
    return {
      embeddings: this.info(lib, run, lib.embeddings.set(run.id, step) ?? info),
      encoded: todo.length,
      reused: set.hashes.length - todo.length,
      removed,
      durationMs: Date.now() - started,
    };
  }

  /** The stored embeddings a call on `run` uses (its current checkpoint's), or null. */
  private async ref(run: ResolvedRun['run']): Promise<EmbeddingsRef | null> {
    const lib = await this.deps.library();
    const set = this.currentSet(lib, run);
    return set ? { setId: set.id, folderIds: run.settings.folderIds } : null;
  }

  private missingEmbeddings(run: RunInfo): ExplorerError {
    const encoding = this.encoding.has(run.id);
    return new ExplorerError(
      'NOT_FOUND',
      encoding
        ? `The library is being encoded with ${run.id}: try again when the encode job has finished.`
        : `Run ${run.id} has no embeddings of its current checkpoint yet: encode the library first (latent-explorer encode, or Encode in the app).`,
      { runId: run.id, reason: encoding ? 'encoding' : 'no-embeddings' },
    );
  }

  /** A worker call on a run (default: the latest completed) with its stored embeddings. */
  async call<M extends ModelMethod>(
    method: M,
    runId: string | undefined,
    args: ModelArgs<M>,
    options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<{ run: ResolvedRun['run']; value: ModelResult<M> }> {
    const { run, dir } = await this.resolveRun(runId);
    const embeddings = await this.ref(run);
    if (embeddings === null && EMBEDDING_METHODS.has(method)) throw this.missingEmbeddings(run);
    const value = await this.deps.model.call(
      method,
      { checkpointDir: dir, spec: run.spec, embeddings },
      args,
      options,
    );
    return { run, value };
  }

  private static toMap(run: RunInfo, step: number, stored: StoredMapLike): LatentMap {
    const meta = stored.meta as MapMeta;
    return {
      runId: run.id,
      step,
      method: stored.method as MapMethod,
      seed: meta.seed,
      imageIds: Array.from(stored.imageIds),
      x: Array.from({ length: stored.imageIds.length }, (_, i) => stored.coords[2 * i] as number),
      y: Array.from(
        { length: stored.imageIds.length },
        (_, i) => stored.coords[2 * i + 1] as number,
      ),
      explainedVariance: meta.explainedVariance,
      createdAt: stored.createdAt,
      durationMs: meta.durationMs,
    };
  }

  async getMap(runId: string | undefined, method: MapMethod): Promise<LatentMap | null> {
    const { run } = await this.resolveRun(runId);
    const lib = await this.deps.library();
    const set = this.currentSet(lib, run);
    const stored = set ? lib.embeddings.loadMap(set.id, method) : null;
    return set && stored ? LatentController.toMap(run, set.step, stored) : null;
  }

  /** Computes a map as a `map` job (or returns the cached one), and caches it when it may write. */
  async computeMap(req: ComputeMapRequest): Promise<LatentMap> {
    if (!req.force) {
      const cached = await this.getMap(req.runId, req.method);
      if (cached && (req.seed === undefined || cached.seed === req.seed)) return cached;
    }
    const { run } = await this.resolveRun(req.runId);
    const seed = req.seed ?? 1;
    const job = this.deps.jobs.start(
      'map',
      `${req.method.toUpperCase()} map of ${run.id}`,
      'epochs',
      async (ctx) => {
        const { value } = await this.call(
          'computeMap',
          run.id,
          { method: req.method, seed },
          { signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) },
        );
        return this.storeMap(run, value);
      },
    );
    return job.result;
  }

  private async storeMap(run: ResolvedRun['run'], map: ComputedMap): Promise<LatentMap> {
    const lib = await this.deps.library();
    const set = this.currentSet(lib, run);
    const coords = new Float32Array(map.imageIds.length * 2);
    map.x.forEach((x, i) => (coords[2 * i] = x));
    map.y.forEach((y, i) => (coords[2 * i + 1] = y));
    const meta: MapMeta = {
      seed: map.seed,
      explainedVariance: map.explainedVariance,
      durationMs: map.durationMs,
      ...map.decodeMeta,
    };
    const stored: StoredMapLike = {
      method: map.method,
      meta,
      imageIds: Int32Array.from(map.imageIds),
      coords,
      createdAt: new Date().toISOString(),
    };
    // A reader process computes the map but leaves the cache to the writer.
    if (set && !this.deps.readOnly)
      lib.embeddings.saveMap(set.id, map.method, meta, stored.imageIds, coords, {
        revision: map.revision,
      });
    return LatentController.toMap(run, set?.step ?? run.checkpoint.step, stored);
  }
}

/** What is stored with a map (the decode metadata of protocol.ts, plus its provenance). */
type MapMeta = ComputedMap['decodeMeta'] & {
  seed: number;
  explainedVariance: number[] | null;
  durationMs: number;
};

interface StoredMapLike {
  method: string;
  meta: unknown;
  imageIds: Int32Array;
  coords: Float32Array;
  createdAt: string;
}
