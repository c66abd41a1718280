/** Training commands: train, resume, runs, eval. */
import {
  describeValidationSample,
  formatCount,
  formatDuration,
  type EvaluationReport,
  type RunInfo,
  type StepReport,
  type TrainingRequest,
} from '../../contract';
import type { CommandContext } from '../context';
import { num, numbers } from '../flag-values';
import { UsageError, type CliIo } from '../io';
import { followJobs } from '../progress';

export interface TrainFlags {
  folders?: string;
  arch?: string;
  latent?: string;
  widths?: string;
  likelihood?: string;
  beta?: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  warmup?: string;
  'free-bits'?: string;
  val?: string;
  patience?: string;
  'checkpoint-every'?: string;
  seed?: string;
}

/** Flags to a request; ranges are checked by the contract's schema (exit code 2 when wrong). */
export function trainingRequestFromFlags(f: TrainFlags): TrainingRequest {
  if (f.arch !== undefined && f.arch !== 'conv' && f.arch !== 'mlp')
    throw new UsageError(`--arch must be conv or mlp, not "${f.arch}".`);
  if (f.likelihood !== undefined && f.likelihood !== 'bernoulli' && f.likelihood !== 'gaussian') {
    throw new UsageError(`--likelihood must be bernoulli or gaussian, not "${f.likelihood}".`);
  }
  const model: NonNullable<TrainingRequest['model']> = {};
  if (f.arch !== undefined) model.architecture = f.arch as 'conv' | 'mlp';
  if (f.latent !== undefined) model.latentDim = num('latent', f.latent, true);
  if (f.widths !== undefined) model.widths = numbers('widths', f.widths, true);
  if (f.likelihood !== undefined) model.likelihood = f.likelihood as 'bernoulli' | 'gaussian';
  const req: TrainingRequest = {};
  if (Object.keys(model).length > 0) req.model = model;
  if (f.folders !== undefined) req.folderIds = numbers('folders', f.folders, true);
  if (f.beta !== undefined) req.beta = num('beta', f.beta, false);
  if (f.epochs !== undefined) req.epochs = num('epochs', f.epochs, true);
  if (f.batch !== undefined) req.batchSize = num('batch', f.batch, true);
  if (f.lr !== undefined) req.learningRate = num('lr', f.lr, false);
  if (f.warmup !== undefined) req.warmupSteps = num('warmup', f.warmup, true);
  if (f['free-bits'] !== undefined) req.freeBits = num('free-bits', f['free-bits'], false);
  if (f.val !== undefined) req.validationFraction = num('val', f.val, false);
  if (f.patience !== undefined) req.earlyStoppingPatience = num('patience', f.patience, true);
  if (f['checkpoint-every'] !== undefined)
    req.checkpointEverySteps = num('checkpoint-every', f['checkpoint-every'], true);
  if (f.seed !== undefined) req.seed = num('seed', f.seed, true);
  return req;
}

export function formatStep(s: StepReport, run: RunInfo): string {
  return (
    `epoch ${s.epoch + 1}/${run.settings.epochs} step ${s.step + 1}/${run.totalSteps} ` +
    `loss ${s.loss.toFixed(2)} (rec ${s.reconstruction.toFixed(2)} + KL ${s.kl.toFixed(2)}) ` +
    `${s.imagesPerSec.toFixed(0)} img/s, ETA ${formatDuration(s.etaSec)}`
  );
}

export function formatRun(r: RunInfo): string {
  const on = r.validation ? ` on ${describeValidationSample(r.validation)}` : '';
  const val =
    r.bestValidationLoss !== null ? `, best val −ELBO ${r.bestValidationLoss.toFixed(2)}${on}` : '';
  return [
    `${r.id}  ${r.state}  ${r.model.architecture} latent ${r.model.latentDim}, ${r.spec.size}px x${r.spec.channels}, ${r.model.likelihood}`,
    `    epoch ${r.epoch}/${r.settings.epochs}, step ${r.step}/${r.totalSteps}, ${r.trainImages} train / ${r.validationImages} val images${val}`,
    `    backend ${r.backend ?? '?'}${r.checkpoint ? `, checkpoint at step ${r.checkpoint.step} (${r.checkpoint.savedAt})` : ', no checkpoint yet'}${r.message ? `\n    ${r.message}` : ''}`,
  ].join('\n');
}

