/**
 * Ingest throughput against the bare decode loop (issue #3).
 *
 *   node build/bench/ingest-throughput.bench.js --dataset photos-synthetic --count 400 --reps 2
 *
 * Phases, each over the same files (already in the page cache) at the same concurrency:
 *   bare         read + the sharp decode/resize calls of decode.ts (lib/bare.ts): the limit
 *   ingest       Library.ingest into a fresh library (walk, read, sha256, decode, thumbnail,
 *                SQLite, pixel cache), with SQLite and pixel-cache calls timed
 *   decodeImage  (--breakdown) read + app/library decodeImage: bare + header check + thumbnail
 *   stages       (--breakdown) each per-file step (read, sha256, header, decode, model resize,
 *                thumbnail) timed alone, one file at a time, over the first 300 files
 * bare and ingest alternate `--reps` times; the best rate of each is compared.
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_DECODE_LIMITS, decodeImage } from '../app/library/decode';
import { defaultConcurrency } from '../app/library/ingest';
import { openLibrary } from '../app/library/library';
import { bareDecode, forEachConcurrent, stageTimes, type StageTimes } from './lib/bare';
import {
  benchArgs,
  emit,
  instrumentLibrary,
  log,
  round,
  scratchLibrary,
  specFor,
  type CallTiming,
} from './lib/common';
import { dataset } from './lib/datasets';
import { machineInfo } from './lib/machine';
import { maxRssMb, startPhase, type PhaseStats } from './lib/monitor';

interface PhaseResult extends PhaseStats {
  imagesPerSec: number;
  cpuMsPerImage: number;
}

function summarize(stats: PhaseStats, images: number): PhaseResult {
  return {
    imagesPerSec: round((images * 1000) / stats.durationMs, 1),
    cpuMsPerImage: round((stats.cpuMs.user + stats.cpuMs.system) / images, 3),
    ...stats,
  };
}

const args = benchArgs();
const machine = machineInfo();
const spec = specFor(args.dataset);
const concurrency = args.concurrency ?? defaultConcurrency();
const ds =
  (await dataset(args.dataset, args.count)) ??
  skip('no real photographs installed (apt-get install mate-backgrounds)');

function skip(reason: string): never {
  emit({ benchmark: 'ingest-throughput', dataset: args.dataset, skipped: reason, machine });
  process.exit(0);
}
const n = ds.count;
log(`ingest-throughput: ${ds.kind}, ${n} images, concurrency ${concurrency}, ${args.reps} rep(s)`);

// Warm the page cache so that every phase reads from memory.
for (const file of ds.files) await readFile(file);

const bare: PhaseResult[] = [];
const ingest: (PhaseResult & {
  timings: Record<string, CallTiming>;
  result: { ok: number; failed: number; distinctContents: number };
})[] = [];
let decodeImagePhase: PhaseResult | null = null;
let stages: StageTimes | null = null;

async function runBare(): Promise<void> {
  const phase = startPhase();
  await forEachConcurrent(ds.files, concurrency, (file) => bareDecode(file, spec));
  bare.push(summarize(phase.stop(), n));
  log(`  bare    ${bare.at(-1)?.imagesPerSec} images/s`);
}

async function runIngest(rep: number): Promise<void> {
  const scratch = await scratchLibrary(`${ds.kind}-${n}-r${rep}`);
  const library = await openLibrary(scratch.dir);
  try {
    const timed = instrumentLibrary();
    const phase = startPhase();
    let result;
    try {
      result = await library.ingest(ds.dir, { spec, concurrency });
    } finally {
      timed.restore();
    }
    const stats = summarize(phase.stop(), n);
    const distinct = library.trainingSet(spec).hashes.length;
    const ok = result.done - result.failed;
    if (ok !== n) throw new Error(`ingest finished ${ok} of ${n} images (${result.failed} failed)`);
    ingest.push({
      ...stats,
      timings: timed.timings,
      result: { ok, failed: result.failed, distinctContents: distinct },
    });
    log(`  ingest  ${stats.imagesPerSec} images/s`);
  } finally {
    await library.close();
    await scratch.remove();
  }
}

async function runBreakdown(): Promise<void> {
  const options = { spec, ...DEFAULT_DECODE_LIMITS };
  const phase = startPhase();
  await forEachConcurrent(ds.files, concurrency, async (file) => {
    const r = await decodeImage(await readFile(file), options);
    if (!r.ok) throw new Error(`${file}: ${r.reason}`);
  });
  decodeImagePhase = summarize(phase.stop(), n);
  log(`  decodeImage ${decodeImagePhase.imagesPerSec} images/s`);
  stages = await stageTimes(ds.files, spec);
}

for (let rep = 0; rep < args.reps; rep++) {
  await runBare();
  await runIngest(rep);
  if (rep === 0 && args.breakdown) await runBreakdown();
}

const best = <P extends PhaseResult>(list: P[]): P =>
  list.reduce((a, b) => (b.imagesPerSec > a.imagesPerSec ? b : a));
const bestBare = best(bare);
const bestIngest = best(ingest);
const perImage = (t: CallTiming | undefined) => (t ? round(t.ms / n, 3) : 0);
const t = bestIngest.timings;

const totalBytes = await ds.totalBytes();
// bare and ingest of the same repetition ran back to back, under the same outside load.
const paired = bare
  .map((b, i) => b.imagesPerSec / (ingest[i]?.imagesPerSec ?? NaN))
  .sort((a, b) => a - b);
const median = paired[Math.floor((paired.length - 1) / 2)] ?? NaN;

emit({
  benchmark: 'ingest-throughput',
  machine,
  dataset: {
    kind: ds.kind,
    images: n,
    totalMB: round(totalBytes / 1048576),
    meanKB: round(totalBytes / n / 1024),
    description: ds.description,
  },
  spec,
  concurrency,
  reps: args.reps,
  imagesPerSec: { ingest: bestIngest.imagesPerSec, bare: bestBare.imagesPerSec },
  /** bare / ingest: how many times slower the ingest is than the bare decode loop (target <= 1.5). */
  ratio: round(bestBare.imagesPerSec / bestIngest.imagesPerSec, 2),
  /** bare / ingest of each repetition (sorted) and their median: less sensitive to outside load. */
  pairedRatios: paired.map((r) => round(r, 2)),
  pairedRatioMedian: round(median, 2),
  /** CPU time per image, ingest / bare (best runs): the work ratio, whatever the load. */
  cpuRatio: round(bestIngest.cpuMsPerImage / bestBare.cpuMsPerImage, 2),
  cpuMsPerImage: { ingest: bestIngest.cpuMsPerImage, bare: bestBare.cpuMsPerImage },
  peakRssMb: { ingest: bestIngest.memory.peakRssMb, bare: bestBare.memory.peakRssMb },
  maxRssMb: maxRssMb(),
  eventLoopLagMs: { ingest: bestIngest.loop, bare: bestBare.loop },
  /** Per-file steps timed alone, one file at a time (wall ms; sha256 runs on the main thread). */
  stagesMs: stages,
  /** decodeImage (bare + header + thumbnail) run like the bare loop. */
  decodeImage: decodeImagePhase
    ? {
        imagesPerSec: (decodeImagePhase as PhaseResult).imagesPerSec,
        cpuMsPerImage: (decodeImagePhase as PhaseResult).cpuMsPerImage,
      }
    : null,
  /**
   * Library calls during the best ingest, ms per image: sqlite.* are synchronous main-thread
   * calls; pixelCache.writeSlots is wall time (write + fdatasync in the thread pool).
   */
  libraryMsPerImage: Object.fromEntries(
    Object.entries(t).map(([k, v]) => [k, perImage(v)] as const),
  ),
  runs: { bare, ingest, decodeImage: decodeImagePhase },
});
