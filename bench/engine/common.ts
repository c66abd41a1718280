/**
 * Helpers shared by the engine benchmarks (issue #4): backend activation, the machine record,
 * synthetic batches, timing statistics and the one-JSON-object-on-stdout protocol of
 * bench/engine/run.mjs. Progress goes to stderr so stdout carries only the result.
 */
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../app/engine/backend';
import { defaultConfigFor, registerTrainingKernels, type VaeConfig } from '../../app/engine';
import { mulberry32 } from '../../app/random';

export type BenchBackend = 'tensorflow' | 'wasm' | 'cpu';

export interface MachineRecord {
  host: string;
  cpuModel: string;
  cores: number;
  totalMemoryGiB: number;
  platform: string;
  arch: string;
  osRelease: string;
  node: string;
  tfjs: string;
  /** 1, 5 and 15 minute load averages when the benchmark started (other work perturbs timings). */
  loadAverage: number[];
}

export function machineRecord(): MachineRecord {
  const list = cpus();
  return {
    host: hostname(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    totalMemoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    platform: process.platform,
    arch: process.arch,
    osRelease: release(),
    node: process.version,
    tfjs: tf.version.tfjs,
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

export interface BackendRecord {
  /** The backend that runs the benchmark. */
  backend: BenchBackend;
  /** Kernels replaced by the engine's `registerTrainingKernels`. */
  replacedKernels: string[];
  /** wasm only: whether the SIMD / multi-threaded binary was chosen (Node: never threaded). */
  wasmSimd?: boolean;
  wasmThreads?: boolean;
}

/**
 * Activates exactly `requested` (no fallback: a benchmark labelled "cpu" must not run on wasm) and
 * registers the engine's training kernels. Returns null with the reason when it is unavailable.
 */
export async function activateBackend(
  requested: BenchBackend,
): Promise<{ record: BackendRecord } | { unavailable: string }> {
  const status = await selectBackend({ requested });
  if (status.backend !== requested) {
    const reason = status.attempts
      .filter((a) => a.name === requested)
      .map((a) => `${a.package}: ${a.reason ?? 'failed'}`)
      .join('; ');
    return { unavailable: reason || `backend ${requested} could not be activated` };
  }
  const replacedKernels = registerTrainingKernels(requested);
  const record: BackendRecord = { backend: requested, replacedKernels };
  if (requested === 'wasm') {
    record.wasmSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    record.wasmThreads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  }
  return { record };
}

/** The models the throughput and latency benchmarks measure, by short name. */
export const MODELS = ['mlp', 'conv28', 'conv64'] as const;
export type ModelName = (typeof MODELS)[number];

/** The reference MLP of issue #4: 784-512-16, ReLU, Bernoulli likelihood. */
export const REFERENCE_MLP: Required<VaeConfig> = {
  architecture: 'mlp',
  imageSize: 28,
  channels: 1,
  latentDim: 16,
  widths: [512],
  likelihood: 'bernoulli',
  gaussianSigma: 0.1,
};

export function modelConfig(name: ModelName): Required<VaeConfig> {
  switch (name) {
    case 'mlp':
      return { ...REFERENCE_MLP, widths: [...REFERENCE_MLP.widths] };
    case 'conv28':
      return defaultConfigFor(28, 1);
    case 'conv64':
      return defaultConfigFor(64, 3);
  }
}

export function parseModel(value: string | undefined): ModelName {
  if (value !== undefined && (MODELS as readonly string[]).includes(value))
    return value as ModelName;
  throw new Error(`--model must be one of ${MODELS.join(', ')} (got ${String(value)})`);
}

export function parseBackend(value: string | undefined): BenchBackend {
  if (value === 'tensorflow' || value === 'wasm' || value === 'cpu') return value;
  throw new Error(`--backend must be tensorflow, wasm or cpu (got ${String(value)})`);
}

/** Parses `--name value` options; every value is a string (numbers are converted by the caller). */
export function args(names: string[]): Record<string, string | undefined> {
  const { values } = parseArgs({
    options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
    strict: true,
  });
  return values as Record<string, string | undefined>;
}

export function intArg(
  values: Record<string, string | undefined>,
  name: string,
  fallback: number,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer (got ${raw})`);
  return n;
}

export { mulberry32 };

/** `count` values uniform in [0, 1): synthetic images for throughput runs. */
export function uniformArray(count: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rand();
  return out;
}

/** Standard normal values (Box-Muller) for latent codes. */
export function normalArray(count: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

export interface Stats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Summary of durations in milliseconds (nearest-rank percentiles). */
export function stats(ms: number[]): Stats {
  if (ms.length === 0)
    return { count: 0, meanMs: NaN, p50Ms: NaN, p95Ms: NaN, minMs: NaN, maxMs: NaN };
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
  return {
    count: ms.length,
    meanMs: round(ms.reduce((s, v) => s + v, 0) / ms.length),
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    minMs: round(sorted[0] as number),
    maxMs: round(sorted[sorted.length - 1] as number),
  };
}

export { round };

/** Progress for humans, on stderr. */
export function log(message: string): void {
  process.stderr.write(`   ${message}\n`);
}

/** Prints the benchmark's single result object (the runner parses stdout as one JSON value). */
export function emit(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs a benchmark's main function; prints errors and exits non-zero on failure. */
export function main(run: () => Promise<object>): void {
  run().then(
    (result) => {
      emit(result);
      // tfjs/wasm may keep handles open; the result is out, so leave now.
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
