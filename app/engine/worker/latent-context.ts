/**
 * What the model worker's latent operations stand on: the run's stored embeddings as a
 * {@link LatentTable} (loaded from the catalogue once per revision, with its HNSW indexes), and
 * sources (library image, latent code, outside file) resolved to a posterior.
 */
import { ExplorerError, type DecodedImage, type PreprocessSpec } from '../../contract';
import {
  buildHnswIndex,
  latentTable,
  type HnswIndex,
  type LatentTable,
  type Metric,
} from '../../latent';
import {
  DEFAULT_DECODE_LIMITS,
  decodeImage,
  type Library,
  type StoredEmbeddings,
} from '../../library';
import { decodeLatents, encodeImages } from '../inference';
import type { Vae } from '../model/vae';
import { toDecodedImages } from './images';
import type { EmbeddingsRef, WorkerSource } from './protocol';

/** A loaded embedding set: the table plus lookups. */
export interface LoadedTable {
  stored: StoredEmbeddings;
  table: LatentTable;
  rowOf: Map<number, number>;
  hnsw: Map<Metric, Promise<HnswIndex>>;
}

/** A source resolved to a posterior; `row` is its table row when it is a stored library image. */
export interface ResolvedSource {
  imageId: number | null;
  row: number | null;
  mu: Float32Array;
  logVar: Float32Array | null;
  /** The stored −ELBO of a stored library image, else null. */
  negElbo: number | null;
}

/** Everything one call needs, built by the model server. */
export interface LatentContext {
  vae: Vae;
  library: Library;
  spec: PreprocessSpec;
  embeddings: EmbeddingsRef | null;
  signal: AbortSignal;
  progress(done: number, total: number): void;
  /** Float pixels in [0, 1] of library images (NOT_FOUND when one has none at this input). */
  pixelsOf(imageIds: readonly number[]): Promise<Float32Array>;
  tables: TableCache;
}

export class TableCache {
  private readonly loaded = new Map<string, { revision: number; value: LoadedTable }>();

  /** The table of `ref` (null: the run has no stored embeddings), reloaded when it changed. */
  get(library: Library, ref: EmbeddingsRef | null): LoadedTable | null {
    if (ref === null) return null;
    const key = `${ref.setId}:${ref.folderIds.join(',')}`;
    const info = library.embeddings.setById(ref.setId);
    if (info === null) return null;
    const cached = this.loaded.get(key);
    if (cached && cached.revision === info.revision) return cached.value;
    const stored = library.embeddings.load(ref.setId, ref.folderIds);
    const table = latentTable({
      n: stored.n,
      d: stored.d,
      mu: stored.mu,
      logvar: stored.logvar,
      ids: stored.ids,
      folders: stored.folders,
    });
    const rowOf = new Map<number, number>();
    stored.ids.forEach((id, row) => rowOf.set(id, row));
    const value: LoadedTable = { stored, table, rowOf, hnsw: new Map() };
    this.loaded.set(key, { revision: info.revision, value });
    return value;
  }

  clear(): void {
    this.loaded.clear();
  }
}

/** The run's table, or a NOT_FOUND that says what to do. */
export function requireTable(ctx: LatentContext): LoadedTable {
  const loaded = ctx.tables.get(ctx.library, ctx.embeddings);
  if (loaded === null || loaded.table.n === 0) {
    throw new ExplorerError(
      'NOT_FOUND',
      'This run has no stored embeddings yet: encode the library first (`latent-explorer encode`, or Encode in the app).',
    );
  }
  return loaded;
}

/** The HNSW index of a table for a metric, built once per table revision. */
export function hnswOf(loaded: LoadedTable, metric: Metric): Promise<HnswIndex> {
  let index = loaded.hnsw.get(metric);
  if (!index) {
    index = buildHnswIndex(loaded.table, { metric });
    loaded.hnsw.set(metric, index);
    index.catch(() => loaded.hnsw.delete(metric));
  }
  return index;
}

function checkLength(values: readonly number[], d: number, what: string): void {
  if (values.length !== d) {
    throw new ExplorerError(
      'BAD_REQUEST',
      `${what} has ${values.length} values; this model has ${d} latent dimensions.`,
    );
  }
}

/** Decodes an outside image file the way the run's input was preprocessed, to [0, 1] floats. */
async function outsidePixels(
  file: { name: string; data: string },
  spec: PreprocessSpec,
): Promise<Float32Array> {
  const bytes = Buffer.from(file.data, 'base64');
  const decoded = await decodeImage(bytes, { spec, ...DEFAULT_DECODE_LIMITS });
  if (!decoded.ok) {
    throw new ExplorerError('BAD_REQUEST', `${file.name}: ${decoded.reason}.`, {
      file: file.name,
      kind: decoded.kind,
    });
  }
  return Float32Array.from(decoded.pixels, (v) => v / 255);
}

/** A source to its posterior: stored row, encoder output, or the code as given. */
export async function resolveSource(
  ctx: LatentContext,
  source: WorkerSource,
): Promise<ResolvedSource> {
  const d = ctx.vae.config.latentDim;
  if ('latent' in source) {
    checkLength(source.latent, d, 'latent');
    if (source.logVar) checkLength(source.logVar, d, 'logVar');
    return {
      imageId: null,
      row: null,
      mu: Float32Array.from(source.latent),
      logVar: source.logVar ? Float32Array.from(source.logVar) : null,
      negElbo: null,
    };
  }
  if ('imageId' in source) {
    const loaded = ctx.tables.get(ctx.library, ctx.embeddings);
    const row = loaded?.rowOf.get(source.imageId);
    if (loaded && row !== undefined) {
      return {
        imageId: source.imageId,
        row,
        mu: loaded.table.mu.slice(row * d, (row + 1) * d),
        logVar: loaded.table.logvar.slice(row * d, (row + 1) * d),
        negElbo: loaded.stored.negElbo[row] as number,
      };
    }
    const p = await encodeImages(ctx.vae, await ctx.pixelsOf([source.imageId]));
    return { imageId: source.imageId, row: null, mu: p.mu, logVar: p.logVar, negElbo: null };
  }
  const p = await encodeImages(ctx.vae, await outsidePixels(source.file, ctx.spec));
  return { imageId: null, row: null, mu: p.mu, logVar: p.logVar, negElbo: null };
}

/** Decodes row-major codes [count, d] to images. */
export async function decodeFrames(
  ctx: LatentContext,
  codes: Float32Array,
): Promise<DecodedImage[]> {
  const d = ctx.vae.config.latentDim;
  const count = codes.length / d;
  if (count === 0) return [];
  const pixels = await decodeLatents(ctx.vae, codes, { signal: ctx.signal });
  return toDecodedImages(pixels, count, ctx.spec.size, ctx.spec.channels);
}

/** Row-major codes to number arrays for the DTOs. */
export function rowsOf(codes: Float32Array, d: number): number[][] {
  return Array.from({ length: codes.length / d }, (_, i) =>
    Array.from(codes.subarray(i * d, (i + 1) * d)),
  );
}
