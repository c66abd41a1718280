/**
 * The model worker's request handler: loads a run's latest checkpoint (reloading when a newer one
 * is saved), reads pixels from the library, and answers encode / decode / reconstruct /
 * samplePrior / evaluate. Calls are cancellable by id.
 */
import type { DecodedImage, PreprocessSpec } from '../../contract';
import { ExplorerError } from '../../contract';
import type { Library } from '../../library';
import { activeUnits } from '../active-units';
import { loadCheckpoint, resolveCheckpoint } from '../checkpoint';
import { evaluateElbo, iwaeBound } from '../evaluate';
import { decodeLatents, encodeImages, reconstructImages } from '../inference';
import { disposeVae, type Vae } from '../model/vae';
import { samplePrior } from '../../latent';
import { libraryPixelSource, splitByHash, validationSample } from './dataset';
import { toDecodedImages } from './images';
import { rowsOf, TableCache, type LatentContext } from './latent-context';
import * as mapOps from './latent-map-ops';
import * as ops from './latent-ops';
import type { ModelArgs, ModelCall, ModelEvent, ModelMethod, ModelResult } from './protocol';

type Handler<M extends ModelMethod> = (
  call: ModelCall<M>,
  vae: Vae,
  signal: AbortSignal,
) => Promise<ModelResult<M>> | ModelResult<M>;

interface LoadedModel {
  savedAt: string;
  vae: Vae;
}

export interface ModelServerDeps {
  send(event: ModelEvent): void;
  openLibrary(dir: string): Promise<Library>;
}

export class ModelServer {
  private readonly models = new Map<string, LoadedModel>();
  private readonly libraries = new Map<string, Promise<Library>>();
  private readonly calls = new Map<number, AbortController>();
  private readonly tables = new TableCache();

  constructor(private readonly deps: ModelServerDeps) {}

  cancel(id: number): void {
    this.calls.get(id)?.abort();
  }

  async handle(call: ModelCall): Promise<void> {
    const controller = new AbortController();
    this.calls.set(call.id, controller);
    try {
      const value = await this.dispatch(call, controller.signal);
      this.deps.send({ type: 'reply', id: call.id, ok: true, value });
    } catch (error) {
      const apiError =
        error instanceof ExplorerError
          ? error.toJSON()
          : controller.signal.aborted
            ? { code: 'CANCELLED' as const, message: 'Cancelled.' }
            : {
                code: 'INTERNAL' as const,
                message: error instanceof Error ? error.message : String(error),
              };
      this.deps.send({ type: 'reply', id: call.id, ok: false, error: apiError });
    } finally {
      this.calls.delete(call.id);
    }
  }

  async close(): Promise<void> {
    for (const model of this.models.values()) disposeVae(model.vae);
    this.models.clear();
    this.tables.clear();
    for (const lib of this.libraries.values()) await (await lib).close();
    this.libraries.clear();
  }

  private library(dir: string): Promise<Library> {
    let lib = this.libraries.get(dir);
    if (!lib) {
      lib = this.deps.openLibrary(dir);
      this.libraries.set(dir, lib);
      lib.catch(() => this.libraries.delete(dir));
    }
    return lib;
  }

  private async model(checkpointDir: string): Promise<Vae> {
    const found = await resolveCheckpoint(checkpointDir);
    if (found === null) {
      throw new ExplorerError(
        'NOT_FOUND',
        'This run has no checkpoint yet: wait for its first checkpoint or train it.',
      );
    }
    const cached = this.models.get(checkpointDir);
    if (cached && cached.savedAt === found.config.savedAt) return cached.vae;
    const loaded = await loadCheckpoint(checkpointDir, false);
    if (cached) disposeVae(cached.vae);
    this.models.set(checkpointDir, { savedAt: loaded.config.savedAt, vae: loaded.vae });
    return loaded.vae;
  }

  private async pixels(call: ModelCall, imageIds: readonly number[]): Promise<Float32Array> {
    const lib = await this.library(call.libraryDir);
    const slots = lib.slotsOf(call.spec, imageIds);
    const missing = imageIds.filter((id) => !slots.has(id));
    if (missing.length > 0) {
      throw new ExplorerError(
        'NOT_FOUND',
        `No pixels for image${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')} at this model's input size: they failed to ingest, were removed, or belong to a folder with another input size.`,
      );
    }
    return libraryPixelSource(lib, call.spec).read(imageIds.map((id) => slots.get(id) as number));
  }

  private images(pixels: Float32Array, count: number, spec: PreprocessSpec): DecodedImage[] {
    return toDecodedImages(pixels, count, spec.size, spec.channels);
  }

  private async dispatch(call: ModelCall, signal: AbortSignal): Promise<unknown> {
    const vae = await this.model(call.checkpointDir);
    const handler = this.handlers[call.method] as Handler<ModelMethod>;
    return handler(call, vae, signal);
  }

  private async context(call: ModelCall, vae: Vae, signal: AbortSignal): Promise<LatentContext> {
    const library = await this.library(call.libraryDir);
    return {
      vae,
      library,
      spec: call.spec,
      embeddings: call.embeddings,
      signal,
      progress: (done, total) => this.deps.send({ type: 'progress', id: call.id, done, total }),
      pixelsOf: (ids) => this.pixels(call, ids),
      tables: this.tables,
    };
  }

  /** A latent operation: its context built, then the function of latent-ops.ts. */
  private latent<M extends ModelMethod>(
    run: (ctx: LatentContext, args: ModelArgs<M>) => Promise<ModelResult<M>> | ModelResult<M>,
  ): Handler<M> {
    return async (call, vae, signal) => run(await this.context(call, vae, signal), call.args);
  }

