/**
 * Runtime schemas for every method's request. Transports validate untrusted arguments with
 * these before the service sees them; the request types in `api.ts` are inferred from them,
 * so the static and runtime views of the contract cannot drift apart.
 */
import { z } from 'zod';
import type { ApiMethod } from './methods';
import { LATENT_SCHEMAS } from './latent-schemas';
import {
  IdSchema as Id,
  LatentSchema as Latent,
  RunIdSchema,
  SeedSchema,
} from './schema-primitives';

export { RunIdSchema };

/** Methods without arguments accept `undefined` or `{}` and nothing else. */
const EmptyRequest = z.strictObject({}).optional();

/** An absolute or relative path on the machine running the core. */
const FolderPath = z
  .string()
  .min(1, 'folder must not be empty')
  .max(4096, 'folder path is longer than 4096 characters')
  .refine((s) => !s.includes('\0'), 'folder path contains a NUL character');

export const JobIdSchema = z
  .string()
  .regex(/^job-[0-9]+-[0-9a-z]+$/, 'not a job id (expected job-<n>-<suffix>)');

const Channel = z.number().int().min(0).max(255);

export const PreprocessSpecSchema = z.strictObject({
  /** Side of the square model input in pixels. */
  size: z.number().int().min(16, 'size must be at least 16').max(256, 'size must be at most 256'),
  channels: z.union([z.literal(1), z.literal(3)]),
  fit: z.enum(['cover', 'contain']),
  background: z.strictObject({ r: Channel, g: Channel, b: Channel }),
});

export const AddFolderRequestSchema = z.strictObject({
  folder: FolderPath,
  /** Preprocessing for this folder; defaults to the library's default (64 px RGB, cover). */
  spec: PreprocessSpecSchema.optional(),
});
export const RescanRequestSchema = z
  .strictObject({ folderId: Id.optional(), retryFailed: z.boolean().optional() })
  .optional();
