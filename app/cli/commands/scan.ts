import { formatBytes, formatCount, type LibraryInfo } from '../../contract';
import type { CommandContext } from '../context';
import type { CliIo } from '../io';
import { followJobs } from '../progress';

export function formatLibrary(info: LibraryInfo): string {
  const formats = Object.entries(info.byFormat)
    .sort((a, b) => b[1] - a[1])
    .map(([format, n]) => `${format} ${n}`)
    .join(', ');
  const lines = [
    `${info.folder}`,
    `  ${formatCount(info.imageCount, 'image')} (${formatBytes(info.totalBytes)})${formats ? `: ${formats}` : ''}`,
    `  ${formatCount(info.otherFileCount, 'other file')} ignored`,
  ];
  if (info.skippedCount > 0) {
    lines.push(`  ${formatCount(info.skippedCount, 'entry', 'entries')} skipped:`);
    for (const entry of info.skipped) lines.push(`    ${entry.path}: ${entry.reason}`);
    if (info.skippedCount > info.skipped.length) lines.push(`    … and ${info.skippedCount - info.skipped.length} more`);
  }
  return `${lines.join('\n')}\n`;
}

export async function scanCommand(ctx: CommandContext, io: CliIo, folder: string, json: boolean): Promise<number> {
  const stop = followJobs(ctx, io);
  try {
    const info = await ctx.api.openLibrary({ folder });
    io.stdout.write(json ? `${JSON.stringify(info, null, 2)}\n` : formatLibrary(info));
    return 0;
  } finally {
    stop();
  }
}