/** Follows a run until it stops, printing a live line and one line per epoch. */
async function follow(
  ctx: CommandContext,
  io: CliIo,
  started: RunInfo,
  json: boolean,
): Promise<number> {
  let run = started;
  const live = io.stderr.isTTY === true;
  io.stderr.write(
    `Training ${run.id} on ${run.trainImages} images (${run.validationImages} held out${run.validation ? `; val −ELBO on ${describeValidationSample(run.validation)}` : ''}), backend ${run.backend ?? '?'}. Ctrl+C stops after a checkpoint.\n`,
  );
  const ended = (r: RunInfo) => !['starting', 'running', 'paused'].includes(r.state);
  const done = new Promise<RunInfo>((resolve) => {
    const offState = ctx.service.events.on('train:state', (r) => {
      if (r.id !== run.id) return;
      run = r;
      if (ended(r)) {
        offState();
        resolve(r);
      }
    });
    // A very short run may have ended before this listener existed.
    void ctx.api.trainingStatus().then(async (active) => {
      if (active?.id === run.id) return;
      const stored = (await ctx.api.getRun({ runId: run.id })).run;
      if (ended(stored)) {
        offState();
        resolve(stored);
      }
    });
  });
  const offStep = ctx.service.events.on('train:step', (s) => {
    if (s.runId === run.id && live) io.stderr.write(`\r\x1b[2K${formatStep(s, run)}`);
  });
  const offEpoch = ctx.service.events.on('train:epoch', (e) => {
    if (e.runId !== run.id) return;
    const val = e.validation
      ? `val −ELBO ${e.validation.negElbo.toFixed(2)} (rec ${e.validation.reconstruction.toFixed(2)} + KL ${e.validation.kl.toFixed(2)})`
      : 'no validation images';
    io.stderr.write(
      `${live ? '\r\x1b[2K' : ''}epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(2)}, ${val}, ${e.activeUnits}/${run.model.latentDim} active units\n`,
    );
  });
  const offInterrupt = io.interrupted.then(() =>
    ctx.api.cancelTraining({ runId: run.id }).catch(() => undefined),
  );
  void offInterrupt;
  const final = await done;
  offStep();
  offEpoch();
  if (live) io.stderr.write('\r\x1b[2K');
  io.stdout.write(json ? `${JSON.stringify(final, null, 2)}\n` : `${formatRun(final)}\n`);
  if (final.state === 'completed') {
    await encodeAfterTraining(ctx, io, final.id);
    return 0;
  }
  if (final.state === 'cancelled' || final.state === 'interrupted') {
    io.stderr.write(`Resume with: latent-explorer resume ${final.id}\n`);
    return 130;
  }
  io.stderr.write(`latent-explorer: training failed: ${final.message ?? 'unknown error'}\n`);
  return 1;
}

/**
 * Waits for the encode job the service starts when a run completes (or starts it), so the
 * latent-space commands work right after `train`. A failure here does not fail the training.
 */
async function encodeAfterTraining(ctx: CommandContext, io: CliIo, runId: string): Promise<void> {
  const stop = followJobs(ctx, io);
  // The job may have started before followJobs listened: Ctrl+C cancels it through the list.
  void io.interrupted.then(async () => {
    for (const job of await ctx.api.listJobs().catch(() => [])) {
      if (job.kind === 'encode' && job.state === 'running')
        await ctx.api.cancelJob({ jobId: job.id }).catch(() => undefined);
    }
  });
  try {
    const r = await ctx.api.encodeLibrary({ runId });
    io.stderr.write(
      `Encoded the library for the latent-space commands: ${formatCount(r.embeddings.count, 'image')} in ${(r.durationMs / 1000).toFixed(1)} s.\n`,
    );
  } catch (error) {
    io.stderr.write(
      `latent-explorer: the library was not encoded (${error instanceof Error ? error.message : String(error)}); run \`latent-explorer encode\` before the latent-space commands.\n`,
    );
  } finally {
    stop();
  }
}

export async function trainCommand(
  ctx: CommandContext,
  io: CliIo,
  flags: TrainFlags,
  json: boolean,
): Promise<number> {
  const run = await ctx.api.startTraining(trainingRequestFromFlags(flags));
  return follow(ctx, io, run, json);
}

export async function resumeCommand(
  ctx: CommandContext,
  io: CliIo,
  runId: string,
  json: boolean,
): Promise<number> {
  const run = await ctx.api.resumeTraining({ runId });
  return follow(ctx, io, run, json);
}

export async function runsCommand(ctx: CommandContext, io: CliIo, json: boolean): Promise<number> {
  const runs = await ctx.api.listRuns();
  if (json) io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
  else
    io.stdout.write(
      runs.length === 0
        ? 'No runs yet: train one with `latent-explorer train`.\n'
        : `${runs.map(formatRun).join('\n')}\n`,
    );
  return 0;
}

export function formatEvaluation(e: EvaluationReport): string {
  return [
    `${e.runId} on ${e.images} held-out images:`,
    `  −ELBO ${e.negElbo.toFixed(3)} nats/image (reconstruction ${e.reconstruction.toFixed(3)} + KL ${e.kl.toFixed(3)})`,
    e.iwae
      ? `  −log p(x) ≤ ${e.iwae.negLogLikelihood.toFixed(3)} nats/image (IWAE, k=${e.iwae.samples})`
      : null,
    `  ${e.activeUnits} active latent units`,
    `  worst images (id: −ELBO): ${e.worst
      .slice(0, 5)
      .map((w) => `${w.imageId}: ${w.negElbo.toFixed(1)}`)
      .join(', ')}`,
  ]
    .filter((l) => l !== null)
    .join('\n');
}

export async function evalCommand(
  ctx: CommandContext,
  io: CliIo,
  runId: string,
  flags: { iwae?: string; 'max-images'?: string },
  json: boolean,
): Promise<number> {
  const stop = followJobs(ctx, io);
  try {
    const report = await ctx.api.evaluateRun({
      runId,
      ...(flags.iwae !== undefined ? { iwaeSamples: num('iwae', flags.iwae, true) } : {}),
      ...(flags['max-images'] !== undefined
        ? { maxImages: num('max-images', flags['max-images'], true) }
        : {}),
    });
    io.stdout.write(
      json ? `${JSON.stringify(report, null, 2)}\n` : `${formatEvaluation(report)}\n`,
    );
    return 0;
  } finally {
    stop();
  }
}
