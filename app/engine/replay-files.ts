/**
 * Training replay files: at log-spaced steps (1, 2, 4, 8, … and the last) the training worker
 * stores the posteriors of a fixed sample of the run's images and the decodings of fixed prior
 * codes, so the UI can replay how the encoder and decoder organised the space. Kept in
 * `<runDir>/replay/`: `index.json` and one `step-<n>.bin` per recorded step (float32 μ, float32
 * log σ², then uint8 HWC pixels of the prior decodings; all little-endian). Each file is written
 * to a temporary name and renamed, so a reader never sees half a frame.
 *
 * No tfjs import: the service reads these too.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const REPLAY_VERSION = 1;
/** At most this many images' posteriors per frame. */
export const REPLAY_SAMPLE_MAX = 2000;
/** Prior codes decoded per frame (an 8 × 8 grid). */
export const REPLAY_PRIOR_COUNT = 64;

export interface ReplayIndexFile {
  version: number;
  dims: number;
  size: number;
  channels: 1 | 3;
  sampleImageIds: number[];
  priorCount: number;
  frames: { step: number; epoch: number }[];
}

export interface ReplayFrameData {
  mu: Float32Array;
  logVar: Float32Array;
  /** uint8 HWC, priorCount images. */
  prior: Uint8Array;
}

export function replayDir(runDir: string): string {
  return path.join(runDir, 'replay');
}

const frameFile = (runDir: string, step: number) =>
  path.join(replayDir(runDir), `step-${String(step).padStart(8, '0')}.bin`);

/** 1, 2, 4, 8, … and the last step. */
export function isReplayStep(step: number, totalSteps: number): boolean {
  return step >= 1 && ((step & (step - 1)) === 0 || step === totalSteps);
}

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
}

export async function readReplayIndex(runDir: string): Promise<ReplayIndexFile | null> {
  try {
    const index = JSON.parse(
      await readFile(path.join(replayDir(runDir), 'index.json'), 'utf8'),
    ) as ReplayIndexFile;
    return index.version === REPLAY_VERSION ? index : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Starts (fresh run) or continues (resume, same sample) a run's replay; returns its index. */
export async function openReplay(
  runDir: string,
  header: Omit<ReplayIndexFile, 'version' | 'frames'>,
  resume: boolean,
): Promise<ReplayIndexFile> {
  const existing = resume ? await readReplayIndex(runDir) : null;
  const same =
    existing !== null &&
    existing.dims === header.dims &&
    existing.sampleImageIds.length === header.sampleImageIds.length &&
    existing.sampleImageIds.every((id, i) => id === header.sampleImageIds[i]);
  if (same) return existing;
  await rm(replayDir(runDir), { recursive: true, force: true });
  await mkdir(replayDir(runDir), { recursive: true });
  const index: ReplayIndexFile = { version: REPLAY_VERSION, ...header, frames: [] };
  await writeAtomic(path.join(replayDir(runDir), 'index.json'), JSON.stringify(index));
  return index;
}

/** Stores one frame, then lists it in the index (replacing a frame of the same step). */
export async function writeReplayFrame(
  runDir: string,
  index: ReplayIndexFile,
  frame: { step: number; epoch: number } & ReplayFrameData,
): Promise<void> {
  const n = index.sampleImageIds.length * index.dims;
  if (frame.mu.length !== n || frame.logVar.length !== n)
    throw new Error(`replay frame: expected ${n} values of μ and log σ²`);
  const bytes = new Uint8Array(8 * n + frame.prior.length);
  const view = new DataView(bytes.buffer);
  frame.mu.forEach((v, i) => view.setFloat32(4 * i, v, true));
  frame.logVar.forEach((v, i) => view.setFloat32(4 * (n + i), v, true));
  bytes.set(frame.prior, 8 * n);
  await writeAtomic(frameFile(runDir, frame.step), bytes);
  index.frames = index.frames.filter((f) => f.step !== frame.step);
  index.frames.push({ step: frame.step, epoch: frame.epoch });
  index.frames.sort((a, b) => a.step - b.step);
  await writeAtomic(path.join(replayDir(runDir), 'index.json'), JSON.stringify(index));
}

export async function readReplayFrame(
  runDir: string,
  index: ReplayIndexFile,
  step: number,
): Promise<ReplayFrameData | null> {
  if (!index.frames.some((f) => f.step === step)) return null;
  const bytes = await readFile(frameFile(runDir, step));
  const n = index.sampleImageIds.length * index.dims;
  const priorBytes = index.priorCount * index.size * index.size * index.channels;
  if (bytes.length !== 8 * n + priorBytes)
    throw new Error(
      `replay frame of step ${step} has ${bytes.length} bytes, expected ${8 * n + priorBytes}`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mu = new Float32Array(n);
  const logVar = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    mu[i] = view.getFloat32(4 * i, true);
    logVar[i] = view.getFloat32(4 * (n + i), true);
  }
  return { mu, logVar, prior: bytes.subarray(8 * n) };
}
