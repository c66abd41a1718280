/**
 * The latent-space operations of the model worker: app/latent's computations over the run's
 * stored embeddings, with the model decoding what they produce. One function per method of
 * {@link ModelMethods} (the maps' are in latent-map-ops.ts); arguments were validated by the
 * contract's schemas.
 */
import { ExplorerError } from '../../contract';
import {
  LatentError,
  applyAttribute,
  attributeConsistency,
  attributeVector,
  exactKnnAsync,
  folderAgreement,
  interpolate,
  klToPrior,
  latentGrid,
  onManifoldDistances,
  rankOutliers,
  summarizeDimensions,
  traverseDimension,
  traverseDirection,
  type LatentQuery,
} from '../../latent';
import {
  decodeFrames,
  hnswOf,
  requireTable,
  resolveSource,
  rowsOf,
  type LatentContext,
  type LoadedTable,
} from './latent-context';
import type { ModelArgs, ModelResult } from './protocol';

/** Libraries at least this large are searched through the HNSW index by default. */
export const HNSW_AUTO_ROWS = 20_000;

/** Where a table row's image is, from the stored table (no catalogue query per result). */
function locationOf(loaded: LoadedTable, row: number): { folderId: number; relPath: string } {
  return {
    folderId: loaded.stored.folders[row] as number,
    relPath: loaded.stored.relPaths[row] as string,
  };
}

export async function posterior(
  ctx: LatentContext,
  args: ModelArgs<'posterior'>,
): Promise<ModelResult<'posterior'>> {
  const p = await resolveSource(ctx, args.source);
  const d = ctx.vae.config.latentDim;
  const logVar = p.logVar ?? new Float32Array(d);
  const klPerDim = Array.from(klToPrior(p.mu, logVar));
  const [reconstruction] = await decodeFrames(ctx, p.mu);
  return {
    imageId: p.imageId,
    mu: Array.from(p.mu),
    logVar: Array.from(logVar),
    sigma: Array.from(logVar, (v) => Math.exp(0.5 * v)),
    klPerDim,
    kl: klPerDim.reduce((s, v) => s + v, 0),
    reconstruction: reconstruction as NonNullable<typeof reconstruction>,
    negElbo: p.negElbo,
  };
}

export async function neighbors(
  ctx: LatentContext,
  args: ModelArgs<'neighbors'>,
): Promise<ModelResult<'neighbors'>> {
  const loaded = requireTable(ctx);
  const { table } = loaded;
  const metric = args.metric ?? 'euclidean';
  const p = await resolveSource(ctx, args.source);
  const query: LatentQuery =
    p.row !== null ? { row: p.row } : p.logVar ? { mu: p.mu, logvar: p.logVar } : { mu: p.mu };
  const folders = args.folderIds;
  const searched = folders
    ? Array.from(table.folders ?? []).filter((f) => folders.includes(f)).length
    : table.n;
  const k = Math.min(args.k ?? 10, Math.max(1, searched - (p.row !== null ? 1 : 0)));
  const options = { k, metric, ...(folders ? { folders } : {}) };
  const mode = args.search ?? 'auto';
  const started = performance.now();
  let found;
  let search: 'exact' | 'hnsw' = 'exact';
  if (mode === 'hnsw' || (mode === 'auto' && table.n >= HNSW_AUTO_ROWS)) {
    try {
      const index = await hnswOf(loaded, metric);
      found = index.search(query, options);
      search = index.lastSearchExact ? 'exact' : 'hnsw';
    } catch (error) {
      // 'auto' falls back to the exact scan when the native index cannot load here.
      if (mode === 'hnsw' || !(error instanceof LatentError) || error.reason !== 'unavailable')
        throw error;
    }
  }
  found ??= await exactKnnAsync(table, query, { ...options, signal: ctx.signal });
  return {
    metric,
    search,
    searched,
    tookMs: performance.now() - started,
    neighbors: found.map((n) => ({
      imageId: n.id,
      distance: n.distance,
      ...locationOf(loaded, n.index),
    })),
  };
}

