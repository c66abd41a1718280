/**
 * Runtime schemas for every method's request. Transports validate untrusted arguments with
 * these before the service sees them; the request types in `api.ts` are inferred from them,
 * so the static and runtime views of the contract cannot drift apart.
 */
import { z } from 'zod';
import type { ApiMethod } from './methods';

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

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
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
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
export const DEMO_DATASETS = ['fashion-mnist', 'shapes'] as const;
export const OpenDemoRequestSchema = z.strictObject({ dataset: z.enum(DEMO_DATASETS) });
export const CancelJobRequestSchema = z.strictObject({ jobId: JobIdSchema });

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