export const RemoveFolderRequestSchema = z.strictObject({ folderId: Id });
export const ListImagesRequestSchema = z
  .strictObject({
    folderId: Id.optional(),
    status: z.enum(['ok', 'failed', 'missing']).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .optional();
export const ListProblemsRequestSchema = z.strictObject({
  folderId: Id,
  /** Only problems of this kind (e.g. corrupt, truncated, unreadable-folder). */
  kind: z.string().min(1).max(40).optional(),
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
export const DEMO_DATASETS = ['fashion-mnist', 'shapes'] as const;
export const OpenDemoRequestSchema = z.strictObject({ dataset: z.enum(DEMO_DATASETS) });
export const CancelJobRequestSchema = z.strictObject({ jobId: JobIdSchema });

const RunRequest = z.strictObject({ runId: RunIdSchema });

export const ModelOptionsSchema = z.strictObject({
  architecture: z.enum(['conv', 'mlp']).optional(),
  latentDim: z.number().int().min(2).max(256).optional(),
  /** conv: filters per stride-2 level; mlp: units per hidden layer. */
  widths: z.array(z.number().int().min(1).max(1024)).min(1).max(6).optional(),
  likelihood: z.enum(['bernoulli', 'gaussian']).optional(),
  gaussianSigma: z.number().positive().max(10).optional(),
});

export const TrainingRequestSchema = z.strictObject({
  /** Folders to train on (all must share a preprocessing spec); default: every folder. */
  folderIds: z.array(Id).min(1).max(1000).optional(),
  model: ModelOptionsSchema.optional(),
  epochs: z.number().int().min(1).max(10_000).optional(),
  batchSize: z.number().int().min(1).max(4096).optional(),
  learningRate: z.number().positive().max(1).optional(),
  beta: z.number().min(0).max(1000).optional(),
  /** Steps of linear KL warm-up (β from 0). */
  warmupSteps: z.number().int().min(0).optional(),
  /** Per-dimension KL floor, nats. */
  freeBits: z.number().min(0).max(100).optional(),
  /** Share of images held out for validation, 0..0.5. */
  validationFraction: z.number().min(0).max(0.5).optional(),
  /** Stop after this many epochs without a better validation loss (0 = off). */
  earlyStoppingPatience: z.number().int().min(0).max(1000).optional(),
  checkpointEverySteps: z.number().int().min(1).optional(),
  seed: SeedSchema.optional(),
});

export const TrainingDefaultsRequestSchema = z.strictObject({
  /** The model input (a folder's preprocessing size and channels). */
  size: z.number().int().min(28).max(128),
  channels: z.union([z.literal(1), z.literal(3)]),
  architecture: z.enum(['conv', 'mlp']).optional(),
});

const ImageIds = z.array(Id).min(1).max(1024);

export const PauseTrainingRequestSchema = RunRequest;
export const ResumeTrainingRequestSchema = RunRequest;
export const CancelTrainingRequestSchema = RunRequest;
export const GetRunRequestSchema = RunRequest;
export const DeleteRunRequestSchema = RunRequest;
export const EncodeRequestSchema = z.strictObject({ runId: RunIdSchema, imageIds: ImageIds });
export const DecodeRequestSchema = z.strictObject({
  runId: RunIdSchema,
  latents: z.array(Latent).min(1).max(256),
});
export const ReconstructRequestSchema = z.strictObject({ runId: RunIdSchema, imageIds: ImageIds });
export const SamplePriorRequestSchema = z.strictObject({
  /** Default: the latest completed run. */
  runId: RunIdSchema.optional(),
  count: z.number().int().min(1).max(256),
  seed: SeedSchema.optional(),
});
export const EvaluateRunRequestSchema = z.strictObject({
  runId: RunIdSchema,
  /** Importance samples for the IWAE bound (0 = ELBO only). */
  iwaeSamples: z.number().int().min(0).max(5000).optional(),
  /** Evaluate on at most this many validation images. */
  maxImages: z.number().int().min(1).max(1_000_000).optional(),
});

export const API_SCHEMAS = {
  getStatus: EmptyRequest,
  pickFolder: EmptyRequest,
  openLibrary: EmptyRequest,
  addFolder: AddFolderRequestSchema,
  rescan: RescanRequestSchema,
  removeFolder: RemoveFolderRequestSchema,
  listImages: ListImagesRequestSchema,
  listProblems: ListProblemsRequestSchema,
  openDemo: OpenDemoRequestSchema,
  listJobs: EmptyRequest,
  cancelJob: CancelJobRequestSchema,
  trainingDefaults: TrainingDefaultsRequestSchema,
  startTraining: TrainingRequestSchema,
  pauseTraining: PauseTrainingRequestSchema,
  resumeTraining: ResumeTrainingRequestSchema,
  cancelTraining: CancelTrainingRequestSchema,
  trainingStatus: EmptyRequest,
  listRuns: EmptyRequest,
  getRun: GetRunRequestSchema,
  deleteRun: DeleteRunRequestSchema,
  encode: EncodeRequestSchema,
  decode: DecodeRequestSchema,
  reconstruct: ReconstructRequestSchema,
  samplePrior: SamplePriorRequestSchema,
  evaluateRun: EvaluateRunRequestSchema,
  ...LATENT_SCHEMAS,
} as const satisfies Record<ApiMethod, z.ZodType>;

export type EmptyRequest = z.input<typeof EmptyRequest>;
export type PreprocessSpecInput = z.input<typeof PreprocessSpecSchema>;
export type AddFolderRequest = z.input<typeof AddFolderRequestSchema>;
export type RescanRequest = z.input<typeof RescanRequestSchema>;
export type RemoveFolderRequest = z.input<typeof RemoveFolderRequestSchema>;
export type ListImagesRequest = z.input<typeof ListImagesRequestSchema>;
export type ListProblemsRequest = z.input<typeof ListProblemsRequestSchema>;
export type OpenDemoRequest = z.input<typeof OpenDemoRequestSchema>;
export type DemoDataset = (typeof DEMO_DATASETS)[number];
export type ModelOptions = z.input<typeof ModelOptionsSchema>;
export type TrainingRequest = z.input<typeof TrainingRequestSchema>;
export type TrainingDefaultsRequest = z.input<typeof TrainingDefaultsRequestSchema>;
export type RunRequest = z.input<typeof RunRequest>;
export type EncodeRequest = z.input<typeof EncodeRequestSchema>;
export type DecodeRequest = z.input<typeof DecodeRequestSchema>;
export type ReconstructRequest = z.input<typeof ReconstructRequestSchema>;
export type SamplePriorRequest = z.input<typeof SamplePriorRequestSchema>;
export type EvaluateRunRequest = z.input<typeof EvaluateRunRequestSchema>;
export type CancelJobRequest = z.input<typeof CancelJobRequestSchema>;

/** A readable one-line summary of a validation failure, naming the offending fields. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : 'request';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
