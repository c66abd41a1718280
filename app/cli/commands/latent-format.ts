/** Text output of the latent-space commands (see latent.ts): tables and one-line summaries. */
import {
  formatCount,
  formatDuration,
  type AttributeResult,
  type EmbeddingsInfo,
  type EncodeLibraryReport,
  type ImageGroup,
  type ImagePosterior,
  type InterpolationResult,
  type LatentGridResult,
  type LatentMap,
  type LatentSource,
  type LatentSummary,
  type NeighborsResult,
  type OutliersResult,
  type PriorSample,
  type TraversalResult,
  type ReplayFrame,
  type ReplayInfo,
} from '../../contract';

/** A number for a table: fixed decimals, '–' when missing or not finite. */
export function fixed(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '–'
    : value.toFixed(digits);
}

/** Right-aligned columns (the last one left-aligned when `lastLeft`), two spaces apart. */
export function table(headers: string[], rows: string[][], lastLeft = false): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        lastLeft && i === cells.length - 1 ? cell : cell.padStart(widths[i] as number),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function describeSource(source: LatentSource | undefined): string {
  if (source === undefined) return 'the origin';
  if ('imageId' in source) return `image ${source.imageId}`;
  if ('file' in source) return source.file.name;
  return `the code (${source.latent.length} dims)`;
}

function describeGroup(group: ImageGroup): string {
  return 'folderIds' in group
    ? `${group.folderIds.length === 1 ? 'folder' : 'folders'} ${group.folderIds.join(',')}`
    : `${group.imageIds.length === 1 ? 'image' : 'images'} ${group.imageIds.join(',')}`;
}

const seconds = (ms: number) => formatDuration(ms / 1000);

export function formatEncode(r: EncodeLibraryReport): string {
  const e = r.embeddings;
  return (
    `Encoded ${formatCount(r.encoded, 'image')} (${r.reused} reused, ${r.removed} removed) ` +
    `with run ${e.runId} at step ${e.step} in ${seconds(r.durationMs)}` +
    (e.pending > 0 ? `; ${e.pending} still pending` : '')
  );
}

export function formatEmbeddings(e: EmbeddingsInfo | null, runId: string | undefined): string {
  if (e === null)
    return `${runId !== undefined ? `Run ${runId}` : 'The latest completed run'} has no embeddings yet: run \`latent-explorer encode\`${runId !== undefined ? ` --run ${runId}` : ''}.`;
  return [
    `Run ${e.runId}: ${formatCount(e.count, 'image')} encoded at step ${e.step} (${e.dims} dims), updated ${e.updatedAt}`,
    e.current
      ? '    the current checkpoint'
      : '    an older checkpoint: run `latent-explorer encode` for the current one',
    e.pending > 0
      ? `    ${formatCount(e.pending, 'image')} pending: run \`latent-explorer encode\``
      : '    nothing pending',
  ].join('\n');
}

export function formatPosterior(p: ImagePosterior, source: LatentSource): string {
  const order = p.klPerDim.map((kl, dim) => ({ kl, dim })).sort((a, b) => b.kl - a.kl);
  const rows = order.map(({ dim, kl }) => [
    String(dim),
    fixed(p.mu[dim]),
    fixed(p.sigma[dim]),
    fixed(kl),
  ]);
  const negElbo =
    p.negElbo !== null
      ? `−ELBO ${fixed(p.negElbo)} nats`
      : 'imageId' in source
        ? '−ELBO not stored yet: run `latent-explorer encode`'
        : '−ELBO is stored for library images only';
  return [
    `Posterior q(z|x) of ${describeSource(source)}, ${p.mu.length} dims, largest KL first:`,
    table(['dim', 'μ', 'σ', 'KL'], rows),
    `total KL ${fixed(p.kl)} nats; ${negElbo}`,
  ].join('\n');
}

export function formatNeighbors(r: NeighborsResult, source: LatentSource): string {
  const rows = r.neighbors.map((n, i) => [
    String(i + 1),
    fixed(n.distance, 4),
    String(n.imageId),
    String(n.folderId),
    n.relPath,
  ]);
  return [
    `${r.neighbors.length} nearest to ${describeSource(source)} by ${r.metric} among ${formatCount(r.searched, 'image')} ` +
      `(${r.search === 'hnsw' ? 'HNSW index, approximate' : 'exact search'}, ${r.tookMs.toFixed(0)} ms; run ${r.runId} at step ${r.step})`,
    table(['rank', 'distance', 'image', 'folder', 'path'], rows, true),
  ].join('\n');
}

export function formatInterpolation(r: InterpolationResult, sources: LatentSource[]): string {
  const rows = r.frames.map((f, i) => [
    String(i + 1),
    String(f.segment + 1),
    fixed(f.t, 2),
    f.nearest ? String(f.nearest.imageId) : '–',
    f.nearest ? fixed(f.nearest.distance) : '–',
  ]);
  return [
    `${r.method === 'slerp' ? 'Spherical' : 'Linear'} interpolation through ${sources.map(describeSource).join(' → ')}: ` +
      `${formatCount(r.frames.length, 'frame')} (run ${r.runId})`,
    table(['frame', 'segment', 't', 'nearest', 'distance'], rows),
  ].join('\n');
}

export function formatTraversal(r: TraversalResult, source: LatentSource | undefined): string {
  const what = r.dim !== null ? `dimension ${r.dim}` : 'the direction';
  return [
    `Traversal of ${what} around ${describeSource(source)}: ${formatCount(r.frames.length, 'frame')} (run ${r.runId})`,
    `values: ${r.frames.map((f) => fixed(f.value, 2)).join(' ')}`,
  ].join('\n');
}

