/**
 * The model worker's request handler: loads a run's latest checkpoint (reloading when a newer one
 * is saved), reads pixels from the library, and answers encode / decode / reconstruct /
 * samplePrior / evaluate. Calls are cancellable by id.
 */
import type {
  DecodedImage,
  EvaluationReport,
  Posterior,
  PreprocessSpec,
  PriorSample,
} from '../../contract';
import { ExplorerError } from '../../contract';
import type { Library } from '../../library';
import { activeUnits } from '../active-units';
import { loadCheckpoint, resolveCheckpoint } from '../checkpoint';
import { evaluateElbo, iwaeBound } from '../evaluate';
import { decodeLatents, encodeImages, reconstructImages } from '../inference';
import { disposeVae, type Vae } from '../model/vae';
import { mulberry32 } from '../../random';
import { libraryPixelSource, splitByHash, validationSample } from './dataset';
import { toDecodedImages } from './images';
import type { ModelCall, ModelEvent } from './protocol';

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
    const args = call.args as Record<string, unknown>;
    switch (call.method) {
      case 'encode': {
        const ids = args.imageIds as number[];
        const p = await encodeImages(vae, await this.pixels(call, ids), { signal });
        const l = p.latentDim;
        return ids.map<Posterior>((imageId, i) => ({
          imageId,
          mu: Array.from(p.mu.subarray(i * l, (i + 1) * l)),
          logVar: Array.from(p.logVar.subarray(i * l, (i + 1) * l)),
        }));
      }
      case 'decode': {
        const latents = args.latents as number[][];
        this.checkLatents(latents, vae.config.latentDim);
        return this.images(
          await decodeLatents(vae, Float32Array.from(latents.flat())),
          latents.length,
          call.spec,
        );
      }
      case 'reconstruct': {
        const ids = args.imageIds as number[];
        return this.images(
          await reconstructImages(vae, await this.pixels(call, ids), { signal }),
          ids.length,
          call.spec,
        );
      }
      case 'samplePrior': {
        const count = args.count as number;
        const random = mulberry32((args.seed as number | undefined) ?? Date.now() % 2 ** 31);
        const l = vae.config.latentDim;
        const z = new Float32Array(count * l);
        for (let i = 0; i < z.length; i++) {
          // Box–Muller: two uniforms give one standard normal.
          z[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        }
        const latents = Array.from({ length: count }, (_, i) =>
          Array.from(z.subarray(i * l, (i + 1) * l)),
        );
        return {
          latents,
          images: this.images(await decodeLatents(vae, z), count, call.spec),
        } satisfies PriorSample;
      }
      case 'evaluate':
        return this.evaluate(call, vae, args, signal);
    }
  }

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
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<Omit<EvaluationReport, 'runId'>> {
    const lib = await this.library(call.libraryDir);
    const set = lib.trainingSet(call.spec, args.folderIds as number[]);
    const split = splitByHash(set, args.validationFraction as number);
    const side = split.validation.slots.length > 0 ? split.validation : split.train;
    const max = (args.maxImages as number | undefined) ?? 10_000;
    // A seeded sample when capped (never the first N in path order, which is a few classes).
    const { indices } = validationSample(
      side.slots.length,
      max,
      (args.seed as number | undefined) ?? 0,
    );
    const slots = Array.from(indices, (i) => side.slots[i] as number);
    const ids = Array.from(indices, (i) => side.imageIds[i] as number);
    if (slots.length === 0)
      throw new ExplorerError('BAD_REQUEST', 'There are no images to evaluate on.');
    const images = await libraryPixelSource(lib, call.spec).read(slots);
    const k = (args.iwaeSamples as number | undefined) ?? 0;
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
