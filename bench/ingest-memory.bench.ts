/**
 * Peak resident memory and event-loop lag of one ingest (issue #3), in a process of its own.
 *
 *   node --expose-gc build/bench/ingest-memory.bench.js --dataset fashion-mnist --count 20000
 *
 * bench/run.mjs runs it at several folder sizes: a bounded pipeline shows the same peak at 5k,
 * 10k and 20k images. RSS is sampled every 50 ms during the ingest; the kernel's maxRSS covers
 * the whole process (module loading and library opening included). With --expose-gc the
 * baseline is taken after a full collection, and after the timed ingest a probe measures what
 * the folder walk keeps per queued file (the ingest's walk runs ahead of decoding).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultConcurrency } from '../app/library/ingest';
import { CATALOGUE_FILE, openLibrary } from '../app/library/library';
import { walkFolder } from '../app/library/walk';
import {
  benchArgs,
  emit,
  instrumentLibrary,
  log,
  round,
  scratchLibrary,
  specFor,
} from './lib/common';
import { dataset } from './lib/datasets';
import { machineInfo } from './lib/machine';
import { maxRssMb, startPhase } from './lib/monitor';

const MB = 1048576;
const args = benchArgs();
const machine = machineInfo();
const spec = specFor(args.dataset);
const concurrency = args.concurrency ?? defaultConcurrency();
const ds =
  (await dataset(args.dataset, args.count)) ??
  skip('no real photographs installed (apt-get install mate-backgrounds)');

function skip(reason: string): never {
  emit({ benchmark: 'ingest-memory', dataset: args.dataset, skipped: reason, machine });
  process.exit(0);
}

/** A full collection when the process runs with --expose-gc (outside timed phases only). */
const collect = () => globalThis.gc?.();
const heapAndBuffers = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

const n = ds.count;
log(`ingest-memory: ${ds.kind}, ${n} images, concurrency ${concurrency}`);
const scratch = await scratchLibrary(`memory-${ds.kind}-${n}`);
const library = await openLibrary(scratch.dir);
// --sqlite-cache-kib N (diagnosis): a smaller SQLite page cache than better-sqlite3's 16 MB.
if (args.sqliteCacheKib !== undefined)
  library.catalogue.db.pragma(`cache_size = -${args.sqliteCacheKib}`);
const cacheKiB = Number(library.catalogue.db.pragma('cache_size', { simple: true }));
collect();
const rssBeforeMb = round(process.memoryUsage().rss / MB);
// RSS and heap at each tenth of the folder: a leak shows as a rising line.
const trace: { done: number; rssMb: number; heapUsedMb: number }[] = [];
let nextMark = n / 10;
// When the walk had listed the whole folder: it runs ahead of decoding, queueing every file.
let walkFinished: { done: number; ms: number } | null = null;
const timed = instrumentLibrary();
const phase = startPhase();
const t0 = performance.now();
const result = await library.ingest(
  ds.dir,
  { spec, concurrency },
  {
    onProgress: (p) => {
      if (!walkFinished && p.total !== null)
        walkFinished = { done: p.done, ms: round(performance.now() - t0) };
      if (p.done >= nextMark) {
        nextMark += n / 10;
        const m = process.memoryUsage();
        trace.push({ done: p.done, rssMb: round(m.rss / MB), heapUsedMb: round(m.heapUsed / MB) });
      }
    },
  },
);
const elapsed = performance.now() - t0;
const stats = phase.stop();
timed.restore();
const ok = result.done - result.failed;
// The database and its write-ahead log (not yet checkpointed pages live there).
let catalogueBytes = 0;
for (const suffix of ['', '-wal']) {
  catalogueBytes += await stat(join(scratch.dir, CATALOGUE_FILE + suffix)).then(
    (s) => s.size,
    () => 0,
  );
}
const catalogueMb = round(catalogueBytes / MB);
await library.close();
await scratch.remove();
if (ok !== n) throw new Error(`ingest finished ${ok} of ${n} images (${result.failed} failed)`);

// Probe (untimed): memory held per walked file while it waits in the ingest's queue.
// Too few files and the collector's noise dominates.
let walkEntryBytes: number | null = null;
if (globalThis.gc && n >= 2000) {
  collect();
  collect();
  const before = heapAndBuffers();
  const events: unknown[] = [];
  for await (const event of walkFolder(ds.dir)) events.push(event);
  collect();
  walkEntryBytes = Math.round((heapAndBuffers() - before) / events.length);
}

const totalBytes = await ds.totalBytes(); // after the measurement: it stats every file
const first = trace[0];
const last = trace.at(-1);
emit({
  benchmark: 'ingest-memory',
  machine,
  dataset: {
    kind: ds.kind,
    images: n,
    totalMB: round(totalBytes / MB),
    description: ds.description,
  },
  spec,
  concurrency,
  imagesPerSec: round((n * 1000) / elapsed),
  peakRssMb: stats.memory.peakRssMb,
  maxRssMb: maxRssMb(),
  rssBeforeIngestMb: rssBeforeMb,
  rssAfterIngestMb: stats.memory.endRssMb,
  /** Peak minus the RSS before the ingest: what the ingest itself added. */
  ingestRssMb: round(stats.memory.peakRssMb - rssBeforeMb),
  heapUsedAtPeakMb: stats.memory.heapUsedAtPeakMb,
  externalAtPeakMb: stats.memory.externalAtPeakMb,
  /** RSS growth between the first and the last tenth of the folder, per image. */
  rssGrowthKbPerImage:
    first && last && last.done > first.done
      ? round(((last.rssMb - first.rssMb) * 1024) / (last.done - first.done), 2)
      : null,
  catalogueMb,
  /** SQLite's page-cache limit per connection (better-sqlite3 builds with 16 MB). */
  sqliteCacheLimitMb: round(cacheKiB < 0 ? -cacheKiB / 1024 : (cacheKiB * 4096) / MB),
  walkQueueBytesPerFile: walkEntryBytes,
  walkFinishedAt: walkFinished,
  eventLoopLagMs: stats.loop,
  cpuMsPerImage: round((stats.cpuMs.user + stats.cpuMs.system) / n, 3),
  durationMs: stats.durationMs,
  timings: timed.timings,
  trace,
});
