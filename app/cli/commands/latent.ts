/**
 * Latent-space commands: encode, embeddings, posterior, neighbors, interpolate, traverse, grid,
 * sample, map, summary, attribute, outliers, replay. Flags are checked here (exit code 2 with the flag
 * named); ranges are left to the contract's schemas. Every command defaults to the latest
 * completed run; `--run R` picks another.
 */
import {
  ExplorerError,
  LATENT_METRICS,
  MAP_METHODS,
  type DecodedImage,
  type ExplorerApi,
  type LatentMetric,
  type LatentSource,
  type MapMethod,
} from '../../contract';
import { num, numbers, oneOf, opt } from '../flag-values';
import { UsageError, type CliIo } from '../io';
import { group, latentCode, parseSource, pngOut, sourcesOf } from './latent-args';
import {
  LATENT_COMMANDS,
  LATENT_FLAGS,
  USAGE,
  type LatentCommandName,
  type LatentFlag,
  type LatentFlags,
} from './latent-spec';

import { checkOutput, writeFileAtomic, writeImagesPng } from '../picture';
import { followJobs, type JobContext } from '../progress';
import {
  formatAttribute,
  formatEmbeddings,
  formatEncode,
  formatGrid,
  formatInterpolation,
  formatMap,
  formatNeighbors,
  formatOutliers,
  formatPosterior,
  formatSample,
  formatSummary,
  formatReplay,
  formatReplayFrame,
  formatTraversal,
  withoutPixels,
} from './latent-format';

const SEARCHES = ['auto', 'exact', 'hnsw'] as const;
const PATHS = ['linear', 'slerp'] as const;

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/** What the latent commands need: the API and the job events (tests pass fakes). */
export interface LatentContext extends JobContext {
  api: ExplorerApi;
}

interface Run {
  ctx: () => LatentContext;
  io: CliIo;
  json: boolean;
  flags: LatentFlags;
}

function print(run: Run, dto: unknown, text: () => string): void {
  run.io.stdout.write(
    run.json ? `${JSON.stringify(withoutPixels(dto), null, 2)}\n` : `${text()}\n`,
  );
}

/** A note about a written file: on stdout, or on stderr when stdout carries JSON. */
function wrote(run: Run, message: string): void {
  (run.json ? run.io.stderr : run.io.stdout).write(`${message}\n`);
}

async function picture(
  run: Run,
  out: string | undefined,
  images: DecodedImage[],
  columns: number,
  what: string,
): Promise<void> {
  if (out === undefined) return;
  if (images.length === 0)
    throw new ExplorerError('NOT_FOUND', `There are no images to write to ${out}.`);
  const info = await writeImagesPng(out, images, columns, { force: run.flags.force === true });
  wrote(
    run,
    `Wrote ${what} to ${out} (${info.columns}×${info.rows} cells, ${info.width}×${info.height} px, ${info.scale}× scale).`,
  );
}

/** Runs the api call while showing job progress (and cancelling on Ctrl+C). */
async function asJob<T>(run: Run, call: (api: ExplorerApi) => Promise<T>): Promise<T> {
  const ctx = run.ctx();
  const stop = followJobs(ctx, run.io);
  try {
    return await call(ctx.api);
  } finally {
    stop();
  }
}

function usage(name: LatentCommandName): UsageError {
  return new UsageError(`Usage: latent-explorer ${USAGE[name]}`);
}

/** Exactly one source (a positional, or --latent). */
async function single(name: LatentCommandName, positionals: string[], flags: LatentFlags) {
  const sources = await sourcesOf(positionals, flags);
  if (sources.length !== 1) throw usage(name);
  return sources[0] as LatentSource;
}

/** At most one source. */
async function optional(name: LatentCommandName, positionals: string[], flags: LatentFlags) {
  const sources = await sourcesOf(positionals, flags);
  if (sources.length > 1) throw usage(name);
  return sources[0];
}

/**
 * Runs one latent command. `context` is called only once the arguments are valid (so bad flags
 * never open the data directory). Returns the exit code; throws UsageError / ExplorerError.
 */
