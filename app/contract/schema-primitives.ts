/** Schema building blocks shared by schemas.ts and latent-schemas.ts (one home for each rule). */
import { z } from 'zod';

/** A database id (folder, image). */
export const IdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const RunIdSchema = z
  .string()
  .regex(/^run-[0-9]{8}-[0-9]{6}-[0-9a-z]{4}$/, 'not a run id (expected run-YYYYMMDD-HHMMSS-xxxx)');

/** A seed of the app's seeded generators (31-bit, so it survives every generator's state). */
export const SeedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

/** A latent code: 2..256 finite numbers (the model's latent size is checked by the worker). */
export const LatentSchema = z.array(z.number().finite()).min(2).max(256);
