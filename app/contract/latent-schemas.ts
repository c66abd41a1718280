/**
 * Runtime schemas of the latent-space operations' requests (see schemas.ts for the rules). Every
 * `runId` is optional: the latest completed run is used when it is left out.
 */
import { z } from 'zod';
import { LATENT_METRICS, MAP_METHODS } from './latent';
import {
  IdSchema as Id,
  LatentSchema as Latent,
  RunIdSchema as RunId,
  SeedSchema as Seed,
} from './schema-primitives';

const FolderIds = z.array(Id).min(1).max(1000);

/** Largest outside image accepted, as base64 (≈ 2.6 MB of file; serve mode's body limit is 4 MB). */
export const MAX_OUTSIDE_IMAGE_BASE64 = 3_500_000;

export const LatentSourceSchema = z.union([
  z.strictObject({ imageId: Id }),
  z.strictObject({ latent: Latent, logVar: Latent.optional() }),
  z.strictObject({
    file: z.strictObject({
      name: z.string().min(1).max(255),
      data: z
        .string()
        .min(1, 'file.data is empty')
        .max(MAX_OUTSIDE_IMAGE_BASE64, 'file is too large (at most ~2.6 MB)')
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'file.data must be base64'),
    }),
  }),
]);

const ImageGroupSchema = z.union([
  z.strictObject({ folderIds: FolderIds }),
  z.strictObject({ imageIds: z.array(Id).min(1).max(100_000) }),
]);

const OptionalRun = { runId: RunId.optional() };

export const EncodeLibraryRequestSchema = z
  .strictObject({
    ...OptionalRun,
    /** Encode every image again, even those stored for this checkpoint. */
    force: z.boolean().optional(),
  })
  .optional();
export const EmbeddingsStatusRequestSchema = z.strictObject(OptionalRun).optional();
export const PosteriorRequestSchema = z.strictObject({
  ...OptionalRun,
  source: LatentSourceSchema,
});
export const NeighborsRequestSchema = z.strictObject({
  ...OptionalRun,
  source: LatentSourceSchema,
  k: z.number().int().min(1).max(1000).optional(),
  metric: z.enum(LATENT_METRICS).optional(),
  folderIds: FolderIds.optional(),
  /** 'auto' (default): HNSW for large libraries when it loads, else exact. */
  search: z.enum(['auto', 'exact', 'hnsw']).optional(),
});
export const InterpolateRequestSchema = z.strictObject({
  ...OptionalRun,
  sources: z.array(LatentSourceSchema).min(2).max(16),
  /** Frames per segment, ends included (default 8). */
  steps: z.number().int().min(2).max(64).optional(),
  method: z.enum(['linear', 'slerp']).optional(),
});
export const TraverseRequestSchema = z
  .strictObject({
    ...OptionalRun,
    /** Default: the origin of the latent space. */
    source: LatentSourceSchema.optional(),
    dim: z.number().int().min(0).max(255).optional(),
    direction: Latent.optional(),
    /** In prior σ units around the source (default [-3, 3]). */
    range: z.tuple([z.number().finite(), z.number().finite()]).optional(),
    steps: z.number().int().min(2).max(64).optional(),
    /** For a dimension: set it to the values instead of adding them. */
    absolute: z.boolean().optional(),
  })
  .refine((r) => (r.dim === undefined) !== (r.direction === undefined), {
    message: 'give exactly one of dim and direction',
  });
export const LatentGridRequestSchema = z.strictObject({
  ...OptionalRun,
  /** The two dimensions on x and y (default the two most active). */
  dims: z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255)]).optional(),
  rows: z.number().int().min(1).max(32).optional(),
  columns: z.number().int().min(1).max(32).optional(),
  /** The other dimensions (default 0, the prior's mean). */
  source: LatentSourceSchema.optional(),
});
export const LatentSummaryRequestSchema = z
  .strictObject({ ...OptionalRun, k: z.number().int().min(1).max(100).optional() })
  .optional();
export const ComputeMapRequestSchema = z.strictObject({
  ...OptionalRun,
  method: z.enum(MAP_METHODS),
  seed: Seed.optional(),
  /** Compute again even if a map is cached for this checkpoint. */
  force: z.boolean().optional(),
});
export const GetMapRequestSchema = z.strictObject({ ...OptionalRun, method: z.enum(MAP_METHODS) });
export const DecodeMapPointRequestSchema = z.strictObject({
  ...OptionalRun,
  method: z.enum(MAP_METHODS),
  x: z.number().finite(),
  y: z.number().finite(),
});
export const AttributeRequestSchema = z.strictObject({
  ...OptionalRun,
  a: ImageGroupSchema,
  b: ImageGroupSchema,
  /** Image or code to move along the vector. */
  target: LatentSourceSchema.optional(),
  /** Strengths applied to the target (default [-2, -1, 0, 1, 2]). */
  strengths: z.array(z.number().finite().min(-10).max(10)).min(1).max(32).optional(),
});
export const OutliersRequestSchema = z
  .strictObject({
    ...OptionalRun,
    limit: z.number().int().min(1).max(1000).optional(),
    folderIds: FolderIds.optional(),
  })
  .optional();

export const GetReplayRequestSchema = z.strictObject(OptionalRun).optional();
export const GetReplayFrameRequestSchema = z.strictObject({
  ...OptionalRun,
  step: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});

export const LATENT_SCHEMAS = {
  encodeLibrary: EncodeLibraryRequestSchema,
  embeddingsStatus: EmbeddingsStatusRequestSchema,
  posterior: PosteriorRequestSchema,
  neighbors: NeighborsRequestSchema,
  interpolate: InterpolateRequestSchema,
  traverse: TraverseRequestSchema,
  latentGrid: LatentGridRequestSchema,
  latentSummary: LatentSummaryRequestSchema,
  computeMap: ComputeMapRequestSchema,
  getMap: GetMapRequestSchema,
  decodeMapPoint: DecodeMapPointRequestSchema,
  attributeVector: AttributeRequestSchema,
  outliers: OutliersRequestSchema,
  getReplay: GetReplayRequestSchema,
  getReplayFrame: GetReplayFrameRequestSchema,
} as const;

export type EncodeLibraryRequest = z.input<typeof EncodeLibraryRequestSchema>;
export type EmbeddingsStatusRequest = z.input<typeof EmbeddingsStatusRequestSchema>;
export type PosteriorRequest = z.input<typeof PosteriorRequestSchema>;
export type NeighborsRequest = z.input<typeof NeighborsRequestSchema>;
export type InterpolateRequest = z.input<typeof InterpolateRequestSchema>;
export type TraverseRequest = z.input<typeof TraverseRequestSchema>;
export type LatentGridRequest = z.input<typeof LatentGridRequestSchema>;
export type LatentSummaryRequest = z.input<typeof LatentSummaryRequestSchema>;
export type ComputeMapRequest = z.input<typeof ComputeMapRequestSchema>;
export type GetMapRequest = z.input<typeof GetMapRequestSchema>;
export type DecodeMapPointRequest = z.input<typeof DecodeMapPointRequestSchema>;
export type AttributeRequest = z.input<typeof AttributeRequestSchema>;
export type OutliersRequest = z.input<typeof OutliersRequestSchema>;
export type GetReplayRequest = z.input<typeof GetReplayRequestSchema>;
export type GetReplayFrameRequest = z.input<typeof GetReplayFrameRequestSchema>;
