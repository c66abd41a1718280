/**
 * What a run's latest checkpoint can do, per run: draw samples from the prior, reconstruct a few
 * library images (for runs whose live epoch samples this page never saw), and evaluate the ELBO
 * and the IWAE bound as a cancellable `evaluate` job. Results stay while the page lives, so
 * switching between runs does not recompute them.
 */
import type { EvaluationReport } from '$contract/training';
import type { DecodedImage, PriorSample } from '$contract/training';
import { ExplorerError } from '$contract/errors';
import { api } from '../api';
import { describeError } from './errors.svelte';
import { jobs } from './jobs.svelte';

export const PRIOR_COUNT = 16;
export const IWAE_SAMPLES = 100;
const RECONSTRUCT_COUNT = 8;

export interface LibraryReconstruction {
  imageId: number;
  name: string;
  reconstruction: DecodedImage;
}

type Failure = { code: string | null; message: string } | null;

export class RunInference {
  readonly runId: string;
  prior = $state.raw<PriorSample | null>(null);
  priorSeed = $state<number | null>(null);
  priorLoading = $state(false);
  priorError = $state<Failure>(null);

  evaluation = $state.raw<EvaluationReport | null>(null);
  evaluating = $state(false);
  cancelling = $state(false);
  evaluationError = $state<Failure>(null);

  reconstructions = $state.raw<LibraryReconstruction[] | null>(null);
  reconstructing = $state(false);
  reconstructionError = $state<Failure>(null);

  /** The core's evaluate job for this run, once announced (progress, cancel). */
  job = $derived(jobs.runningOf('evaluate').find((j) => j.label.includes(this.runId)) ?? null);

  constructor(runId: string) {
    this.runId = runId;
  }

  /** Decodes {@link PRIOR_COUNT} codes drawn from N(0, I) with a new seed each time. */
  async samplePrior(): Promise<void> {
    if (this.priorLoading) return;
    const seed = Math.floor(Math.random() * 2 ** 31);
    this.priorLoading = true;
    this.priorError = null;
    try {
      this.prior = await api.samplePrior({ runId: this.runId, count: PRIOR_COUNT, seed });
      this.priorSeed = seed;
    } catch (error) {
      this.priorError = describeError(error);
    } finally {
      this.priorLoading = false;
    }
  }

  /** Validation −ELBO and the IWAE bound with {@link IWAE_SAMPLES} importance samples. */
  async evaluate(): Promise<void> {
    if (this.evaluating) return;
    this.evaluating = true;
    this.evaluationError = null;
    try {
      this.evaluation = await api.evaluateRun({ runId: this.runId, iwaeSamples: IWAE_SAMPLES });
    } catch (error) {
      this.evaluationError =
        error instanceof ExplorerError && error.code === 'CANCELLED'
          ? { code: 'CANCELLED', message: 'Evaluation cancelled.' }
          : describeError(error);
    } finally {
      this.evaluating = false;
      this.cancelling = false;
    }
  }

  async cancelEvaluation(): Promise<void> {
    const job = this.job;
    if (!job || this.cancelling) return;
    this.cancelling = true;
    try {
      await api.cancelJob({ jobId: job.id });
    } catch (error) {
      this.cancelling = false;
      this.evaluationError = describeError(error);
    }
  }

  /** Reconstructs the first few images of the run's first folder. */
  async reconstructLibrary(folderIds: number[]): Promise<void> {
    if (this.reconstructing) return;
    this.reconstructing = true;
    this.reconstructionError = null;
    try {
      const page = await api.listImages({
        ...(folderIds[0] !== undefined ? { folderId: folderIds[0] } : {}),
        status: 'ok',
        limit: RECONSTRUCT_COUNT,
      });
      if (page.images.length === 0) {
        this.reconstructions = [];
        return;
      }
      const decoded = await api.reconstruct({
        runId: this.runId,
        imageIds: page.images.map((i) => i.id),
      });
      this.reconstructions = page.images.flatMap((image, i) => {
        const reconstruction = decoded[i];
        return reconstruction ? [{ imageId: image.id, name: image.relPath, reconstruction }] : [];
      });
    } catch (error) {
      this.reconstructionError = describeError(error);
    } finally {
      this.reconstructing = false;
    }
  }
}

// Plain map: its entries are reactive objects, the map itself is never rendered.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const byRun = new Map<string, RunInference>();

export function inferenceOf(runId: string): RunInference {
  let inference = byRun.get(runId);
  if (!inference) {
    inference = new RunInference(runId);
    byRun.set(runId, inference);
  }
  return inference;
}
