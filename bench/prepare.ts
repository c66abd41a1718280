/**
 * Prepares (or finds already cached) the benchmark folders before any timing starts, so that
 * generating images never counts against a benchmark's time or memory.
 *
 *   node build/bench/prepare.js photos-synthetic:400 photos-real:360 fashion-mnist:20000
 */
import { dataset, dataRoot, type DatasetKind } from './lib/datasets';
import { emit, log, round } from './lib/common';

const prepared: object[] = [];
for (const arg of process.argv.slice(2)) {
  const [kind, count] = arg.split(':');
  const ds = await dataset(kind as DatasetKind, Number(count));
  if (!ds) {
    log(`  ${kind}: not available, skipped`);
    prepared.push({ kind, available: false });
    continue;
  }
  const totalBytes = await ds.totalBytes();
  log(`  ${ds.kind}: ${ds.count} images, ${round(totalBytes / 1048576)} MB in ${ds.dir}`);
  prepared.push({ kind: ds.kind, images: ds.count, dir: ds.dir, totalBytes });
}
emit({ dataRoot: dataRoot(), prepared });
