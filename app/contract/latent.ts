/**
 * DTOs of the latent-space operations (part of the contract; see api.ts): stored embeddings,
 * posteriors, neighbours, interpolation, traversal, grids, maps, summaries, attributes and
 * outliers. Latent codes cross as plain number arrays; images as {@link DecodedImage}.
 */
import type { DecodedImage } from './training';

/** Distances between images' posteriors (see app/latent/README.md for the formulas). */
export const LATENT_METRICS = [
  'euclidean',
  'cosine',
  'symmetric-kl',
  'bhattacharyya',
  'wasserstein',
] as const;
export type LatentMetric = (typeof LATENT_METRICS)[number];

export const MAP_METHODS = ['pca', 'umap', 'tsne'] as const;
export type MapMethod = (typeof MAP_METHODS)[number];

/**
 * What an operation starts from: a library image (its stored posterior), a latent code (with
 * its log σ² when known), or an image file from outside the library (base64 of its bytes; it is
 * preprocessed like the run's input and encoded, never added to the library).
 */
export type LatentSource =
  | { imageId: number }
  | { latent: number[]; logVar?: number[] }
  | { file: { name: string; data: string } };

/** The library encoded with one checkpoint of a run. */
export interface EmbeddingsInfo {
  runId: string;
  /** Checkpoint step the embeddings were computed with. */
  step: number;
  dims: number;
  /** Images encoded at this step. */
  count: number;
  /** Images of the run's folders not encoded at this step yet (new, changed, or never done). */
  pending: number;
  /** Whether this is the run's current checkpoint (false: encode again for the newest). */
  current: boolean;
  updatedAt: string;
}

export interface EncodeLibraryReport {
  embeddings: EmbeddingsInfo;
  /** Images encoded in this job. */
  encoded: number;
  /** Images whose stored embedding was still valid (same content, same step). */
  reused: number;
  /** Stored embeddings dropped because their image was removed or changed. */
  removed: number;
  durationMs: number;
}

/** q(z|x) of one image with what it costs against the prior. */
export interface ImagePosterior {
  /** Null for an outside file or a latent code. */
  imageId: number | null;
  mu: number[];
  logVar: number[];
  sigma: number[];
  /** KL(q(z|x) ‖ N(0, 1)) per dimension, nats. */
  klPerDim: number[];
  kl: number;
  /** decode(μ). */
  reconstruction: DecodedImage;
  /** The stored single-sample −ELBO of a library image, when its embedding is stored. */
  negElbo: number | null;
}

export interface NeighborEntry {
  imageId: number;
  folderId: number;
  /** Path relative to its folder. */
  relPath: string;
  distance: number;
}

export interface NeighborsResult {
  runId: string;
  step: number;
  metric: LatentMetric;
  /** How the search was done: exact scan, or the HNSW index (approximate). */
  search: 'exact' | 'hnsw';
  /** Rows searched (after any folder restriction). */
  searched: number;
  neighbors: NeighborEntry[];
  tookMs: number;
}

export interface LatentFrame {
  latent: number[];
  image: DecodedImage;
}

export interface InterpolationFrame extends LatentFrame {
  /** Segment (between sources i and i+1) and position in it, 0..1. */
  segment: number;
  t: number;
  /** The nearest library image's μ (Euclidean): the on-manifold cue. */
  nearest: { imageId: number; distance: number } | null;
}

export interface InterpolationResult {
  runId: string;
  method: 'linear' | 'slerp';
  frames: InterpolationFrame[];
}

export interface TraversalFrame extends LatentFrame {
  /** Position along the traversal, in prior σ units (or the absolute value). */
  value: number;
}

export interface TraversalResult {
  runId: string;
  /** The dimension traversed, or null for a direction. */
  dim: number | null;
  base: number[];
  frames: TraversalFrame[];
}

export interface LatentGridResult {
  runId: string;
  dims: [number, number];
  rows: number;
  columns: number;
  /** Latent values along x (columns) and y (rows, top row first). */
  xValues: number[];
  yValues: number[];
  /** Row-major, rows × columns. */
  cells: LatentFrame[];
}

export interface DimensionSummary {
  dim: number;
  meanSigma: number;
  meanKl: number;
  muMean: number;
  muVariance: number;
  active: boolean;
}

export interface LatentSummary {
  runId: string;
  step: number;
  images: number;
  dims: DimensionSummary[];
  activeUnits: number;
  /** Mean KL of all dimensions per image, nats. */
  meanKl: number;
  /** Mean stored −ELBO per image, nats. */
  meanNegElbo: number | null;
  /**
   * Whether neighbours share a folder (a sub-folder of an added folder counts as its own):
   * null when the images all sit in one folder.
   */
  folderAgreement: { k: number; precision: number; baseline: number; folders: number } | null;
}

export interface LatentMap {
  runId: string;
  step: number;
  method: MapMethod;
  seed: number;
  /** Image id of each point, in the order of `x`/`y`. */
  imageIds: number[];
  x: number[];
  y: number[];
  /** PCA: share of the μ variance each of the two axes explains. */
  explainedVariance: number[] | null;
  createdAt: string;
  durationMs: number;
}

export interface MapPointDecode extends LatentFrame {
  /** The map points blended (UMAP / t-SNE), nearest first; empty for PCA. */
  neighbors: { imageId: number; weight: number }[];
}

/** A group of images: folders, or picked images. */
export type ImageGroup = { folderIds: number[] } | { imageIds: number[] };

export interface AttributeResult {
  runId: string;
  /** mean μ(A) − mean μ(B). */
  vector: number[];
  norm: number;
  sizes: { a: number; b: number };
  /** Held-out AUC of the projection on the vector (1 separates, 0.5 chance); null if too few. */
  consistency: { auc: number; heldOutA: number; heldOutB: number } | null;
  /** The target moved along the vector, one frame per strength. */
  frames: (LatentFrame & { strength: number })[];
}

export interface OutlierEntry {
  imageId: number;
  folderId: number;
  relPath: string;
  /** Stored single-sample −ELBO, nats. */
  negElbo: number;
  /** Standard score of the −ELBO within the searched images. */
  z: number;
}

export interface OutliersResult {
  runId: string;
  step: number;
  searched: number;
  outliers: OutlierEntry[];
}

/** The training replay of a run: what was recorded, at which steps. */
export interface ReplayInfo {
  runId: string;
  dims: number;
  /** The fixed sample whose posteriors each frame holds, in image-id order. */
  sampleImageIds: number[];
  /** Folder of each sample image (0 when it has left the library). */
  sampleFolderIds: number[];
  /** Prior codes decoded in each frame (the same codes every frame). */
  priorCount: number;
  /** Recorded steps, oldest first: 1, 2, 4, 8, … and the last (epoch: epochs completed before it). */
  frames: { step: number; epoch: number }[];
}

export interface ReplayFrame {
  runId: string;
  step: number;
  /** Epochs completed before this step. */
  epoch: number;
  /** 'latent': x/y are μ itself (2-D latent); 'pca': the first two principal axes of this frame's μ. */
  projection: 'latent' | 'pca';
  x: number[];
  y: number[];
  /** Mean σ of each sample image over dimensions. */
  meanSigma: number[];
  prior: DecodedImage[];
}