export async function interpolatePath(
  ctx: LatentContext,
  args: ModelArgs<'interpolate'>,
): Promise<ModelResult<'interpolate'>> {
  const loaded = requireTable(ctx);
  const sources = [];
  for (const s of args.sources) sources.push(await resolveSource(ctx, s));
  const method = args.method ?? 'linear';
  const path = interpolate(
    sources.map((s) => s.mu),
    { steps: args.steps ?? 8, method },
  );
  const nearest = onManifoldDistances(path.frames, loaded.table);
  const images = await decodeFrames(ctx, path.frames);
  const latents = rowsOf(path.frames, path.d);
  return {
    method,
    frames: latents.map((latent, i) => ({
      latent,
      image: images[i] as (typeof images)[number],
      segment: path.segment[i] as number,
      t: path.t[i] as number,
      nearest: nearest[i] ? { imageId: nearest[i].id, distance: nearest[i].distance } : null,
    })),
  };
}

export async function traverse(
  ctx: LatentContext,
  args: ModelArgs<'traverse'>,
): Promise<ModelResult<'traverse'>> {
  const d = ctx.vae.config.latentDim;
  const base = args.source ? (await resolveSource(ctx, args.source)).mu : new Float32Array(d);
  const options = {
    ...(args.range ? { range: args.range } : {}),
    ...(args.steps !== undefined ? { steps: args.steps } : {}),
  };
  let walk;
  if (args.dim !== undefined) {
    walk = traverseDimension(base, args.dim, {
      ...options,
      mode: args.absolute ? 'absolute' : 'offset',
    });
  } else {
    walk = traverseDirection(base, args.direction ?? [], options);
  }
  const images = await decodeFrames(ctx, walk.points);
  return {
    dim: args.dim ?? null,
    base: Array.from(base),
    frames: rowsOf(walk.points, d).map((latent, i) => ({
      latent,
      value: walk.values[i] as number,
      image: images[i] as (typeof images)[number],
    })),
  };
}

export async function grid(
  ctx: LatentContext,
  args: ModelArgs<'latentGrid'>,
): Promise<ModelResult<'latentGrid'>> {
  const d = ctx.vae.config.latentDim;
  let dims = args.dims;
  if (dims === undefined) {
    // The two dimensions the library uses most (largest variance of μ), else the first two.
    const loaded = ctx.tables.get(ctx.library, ctx.embeddings);
    if (loaded && loaded.table.n > 1) {
      const s = summarizeDimensions(loaded.table);
      const order = Array.from({ length: d }, (_, j) => j).sort(
        (a, b) => (s.muVariance[b] as number) - (s.muVariance[a] as number),
      );
      dims = [order[0] as number, order[1] as number];
    } else dims = [0, 1];
  }
  const base = args.source ? (await resolveSource(ctx, args.source)).mu : undefined;
  const g = latentGrid(d, {
    dims,
    size: [args.columns ?? 8, args.rows ?? 8],
    ...(base ? { base } : {}),
  });
  const images = await decodeFrames(ctx, g.points);
  return {
    dims: g.dims,
    rows: g.rows,
    columns: g.columns,
    xValues: g.xValues,
    yValues: g.yValues,
    cells: rowsOf(g.points, d).map((latent, i) => ({
      latent,
      image: images[i] as (typeof images)[number],
    })),
  };
}

/**
 * The folder each image sits in, as a number: its library folder and the directory of its path
 * inside it, so class sub-folders of one added folder (Fashion-MNIST's, a photo archive's
 * albums) count as folders too.
 */
export function subFolderGroups(stored: { folders: Int32Array; relPaths: string[] }): {
  labels: Int32Array;
  count: number;
} {
  const index = new Map<string, number>();
  const labels = new Int32Array(stored.folders.length);
  stored.folders.forEach((folder, r) => {
    const rel = stored.relPaths[r] ?? '';
    const key = `${folder}/${rel.slice(0, Math.max(0, rel.lastIndexOf('/')))}`;
    let label = index.get(key);
    if (label === undefined) index.set(key, (label = index.size));
    labels[r] = label;
  });
  return { labels, count: index.size };
}

