/** Library commands: ingest, folders, rescan, remove, skipped, demo. */
import {
  DEMO_DATASETS,
  formatBytes,
  formatCount,
  formatDuration,
  type DemoDataset,
  type FolderInfo,
  type IngestReport,
  type PreprocessSpec,
} from '../../contract';
import type { CommandContext } from '../context';
import { UsageError, type CliIo } from '../io';
import { followJobs } from '../progress';

export function describeSpec(spec: PreprocessSpec): string {
  const bg = `#${[spec.background.r, spec.background.g, spec.background.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  return `${spec.size} px ${spec.channels === 1 ? 'grey' : 'RGB'}, ${spec.fit === 'cover' ? 'centre crop' : `pad ${bg}`}`;
}

export function formatFolder(f: FolderInfo): string {
  const formats = Object.entries(f.byFormat)
    .sort((a, b) => b[1] - a[1])
    .map(([format, n]) => `${format} ${n}`)
    .join(', ');
  const problems = [
    f.failedCount > 0 ? `${f.failedCount} failed` : null,
    f.skippedCount > 0 ? `${f.skippedCount} skipped` : null,
    f.missingCount > 0 ? `${f.missingCount} missing` : null,
    f.duplicateCount > 0 ? `${f.duplicateCount} duplicates` : null,
  ].filter((p) => p !== null);
  return [
    `[${f.id}] ${f.path}`,
    `    ${formatCount(f.imageCount, 'image')} (${formatBytes(f.totalBytes)})${formats ? `: ${formats}` : ''}`,
    `    input ${describeSpec(f.spec)}${problems.length > 0 ? `; ${problems.join(', ')}` : ''}`,
  ].join('\n');
}

export function formatReport(r: IngestReport): string {
  return [
    formatFolder(r.folder),
    `    this run: ${r.processed} read, ${r.unchanged} unchanged, ${r.failed} failed, ${r.missing} gone, ${r.skipped} skipped in ${formatDuration(r.durationMs / 1000)}`,
    r.folder.failedCount + r.folder.skippedCount > 0
      ? `    see why with: latent-explorer skipped ${r.folder.id}`
      : null,
  ]
    .filter((line) => line !== null)
    .join('\n');
}

export interface SpecFlags {
  size?: string;
  channels?: string;
  fit?: string;
  background?: string;
}

/** Builds a spec from flags over the defaults; the contract's schema checks the ranges. */
export function specFromFlags(
  flags: SpecFlags,
  defaults: PreprocessSpec,
): PreprocessSpec | undefined {
  if (Object.values(flags).every((v) => v === undefined)) return undefined;
  const number = (name: string, value: string): number => {
    if (!/^\d+$/.test(value))
      throw new UsageError(`--${name} must be a whole number, not "${value}".`);
    return Number(value);
  };
  const spec: PreprocessSpec = { ...defaults, background: { ...defaults.background } };
  if (flags.size !== undefined) spec.size = number('size', flags.size);
  if (flags.channels !== undefined) {
    if (flags.channels !== '1' && flags.channels !== '3')
      throw new UsageError(`--channels must be 1 or 3, not "${flags.channels}".`);
    spec.channels = flags.channels === '1' ? 1 : 3;
  }
  if (flags.fit !== undefined) {
    if (flags.fit !== 'cover' && flags.fit !== 'contain')
      throw new UsageError(`--fit must be cover or contain, not "${flags.fit}".`);
    spec.fit = flags.fit;
  }
  if (flags.background !== undefined) {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(flags.background);
    if (!m)
      throw new UsageError(
        `--background must be a colour like #ffffff, not "${flags.background}".`,
      );
    spec.background = {
      r: parseInt(m[1] as string, 16),
      g: parseInt(m[2] as string, 16),
      b: parseInt(m[3] as string, 16),
    };
  }
  return spec;
}

export async function ingestCommand(
  ctx: CommandContext,
  io: CliIo,
  folder: string,
  flags: SpecFlags,
  json: boolean,
): Promise<number> {
  const { defaultSpec } = await ctx.api.openLibrary();
  const spec = specFromFlags(flags, defaultSpec);
  const stop = followJobs(ctx, io);
  try {
    const report = await ctx.api.addFolder({ folder, ...(spec ? { spec } : {}) });
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return 0;
  } finally {
    stop();
  }
}

export async function foldersCommand(
  ctx: CommandContext,
  io: CliIo,
  json: boolean,
): Promise<number> {
  const state = await ctx.api.openLibrary();
  if (json) io.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
  else if (state.folders.length === 0)
    io.stdout.write('The library is empty: add a folder with `latent-explorer ingest <folder>`.\n');
  else io.stdout.write(`${state.folders.map(formatFolder).join('\n')}\n`);
  return 0;
}

export function parseFolderId(value: string | undefined): number {
  if (value === undefined || !/^[1-9]\d{0,14}$/.test(value)) {
    throw new UsageError(
      `Expected a folder id (a number shown by \`latent-explorer folders\`), not "${String(value)}".`,
    );
  }
  return Number(value);
}

export async function rescanCommand(
  ctx: CommandContext,
  io: CliIo,
  folderId: number | undefined,
  retryFailed: boolean,
  json: boolean,
): Promise<number> {
  const stop = followJobs(ctx, io);
  try {
    const reports = await ctx.api.rescan({
      ...(folderId !== undefined ? { folderId } : {}),
      retryFailed,
    });
    io.stdout.write(
      json ? `${JSON.stringify(reports, null, 2)}\n` : `${reports.map(formatReport).join('\n')}\n`,
    );
    return 0;
  } finally {
    stop();
  }
}

export async function removeCommand(
  ctx: CommandContext,
  io: CliIo,
  folderId: number,
): Promise<number> {
  const before = await ctx.api.openLibrary();
  const folder = before.folders.find((f) => f.id === folderId);
  await ctx.api.removeFolder({ folderId });
  io.stdout.write(
    `Removed ${folder?.path ?? `folder ${folderId}`} from the library (its files were not touched).\n`,
  );
  return 0;
}

export async function skippedCommand(
  ctx: CommandContext,
  io: CliIo,
  folderId: number,
  json: boolean,
): Promise<number> {
  const lines: string[] = [];
  const all = [];
  for (let offset = 0; ;) {
    const page = await ctx.api.listProblems({ folderId, offset, limit: 1000 });
    all.push(...page.problems);
    for (const p of page.problems) lines.push(`${p.path}\t${p.kind}\t${p.reason}`);
    offset += page.problems.length;
    if (page.problems.length === 0 || offset >= page.total) break;
  }
  io.stdout.write(
    json
      ? `${JSON.stringify(all, null, 2)}\n`
      : lines.length > 0
        ? `${lines.join('\n')}\n`
        : 'Nothing was skipped.\n',
  );
  return 0;
}

export async function demoCommand(
  ctx: CommandContext,
  io: CliIo,
  dataset: string,
  json: boolean,
): Promise<number> {
  if (!(DEMO_DATASETS as readonly string[]).includes(dataset)) {
    throw new UsageError(`Unknown demo "${dataset}": choose ${DEMO_DATASETS.join(' or ')}.`);
  }
  const stop = followJobs(ctx, io);
  try {
    const report = await ctx.api.openDemo({ dataset: dataset as DemoDataset });
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return 0;
  } finally {
    stop();
  }
}
