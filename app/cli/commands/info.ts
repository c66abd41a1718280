import type { AppStatus } from '../../contract';
import type { CommandContext } from '../context';
import type { CliIo } from '../io';

export function formatStatus(status: AppStatus): string {
  const engine = status.engine;
  const lines = [
    `${status.appName} ${status.appVersion}`,
    `  node ${status.runtime.node}${status.runtime.electron ? `, electron ${status.runtime.electron}` : ''}, ${status.runtime.platform}-${status.runtime.arch}`,
    `  data directory  ${status.dataDir}`,
    `  tfjs            ${engine.tfjsVersion}`,
    `  backend         ${engine.backend ?? 'none'}${engine.backendPackage ? ` (${engine.backendPackage}, ${engine.device ?? '?'})` : ''}`,
  ];
  for (const attempt of engine.attempts) {
    const mark = attempt.ok ? 'active ' : 'skipped';
    lines.push(`    ${mark} ${attempt.package}${attempt.reason ? `: ${attempt.reason}` : ''}`);
  }
  if (engine.warning) lines.push(`  warning: ${engine.warning}`);
  return `${lines.join('\n')}\n`;
}

export async function infoCommand(ctx: CommandContext, io: CliIo, json: boolean): Promise<number> {
  const status = await ctx.api.getStatus();
  io.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  return 0;
}
