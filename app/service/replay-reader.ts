/**
 * Serves a run's training replay (recorded by the training worker, see app/engine/replay-files)
 * as contract DTOs: the 2-D positions of the sample per frame (μ itself for a 2-D latent, else
 * the frame's own first two principal axes, sign-normalised) and the decoded prior codes.
 */
import { ExplorerError, type DecodedImage, type ReplayFrame, type ReplayInfo } from '../contract';
import { fitPca, pcaProject } from '../latent';
import { readReplayFrame, readReplayIndex } from '../engine/replay-files';
import type { Library } from '../library';

export async function replayInfo(
  runId: string,
  runDir: string,
  library: Library | null,
): Promise<ReplayInfo | null> {
  const index = await readReplayIndex(runDir);
  if (!index) return null;
  return {
    runId,
    dims: index.dims,
    sampleImageIds: index.sampleImageIds,
    sampleFolderIds: index.sampleImageIds.map((id) => library?.getImage(id)?.folderId ?? 0),
    priorCount: index.priorCount,
    frames: index.frames,
  };
}

export async function replayFrame(
  runId: string,
  runDir: string,
  step: number,
): Promise<ReplayFrame> {
  const index = await readReplayIndex(runDir);
  const frame = index ? await readReplayFrame(runDir, index, step) : null;
  if (!index || !frame) {
    const steps = index?.frames.map((f) => f.step).join(', ');
    throw new ExplorerError(
      'NOT_FOUND',
      steps
        ? `Run ${runId} has no replay frame at step ${step}; recorded steps: ${steps}.`
        : `Run ${runId} has no training replay.`,
    );
  }
  const n = index.sampleImageIds.length;
  const d = index.dims;
  let coords: Float32Array;
  if (d === 2) coords = frame.mu;
  else if (n >= 2)
    coords = pcaProject(
      fitPca({ n, d, mu: frame.mu, logvar: frame.logVar, ids: index.sampleImageIds }, 2),
      frame.mu,
    );
  else coords = new Float32Array(2 * n);
  const meanSigma = Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.exp(0.5 * (frame.logVar[i * d + j] as number));
    return s / d;
  });
  const per = index.size * index.size * index.channels;
  const prior: DecodedImage[] = Array.from({ length: index.priorCount }, (_, i) => ({
    width: index.size,
    height: index.size,
    channels: index.channels,
    data: Buffer.from(frame.prior.subarray(i * per, (i + 1) * per)).toString('base64'),
  }));
  return {
    runId,
    step,
    epoch: index.frames.find((f) => f.step === step)?.epoch ?? 0,
    projection: d === 2 ? 'latent' : 'pca',
    x: Array.from({ length: n }, (_, i) => coords[2 * i] as number),
    y: Array.from({ length: n }, (_, i) => coords[2 * i + 1] as number),
    meanSigma,
    prior,
  };
}
