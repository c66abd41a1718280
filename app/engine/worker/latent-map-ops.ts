/**
 * The model worker's map operations: a 2-D map of the stored embeddings (PCA, UMAP, t-SNE) with
 * what decoding a point of it needs, and the decoded code at any map point.
 */
import { ExplorerError } from '../../contract';
import {
  fitPca,
  latentAtMapPoint,
  pcaInverse,
  pcaProject,
  sampleIndices,
  seededUniform,
  tsneMap,
  umapMap,
  type MapResult,
  type PcaModel,
} from '../../latent';
import { decodeFrames, requireTable, type LatentContext } from './latent-context';
import type { ModelArgs, ModelResult } from './protocol';

/** t-SNE is exact (O(N²)): larger libraries are mapped on a seeded sample of this many. */
export const TSNE_MAX_POINTS = 3_000;

function pcaMeta(model: PcaModel): {
  kind: 'pca';
  mean: number[];
  components: number[];
  k: number;
} {
  return {
    kind: 'pca',
    mean: Array.from(model.mean),
    components: Array.from(model.components),
    k: model.k,
  };
}

export async function computeMap(
  ctx: LatentContext,
  args: ModelArgs<'computeMap'>,
): Promise<ModelResult<'computeMap'>> {
  const { table, stored } = requireTable(ctx);
  const started = performance.now();
  const common = { seed: args.seed, signal: ctx.signal, onProgress: ctx.progress };
  let rows: number[];
  let coords: Float32Array;
  let explained: number[] | null = null;
  let decodeMeta: ModelResult<'computeMap'>['decodeMeta'] = { kind: 'points' };
  if (args.method === 'pca') {
    const model = fitPca(table, 2);
    rows = Array.from({ length: table.n }, (_, i) => i);
    coords = pcaProject(model, table.mu);
    explained = model.explainedRatio;
    decodeMeta = pcaMeta(model);
    ctx.progress(1, 1);
  } else {
    const sample =
      args.method === 'tsne' && table.n > TSNE_MAX_POINTS
        ? sampleIndices(table.n, TSNE_MAX_POINTS, seededUniform(args.seed)).sort((a, b) => a - b)
        : undefined;
    const map: MapResult = await (args.method === 'umap' ? umapMap : tsneMap)(table, {
      ...common,
      ...(sample ? { rows: sample } : {}),
    });
    rows = map.rows;
    coords = map.coords;
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    x.push(coords[i * 2] as number);
    y.push(coords[i * 2 + 1] as number);
  }
  return {
    method: args.method,
    seed: args.seed,
    imageIds: rows.map((r) => table.ids[r] as number),
    x,
    y,
    explainedVariance: explained,
    durationMs: performance.now() - started,
    revision: stored.set.revision,
    decodeMeta,
  };
}

export async function decodeMapPoint(
  ctx: LatentContext,
  args: ModelArgs<'decodeMapPoint'>,
  map: { imageIds: Int32Array; coords: Float32Array; meta: unknown } | null,
): Promise<ModelResult<'decodeMapPoint'>> {
  const loaded = requireTable(ctx);
  if (map === null) {
    throw new ExplorerError(
      'NOT_FOUND',
      `There is no ${args.method.toUpperCase()} map of this run's current embeddings: compute it first.`,
    );
  }
  const meta = map.meta as ModelResult<'computeMap'>['decodeMeta'];
  let mu: Float32Array;
  let blended: { imageId: number; weight: number }[] = [];
  if (meta.kind === 'pca') {
    const d = loaded.table.d;
    const model: PcaModel = {
      d,
      k: meta.k,
      mean: Float64Array.from(meta.mean),
      components: Float64Array.from(meta.components),
      variances: [],
      explainedRatio: [],
    };
    mu = pcaInverse(model, [args.x, args.y]);
  } else {
    const rows = Array.from(map.imageIds, (id) => loaded.rowOf.get(id) ?? -1);
    if (rows.includes(-1)) {
      throw new ExplorerError(
        'NOT_FOUND',
        'The map is out of date with the stored embeddings: compute it again.',
      );
    }
    const mapResult: MapResult = { method: 'umap', rows, dims: 2, coords: map.coords };
    const at = latentAtMapPoint(loaded.table, mapResult, [args.x, args.y]);
    mu = at.mu;
    blended = at.neighbours.map((n) => ({ imageId: n.id, weight: n.weight }));
  }
  const [image] = await decodeFrames(ctx, mu);
  return { latent: Array.from(mu), image: image as NonNullable<typeof image>, neighbors: blended };
}