export async function latentCommand(
  name: LatentCommandName,
  positionals: string[],
  flags: LatentFlags,
  context: () => LatentContext,
  io: CliIo,
  json: boolean,
): Promise<number> {
  const allowed: readonly string[] = LATENT_COMMANDS[name];
  for (const flag of LATENT_FLAGS) {
    if (flags[flag as LatentFlag] !== undefined && !allowed.includes(flag))
      throw new UsageError(`--${flag} is not an option of "${name}".`);
  }
  const run: Run = { ctx: context, io, json, flags };
  const runId = flags.run !== undefined ? { runId: flags.run } : {};
  const force = flags.force === true;
  const noPositionals = () => {
    if (positionals.length > 0) throw usage(name);
  };

  switch (name) {
    case 'encode': {
      noPositionals();
      const report = await asJob(run, (api) =>
        api.encodeLibrary({ ...runId, ...(force ? { force } : {}) }),
      );
      print(run, report, () => formatEncode(report));
      return 0;
    }
    case 'embeddings': {
      noPositionals();
      const info = await context().api.embeddingsStatus({ ...runId });
      print(run, info, () => formatEmbeddings(info, flags.run));
      return 0;
    }
    case 'posterior': {
      const source = await single(name, positionals, flags);
      const out = pngOut(flags);
      if (out !== undefined) await checkOutput(out, { force });
      const p = await context().api.posterior({ ...runId, source });
      print(run, p, () => formatPosterior(p, source));
      await picture(run, out, [p.reconstruction], 1, 'the reconstruction');
      return 0;
    }
    case 'neighbors': {
      const source = await single(name, positionals, flags);
      const req = {
        ...runId,
        source,
        ...opt('k', flags.k, (v) => num('k', v, true)),
        ...opt('metric', flags.metric, (v) => oneOf<LatentMetric>('metric', v, LATENT_METRICS)),
        ...opt('folderIds', flags.folders, (v) => numbers('folders', v, true)),
        ...opt('search', flags.search, (v) => oneOf('search', v, SEARCHES)),
      };
      const r = await context().api.neighbors(req);
      print(run, r, () => formatNeighbors(r, source));
      return 0;
    }
    case 'interpolate': {
      const sources = await sourcesOf(positionals, flags);
      if (sources.length < 2) throw usage(name);
      const out = pngOut(flags);
      const req = {
        ...runId,
        sources,
        ...opt('steps', flags.steps, (v) => num('steps', v, true)),
        ...opt('method', flags.method, (v) => oneOf('method', v, PATHS)),
      };
      if (out !== undefined) await checkOutput(out, { force });
      const r = await context().api.interpolate(req);
      print(run, r, () => formatInterpolation(r, sources));
      const images = r.frames.map((f) => f.image);
      await picture(run, out, images, images.length, 'the interpolation');
      return 0;
    }
    case 'traverse': {
      const source = await optional(name, positionals, flags);
      if ((flags.dim === undefined) === (flags.direction === undefined))
        throw new UsageError('"traverse" needs exactly one of --dim N and --direction v1,v2,….');
      if (flags.absolute === true && flags.dim === undefined)
        throw new UsageError('--absolute applies to --dim only.');
      const out = pngOut(flags);
      const req = {
        ...runId,
        ...(source !== undefined ? { source } : {}),
        ...opt('dim', flags.dim, (v) => num('dim', v, true)),
        ...opt('direction', flags.direction, (v) => numbers('direction', v, false)),
        ...opt('range', flags.range, (v) => numbers('range', v, false, 2) as [number, number]),
        ...opt('steps', flags.steps, (v) => num('steps', v, true)),
        ...(flags.absolute === true ? { absolute: true } : {}),
      };
      if (out !== undefined) await checkOutput(out, { force });
      const r = await context().api.traverse(req);
      print(run, r, () => formatTraversal(r, source));
      const images = r.frames.map((f) => f.image);
      await picture(run, out, images, images.length, 'the traversal');
      return 0;
    }
    case 'grid': {
      const source = await optional(name, positionals, flags);
      const out = pngOut(flags);
      const req = {
        ...runId,
        ...(source !== undefined ? { source } : {}),
        ...opt('dims', flags.dims, (v) => numbers('dims', v, true, 2) as [number, number]),
        ...opt('rows', flags.rows, (v) => num('rows', v, true)),
        ...opt('columns', flags.columns, (v) => num('columns', v, true)),
      };
      if (out !== undefined) await checkOutput(out, { force });
      const r = await context().api.latentGrid(req);
      print(run, r, () => formatGrid(r, source));
      await picture(
        run,
        out,
        r.cells.map((c) => c.image),
        r.columns,
        'the grid',
      );
      return 0;
    }
    case 'sample': {
      noPositionals();
      const out = pngOut(flags);
      const count = flags.count !== undefined ? num('count', flags.count, true) : 16;
      const seed = flags.seed !== undefined ? num('seed', flags.seed, true) : undefined;
      if (out !== undefined) await checkOutput(out, { force });
      const s = await context().api.samplePrior({
        ...runId,
        count,
        ...(seed !== undefined ? { seed } : {}),
      });
      print(run, s, () => formatSample(s, seed));
      const columns = Math.max(1, Math.ceil(Math.sqrt(s.images.length)));
      await picture(run, out, s.images, columns, 'the samples');
      return 0;
    }
    case 'map': {
      noPositionals();
      if (flags.method === undefined)
        throw new UsageError('"map" needs --method pca, umap or tsne.');
      const method = oneOf<MapMethod>('method', flags.method, MAP_METHODS);
      const seed = flags.seed !== undefined ? num('seed', flags.seed, true) : undefined;
      const out = flags.out;
      if (out !== undefined) {
        if (out.trim() === '') throw new UsageError('-o needs a file name.');
        await checkOutput(out, { force });
      }
      const m = await asJob(run, (api) =>
        api.computeMap({
          ...runId,
          method,
          ...(seed !== undefined ? { seed } : {}),
          ...(force ? { force } : {}),
        }),
      );
      print(run, m, () => formatMap(m));
      if (out !== undefined) {
        const lines = m.imageIds.map((id, i) => `${id},${m.x[i]},${m.y[i]}`);
        await writeFileAtomic(out, `image_id,x,y\n${lines.map((l) => `${l}\n`).join('')}`, {
          force,
        });
        wrote(run, `Wrote ${m.imageIds.length} points to ${out}.`);
      }
      return 0;
    }
    case 'summary': {
      noPositionals();
      const s = await context().api.latentSummary({
        ...runId,
        ...opt('k', flags.k, (v) => num('k', v, true)),
      });
      print(run, s, () => formatSummary(s));
      return 0;
    }
    case 'attribute': {
      noPositionals();
      const groups = { a: group('a', flags), b: group('b', flags) };
      if (flags.target !== undefined && flags.latent !== undefined)
        throw new UsageError('Give the target with --target or --latent, not both.');
      const target =
        flags.target !== undefined
          ? await parseSource(flags.target)
          : flags.latent !== undefined
            ? latentCode(flags.latent)
            : undefined;
      const out = pngOut(flags);
      const req = {
        ...runId,
        ...groups,
        ...(target !== undefined ? { target } : {}),
        ...opt('strengths', flags.strength, (v) => numbers('strength', v, false)),
      };
      if (out !== undefined) await checkOutput(out, { force });
      const r = await context().api.attributeVector(req);
      print(run, r, () => formatAttribute(r, groups, target));
      const images = r.frames.map((f) => f.image);
      await picture(run, out, images, images.length, 'the target along the vector');
      return 0;
    }
    case 'outliers': {
      noPositionals();
      const r = await context().api.outliers({
        ...runId,
        ...opt('limit', flags.limit, (v) => num('limit', v, true)),
        ...opt('folderIds', flags.folders, (v) => numbers('folders', v, true)),
      });
      print(run, r, () => formatOutliers(r));
      return 0;
    }
    case 'replay': {
      noPositionals();
      if (flags.step === undefined) {
        if (flags.out !== undefined)
          throw new UsageError('-o needs --step N: which frame to write.');
        const info = await context().api.getReplay({ ...runId });
        print(run, info, () => formatReplay(info, flags.run));
        return 0;
      }
      const out = pngOut(flags);
      if (out !== undefined) await checkOutput(out, { force });
      const frame = await context().api.getReplayFrame({
        ...runId,
        step: num('step', flags.step, true),
      });
      print(run, frame, () => formatReplayFrame(frame));
      await picture(
        run,
        out,
        frame.prior,
        Math.ceil(Math.sqrt(frame.prior.length)),
        'the prior decodings',
      );
      return 0;
    }
  }
}
