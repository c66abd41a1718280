/** The machine a result was measured on, recorded with every benchmark result. */
import { cpus, hostname, loadavg, totalmem, availableParallelism, release } from 'node:os';
import sharp from 'sharp';

export interface MachineInfo {
  host: string;
  cpuModel: string;
  cores: number;
  availableParallelism: number;
  totalMemoryGiB: number;
  platform: string;
  arch: string;
  osRelease: string;
  node: string;
  sharp: string | undefined;
  libvips: string;
  /** sharp's libvips thread count per image (sharp.concurrency()). */
  sharpConcurrency: number;
  uvThreadpoolSize: number;
  /** 1, 5 and 15 minute load averages when the benchmark started (other work perturbs timings). */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    host: hostname(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    availableParallelism: availableParallelism(),
    totalMemoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    platform: process.platform,
    arch: process.arch,
    osRelease: release(),
    node: process.version,
    sharp: sharp.versions.sharp,
    libvips: sharp.versions.vips,
    sharpConcurrency: sharp.concurrency(),
    uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
  };
}
