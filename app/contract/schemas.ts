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

export const OpenLibraryRequestSchema = z.strictObject({ folder: FolderPath });
export const CancelJobRequestSchema = z.strictObject({ jobId: JobIdSchema });

export const API_SCHEMAS = {
  getStatus: EmptyRequest,
  pickFolder: EmptyRequest,
  openLibrary: OpenLibraryRequestSchema,
  listJobs: EmptyRequest,
  cancelJob: CancelJobRequestSchema,
} as const satisfies Record<ApiMethod, z.ZodType>;

export type EmptyRequest = z.input<typeof EmptyRequest>;
export type OpenLibraryRequest = z.input<typeof OpenLibraryRequestSchema>;
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
