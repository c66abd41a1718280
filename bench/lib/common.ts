/** Argument parsing, the preprocessing specs, instrumentation and output shared by benchmarks. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Catalogue } from '../../app/library/catalogue';
import { PixelCacheFile } from '../../app/library/pixel-cache';
import type { PreprocessSpec } from '../../app/library/types';
import { dataRoot, type DatasetKind } from './datasets';

export interface BenchArgs {
  dataset: DatasetKind;
  count: number;
  reps: number;
  concurrency: number | undefined;
  breakdown: boolean;
  /** Diagnosis only: SQLite page cache of the benchmark's library connection, in KiB. */
  sqliteCacheKib: number | undefined;
}

const KINDS: readonly DatasetKind[] = ['photos-synthetic', 'photos-real', 'fashion-mnist'];

export function benchArgs(): BenchArgs {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'fashion-mnist' },
      count: { type: 'string', default: '1000' },
      reps: { type: 'string', default: '1' },
      concurrency: { type: 'string' },
      breakdown: { type: 'boolean', default: false },
      'sqlite-cache-kib': { type: 'string' },
    },
  });
  const dataset = values.dataset as DatasetKind;
  if (!KINDS.includes(dataset)) throw new Error(`--dataset must be one of ${KINDS.join(', ')}`);
  const count = Number(values.count);
  const reps = Number(values.reps);
  if (!Number.isInteger(count) || count < 1) throw new Error('--count must be a positive integer');
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be a positive integer');
  const cacheKib = values['sqlite-cache-kib'];
  if (cacheKib !== undefined && !/^[1-9]\d*$/.test(cacheKib))
    throw new Error('--sqlite-cache-kib must be a positive integer');
  const conc = values.concurrency ?? process.env.LE_BENCH_CONCURRENCY;
  return {
    dataset,
    count,
    reps,
    concurrency: conc === undefined ? undefined : Number(conc),
    breakdown: values.breakdown,
    sqliteCacheKib: cacheKib === undefined ? undefined : Number(cacheKib),
  };
}

/** The model input each dataset is ingested for: the app's default for photos, 28 px grey for MNIST. */
export function specFor(kind: DatasetKind): PreprocessSpec {
  return kind === 'fashion-mnist'
    ? { size: 28, channels: 1, fit: 'contain', background: { r: 0, g: 0, b: 0 } }
    : { size: 64, channels: 3, fit: 'cover', background: { r: 255, g: 255, b: 255 } };
}

/** A fresh, empty library data directory (removed by the returned cleanup). */
export async function scratchLibrary(
  name: string,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = join(dataRoot(), 'libraries', `${name}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface CallTiming {
  calls: number;
  /** Wall time inside the calls; for synchronous SQLite calls that is main-thread time. */
  ms: number;
  /** The longest single call. */
  maxMs: number;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps prototype methods to add up their time. Synchronous methods are timed to their return,
 * async ones to their settlement. Returns a function restoring the originals.
 */
function timeMethods(
  proto: object,
  names: readonly string[],
  prefix: string,
  into: Record<string, CallTiming>,
): () => void {
  const target = proto as Record<string, Method>;
  const originals = names.map((name) => [name, target[name]] as const);
  for (const [name, original] of originals) {
    if (typeof original !== 'function') throw new Error(`${prefix}.${name} is not a method`);
    const slot: CallTiming = (into[`${prefix}.${name}`] = { calls: 0, ms: 0, maxMs: 0 });
    target[name] = function timed(this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      const add = () => {
        const ms = performance.now() - t0;
        slot.calls++;
        slot.ms += ms;
        if (ms > slot.maxMs) slot.maxMs = ms;
      };
      const result = original.apply(this, args);
      if (result instanceof Promise) return result.finally(add);
      add();
      return result;
    };
  }
  return () => {
    for (const [name, original] of originals) if (original) target[name] = original;
  };
}

/** Times the catalogue's SQLite calls and the pixel-cache writes made during an ingest. */
export function instrumentLibrary(): { timings: Record<string, CallTiming>; restore: () => void } {
  const timings: Record<string, CallTiming> = {};
  const undo = [
    timeMethods(
      Catalogue.prototype,
      ['findImage', 'contentState', 'applyBatch', 'reserveSlots', 'finishWalk'],
      'sqlite',
      timings,
    ),
    timeMethods(PixelCacheFile.prototype, ['writeSlots'], 'pixelCache', timings),
  ];
  return {
    timings,
    restore: () => {
      for (const u of undo) u();
      for (const t of Object.values(timings)) {
        t.ms = round(t.ms);
        t.maxMs = round(t.maxMs, 2);
      }
    },
  };
}

export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Prints the benchmark's result: one JSON object on stdout (progress goes to stderr). */
export function emit(result: object): void {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

export const log = (message: string) => process.stderr.write(`${message}\n`);