  private readonly handlers: { [M in ModelMethod]: Handler<M> } = {
    encode: async (call, vae, signal) => {
      const ids = call.args.imageIds;
      const p = await encodeImages(vae, await this.pixels(call, ids), { signal });
      const l = p.latentDim;
      return ids.map((imageId, i) => ({
        imageId,
        mu: Array.from(p.mu.subarray(i * l, (i + 1) * l)),
        logVar: Array.from(p.logVar.subarray(i * l, (i + 1) * l)),
      }));
    },
    decode: async (call, vae) => {
      const latents = call.args.latents;
      this.checkLatents(latents, vae.config.latentDim);
      return this.images(
        await decodeLatents(vae, Float32Array.from(latents.flat())),
        latents.length,
        call.spec,
      );
    },
    reconstruct: async (call, vae, signal) => {
      const ids = call.args.imageIds;
      return this.images(
        await reconstructImages(vae, await this.pixels(call, ids), { signal }),
        ids.length,
        call.spec,
      );
    },
    samplePrior: async (call, vae) => {
      const { count } = call.args;
      const z = samplePrior(count, vae.config.latentDim, call.args.seed ?? Date.now() % 2 ** 31);
      return {
        latents: rowsOf(z, vae.config.latentDim),
        images: this.images(await decodeLatents(vae, z), count, call.spec),
      };
    },
    evaluate: (call, vae, signal) => this.evaluate(call, vae, call.args, signal),
    encodeSlots: async (call, vae, signal) => {
      const lib = await this.library(call.libraryDir);
      const images = await libraryPixelSource(lib, call.spec).read(call.args.slots);
      // One pass: the ELBO's encoder output is the posterior stored.
      const elbo = await evaluateElbo(vae, images, {
        batchSize: 128,
        seed: 0,
        signal,
        posteriors: true,
      });
      return {
        dims: vae.config.latentDim,
        mu: elbo.mu as Float32Array,
        logVar: elbo.logVar as Float32Array,
        negElbo: elbo.perImageNegElbo,
        kl: elbo.perImageKl,
      };
    },
    posterior: this.latent(ops.posterior),
    neighbors: this.latent(ops.neighbors),
    interpolate: this.latent(ops.interpolatePath),
    traverse: this.latent(ops.traverse),
    latentGrid: this.latent(ops.grid),
    latentSummary: this.latent(ops.summary),
    computeMap: this.latent(mapOps.computeMap),
    decodeMapPoint: this.latent((ctx, args) => {
      const map =
        ctx.embeddings === null
          ? null
          : ctx.library.embeddings.loadMap(ctx.embeddings.setId, args.method);
      return mapOps.decodeMapPoint(ctx, args, map);
    }),
    attributeVector: this.latent(ops.attribute),
    outliers: this.latent(ops.outliers),
  };

  private checkLatents(latents: number[][], dim: number): void {
    const bad = latents.findIndex((z) => z.length !== dim);
    if (bad >= 0) {
      throw new ExplorerError(
        'BAD_REQUEST',
        `latents[${bad}] has ${latents[bad]?.length} values; this model has ${dim} latent dimensions.`,
      );
    }
  }

  private async evaluate(
    call: ModelCall,
    vae: Vae,
    args: ModelArgs<'evaluate'>,
    signal: AbortSignal,
  ): Promise<ModelResult<'evaluate'>> {
    const lib = await this.library(call.libraryDir);
    const set = lib.trainingSet(call.spec, args.folderIds);
    const split = splitByHash(set, args.validationFraction);
    const side = split.validation.slots.length > 0 ? split.validation : split.train;
    const max = args.maxImages ?? 10_000;
    // A seeded sample when capped (never the first N in path order, which is a few classes).
    const { indices } = validationSample(side.slots.length, max, args.seed ?? 0);
    const slots = Array.from(indices, (i) => side.slots[i] as number);
    const ids = Array.from(indices, (i) => side.imageIds[i] as number);
    if (slots.length === 0)
      throw new ExplorerError('BAD_REQUEST', 'There are no images to evaluate on.');
    const images = await libraryPixelSource(lib, call.spec).read(slots);
    const k = args.iwaeSamples;
    const total = slots.length * (k > 0 ? 2 : 1);
    const progress = (offset: number) => (done: number) =>
      this.deps.send({ type: 'progress', id: call.id, done: offset + done, total });
    const elbo = await evaluateElbo(vae, images, {
      batchSize: 128,
      signal,
      onProgress: progress(0),
    });
    const iwae =
      k > 0
        ? await iwaeBound(vae, images, {
            k,
            batchSize: 32,
            signal,
            onProgress: progress(slots.length),
          })
        : null;
    const posteriors = await encodeImages(vae, images, { signal });
    const worst = Array.from(elbo.perImageNegElbo, (negElbo, i) => ({
      imageId: ids[i] as number,
      negElbo,
    }))
      .sort((a, b) => b.negElbo - a.negElbo)
      .slice(0, 20);
    return {
      images: slots.length,
      negElbo: elbo.negElbo,
      reconstruction: elbo.reconstruction,
      kl: elbo.kl,
      iwae: iwae ? { samples: k, negLogLikelihood: iwae.negBound } : null,
      activeUnits: activeUnits(posteriors.mu, vae.config.latentDim).indices.length,
      worst,
    };
  }
}