export function summary(
  ctx: LatentContext,
  args: ModelArgs<'latentSummary'>,
): ModelResult<'latentSummary'> {
  const { table, stored } = requireTable(ctx);
  const s = summarizeDimensions(table);
  const groups = subFolderGroups(stored);
  const k = Math.min(args.k ?? 10, table.n - 1);
  const agreement =
    groups.count > 1 && k >= 1
      ? folderAgreement({ ...table, folders: groups.labels }, { k })
      : null;
  const folders = groups.count;
  const meanNegElbo = stored.negElbo.reduce((a, v) => a + v, 0) / Math.max(1, stored.n);
  return {
    images: table.n,
    dims: Array.from({ length: table.d }, (_, j) => ({
      dim: j,
      meanSigma: s.meanSigma[j] as number,
      meanKl: s.meanKl[j] as number,
      muMean: s.meanMu[j] as number,
      muVariance: s.muVariance[j] as number,
      active: s.active.includes(j),
    })),
    activeUnits: s.active.length,
    meanKl: s.totalKl,
    meanNegElbo: stored.n > 0 ? meanNegElbo : null,
    folderAgreement: agreement
      ? { k: agreement.k, precision: agreement.precision, baseline: agreement.baseline, folders }
      : null,
  };
}

function groupRows(
  loaded: LoadedTable,
  group: ModelArgs<'attributeVector'>['a'],
  name: string,
): number[] {
  const { table } = loaded;
  let rows: number[];
  if ('folderIds' in group) {
    const folders = table.folders ?? [];
    rows = [];
    for (let r = 0; r < table.n; r++)
      if (group.folderIds.includes(folders[r] as number)) rows.push(r);
  } else {
    const missing = group.imageIds.filter((id) => !loaded.rowOf.has(id));
    if (missing.length > 0) {
      throw new ExplorerError(
        'NOT_FOUND',
        `Group ${name}: image${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')} ${missing.length > 1 ? 'have' : 'has'} no stored embedding in this run.`,
      );
    }
    rows = group.imageIds.map((id) => loaded.rowOf.get(id) as number);
  }
  if (rows.length === 0)
    throw new ExplorerError('BAD_REQUEST', `Group ${name} has no encoded images.`);
  return rows;
}

export async function attribute(
  ctx: LatentContext,
  args: ModelArgs<'attributeVector'>,
): Promise<ModelResult<'attributeVector'>> {
  const loaded = requireTable(ctx);
  const a = groupRows(loaded, args.a, 'A');
  const b = groupRows(loaded, args.b, 'B');
  const vector = attributeVector(loaded.table, a, b);
  const consistency =
    a.length >= 2 && b.length >= 2 ? attributeConsistency(loaded.table, a, b) : null;
  const d = loaded.table.d;
  let frames: ModelResult<'attributeVector'>['frames'] = [];
  if (args.target) {
    const base = (await resolveSource(ctx, args.target)).mu;
    const strengths = args.strengths ?? [-2, -1, 0, 1, 2];
    const codes = new Float32Array(strengths.length * d);
    strengths.forEach((s, i) => codes.set(applyAttribute(base, vector, s), i * d));
    const images = await decodeFrames(ctx, codes);
    frames = rowsOf(codes, d).map((latent, i) => ({
      latent,
      strength: strengths[i] as number,
      image: images[i] as (typeof images)[number],
    }));
  }
  return {
    vector: Array.from(vector),
    norm: Math.hypot(...vector),
    sizes: { a: a.length, b: b.length },
    consistency: consistency
      ? { auc: consistency.auc, heldOutA: consistency.heldOutA, heldOutB: consistency.heldOutB }
      : null,
    frames,
  };
}

export function outliers(ctx: LatentContext, args: ModelArgs<'outliers'>): ModelResult<'outliers'> {
  const loaded = requireTable(ctx);
  const { table, stored } = loaded;
  const folders = args.folderIds;
  const rows: number[] = [];
  for (let r = 0; r < table.n; r++) {
    if (!folders || folders.includes(stored.folders[r] as number)) rows.push(r);
  }
  if (rows.length === 0) return { searched: 0, outliers: [] };
  const scores = Float64Array.from(rows, (r) => stored.negElbo[r] as number);
  const ids = rows.map((r) => stored.ids[r] as number);
  const ranked = rankOutliers(scores, ids, Math.min(args.limit, rows.length));
  return {
    searched: rows.length,
    outliers: ranked.map((o) => ({
      imageId: o.id,
      negElbo: o.score,
      z: o.z,
      ...locationOf(loaded, rows[o.index] as number),
    })),
  };
}
