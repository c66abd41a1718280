/**
 * What a benchmark phase measures besides its duration: resident memory (sampled every 50 ms,
 * so short spikes between samples can be missed - `maxRssMb` from the kernel catches those for
 * the whole process), event-loop delay (perf_hooks histogram, reported as lag beyond the
 * sampling interval) and event-loop utilisation (the share of time the main thread was busy).
 */
import {
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  type EventLoopUtilization,
} from 'node:perf_hooks';

const MB = 1024 * 1024;
/** Timer interval of the event-loop delay histogram, in ms. Lags are reported beyond it. */
const LOOP_RESOLUTION_MS = 10;
const RSS_SAMPLE_MS = 50;

export interface LoopLag {
  /** Event-loop lag in ms: how late a 10 ms timer fired (the histogram minus the interval). */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  samples: number;
  /** Share of the phase the main thread spent running JavaScript or native callbacks (0..1). */
  utilization: number;
  /** V8 garbage-collection pauses during the phase (they stall the event loop too). */
  gc: { count: number; totalMs: number; maxMs: number };
}

export interface MemoryStats {
  /** Highest `process.memoryUsage().rss` seen by the 50 ms sampler during the phase. */
  peakRssMb: number;
  /** RSS when the phase started. */
  startRssMb: number;
  /** RSS when the phase ended. */
  endRssMb: number;
  /** V8 heap and Buffer memory (`external`) at the sample with the highest RSS. */
  heapUsedAtPeakMb: number;
  externalAtPeakMb: number;
  samples: number;
}

export interface PhaseStats {
  durationMs: number;
  memory: MemoryStats;
  loop: LoopLag;
  /** CPU time of the whole process (all threads: libvips, libuv pool, main) per image, in ms. */
  cpuMs: { user: number; system: number };
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Starts measuring; `stop()` returns the stats of the interval. */
export function startPhase(): { stop: () => PhaseStats } {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  histogram.enable();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const start = process.memoryUsage();
  let peak = start;
  let samples = 1;
  const sample = () => {
    const m = process.memoryUsage();
    samples++;
    if (m.rss > peak.rss) peak = m;
  };
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  const gc = { count: 0, totalMs: 0, maxMs: 0 };
  const onGc = (entries: readonly { duration: number }[]) => {
    for (const entry of entries) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  };
  const gcObserver = new PerformanceObserver((list) => onGc(list.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  return {
    stop: () => {
      const durationMs = performance.now() - t0;
      clearInterval(timer);
      onGc(gcObserver.takeRecords());
      gcObserver.disconnect();
      sample();
      histogram.disable();
      const elu = performance.eventLoopUtilization(elu0);
      const cpu = process.cpuUsage(cpu0);
      const end = process.memoryUsage();
      const lag = (ns: number) => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS), 2);
      const count = histogram.count;
      return {
        durationMs: round(durationMs),
        memory: {
          peakRssMb: round(peak.rss / MB),
          startRssMb: round(start.rss / MB),
          endRssMb: round(end.rss / MB),
          heapUsedAtPeakMb: round(peak.heapUsed / MB),
          externalAtPeakMb: round(peak.external / MB),
          samples,
        },
        loop: {
          p50Ms: count ? lag(histogram.percentile(50)) : 0,
          p90Ms: count ? lag(histogram.percentile(90)) : 0,
          p99Ms: count ? lag(histogram.percentile(99)) : 0,
          maxMs: count ? lag(histogram.max) : 0,
          meanMs: count ? lag(histogram.mean) : 0,
          samples: count,
          utilization: round(elu.utilization, 3),
          gc: { count: gc.count, totalMs: round(gc.totalMs), maxMs: round(gc.maxMs, 2) },
        },
        cpuMs: { user: round(cpu.user / 1000), system: round(cpu.system / 1000) },
      };
    },
  };
}

/** The kernel's high-water mark of resident memory for this process so far, in MB. */
export function maxRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return round(process.resourceUsage().maxRSS / 1024);
}