export function formatGrid(r: LatentGridResult, source: LatentSource | undefined): string {
  return [
    `Grid over dimensions ${r.dims[0]} (x, columns) and ${r.dims[1]} (y, rows), ${r.rows}×${r.columns} cells, ` +
      `the other dimensions from ${describeSource(source)} (run ${r.runId})`,
    `x values: ${r.xValues.map((v) => fixed(v, 2)).join(' ')}`,
    `y values: ${r.yValues.map((v) => fixed(v, 2)).join(' ')}`,
  ].join('\n');
}

export function formatSample(s: PriorSample, seed: number | undefined): string {
  const shown = 8;
  return [
    `Drew ${formatCount(s.latents.length, 'code')} from the prior N(0, I)${seed !== undefined ? ` with seed ${seed}` : ''}:`,
    ...s.latents.map(
      (z, i) =>
        `  ${String(i + 1).padStart(3)}: [${z
          .slice(0, shown)
          .map((v) => fixed(v, 2))
          .join(', ')}${z.length > shown ? `, … (${z.length} dims)` : ''}]`,
    ),
  ].join('\n');
}

export function formatMap(m: LatentMap): string {
  const variance = m.explainedVariance
    ? `; explained variance ${m.explainedVariance.map((v) => `${(v * 100).toFixed(1)}%`).join(' + ')}`
    : '';
  return (
    `${m.method.toUpperCase()} map of ${formatCount(m.imageIds.length, 'point')} (run ${m.runId} at step ${m.step}, ` +
    `seed ${m.seed}) in ${seconds(m.durationMs)}${variance}`
  );
}

export function formatSummary(s: LatentSummary): string {
  const rows = s.dims.map((d) => [
    String(d.dim),
    fixed(d.meanSigma),
    fixed(d.meanKl),
    d.active ? 'yes' : 'no',
  ]);
  const f = s.folderAgreement;
  const agreement = f
    ? `precision@${f.k} ${fixed(f.precision)} vs ${fixed(f.baseline)} for random neighbours over ${f.folders} folders`
    : 'all images are in one folder';
  return [
    `Run ${s.runId} at step ${s.step}, ${formatCount(s.images, 'image')}:`,
    table(['dim', 'mean σ', 'mean KL', 'active'], rows),
    `active units ${s.activeUnits} of ${s.dims.length}`,
    `mean KL ${fixed(s.meanKl)} nats/image`,
    `mean −ELBO ${s.meanNegElbo !== null ? `${fixed(s.meanNegElbo)} nats/image` : 'not stored'}`,
    `folder agreement: ${agreement}`,
  ].join('\n');
}

export function formatAttribute(
  r: AttributeResult,
  groups: { a: ImageGroup; b: ImageGroup },
  target: LatentSource | undefined,
): string {
  const c = r.consistency;
  return [
    `Attribute vector A − B (A: ${describeGroup(groups.a)}, ${formatCount(r.sizes.a, 'image')}; ` +
      `B: ${describeGroup(groups.b)}, ${formatCount(r.sizes.b, 'image')}), run ${r.runId}`,
    `norm ${fixed(r.norm)}`,
    `consistency: ${c ? `AUC ${fixed(c.auc, 2)} on ${c.heldOutA}+${c.heldOutB} held-out images` : 'too few images to measure'}`,
    r.frames.length > 0
      ? `${describeSource(target)} moved along it with strengths ${r.frames.map((f) => String(f.strength)).join(' ')}`
      : null,
  ]
    .filter((line) => line !== null)
    .join('\n');
}

export function formatOutliers(r: OutliersResult): string {
  const rows = r.outliers.map((o, i) => [
    String(i + 1),
    fixed(o.negElbo, 2),
    fixed(o.z, 2),
    String(o.imageId),
    String(o.folderId),
    o.relPath,
  ]);
  return [
    `${formatCount(r.outliers.length, 'image')} the model explains worst, of ${formatCount(r.searched, 'image')} (run ${r.runId} at step ${r.step}):`,
    table(['rank', '−ELBO', 'z', 'image', 'folder', 'path'], rows, true),
  ].join('\n');
}

/** The DTO for --json with each image's base64 pixels replaced by their byte count. */
export function withoutPixels(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPixels);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const isImage =
    typeof record.data === 'string' &&
    typeof record.width === 'number' &&
    typeof record.height === 'number' &&
    typeof record.channels === 'number';
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    out[key] = isImage && key === 'data' ? base64Bytes(v as string) : withoutPixels(v);
  }
  return out;
}

function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

export function formatReplay(r: ReplayInfo | null, runId: string | undefined): string {
  if (r === null)
    return `${runId ? `Run ${runId}` : 'The latest completed run'} has no training replay (runs trained before replay was recorded have none).`;
  return [
    `Training replay of ${r.runId}: ${r.frames.length} frames of ${r.sampleImageIds.length} sample images (${r.dims} dims) and ${r.priorCount} prior codes`,
    `steps: ${r.frames.map((f) => f.step).join(' ')}`,
    "latent-explorer replay --step N -o prior.png writes a frame's decoded prior codes.",
  ].join('\n');
}

export function formatReplayFrame(f: ReplayFrame): string {
  const span = (v: number[]) => `${Math.min(...v).toFixed(2)}..${Math.max(...v).toFixed(2)}`;
  const sigma = f.meanSigma.reduce((a, b) => a + b, 0) / Math.max(1, f.meanSigma.length);
  return [
    `${f.runId} at step ${f.step} (${f.epoch} epochs done): ${f.x.length} sample images`,
    `  ${f.projection === 'latent' ? 'latent' : 'PCA'} x ${span(f.x)}, y ${span(f.y)}; mean σ ${sigma.toFixed(3)}`,
  ].join('\n');
}
