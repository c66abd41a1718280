import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../../server/server';
import { packageRoot } from '../../version';
import type { CommandContext } from '../context';
import { UsageError, type CliIo } from '../io';
import { formatReport } from './library';

export interface ServeOptions {
  host: string;
  port: number;
  folder: string | null;
  staticDir?: string;
}

export async function serveCommand(
  ctx: CommandContext,
  io: CliIo,
  options: ServeOptions,
): Promise<number> {
  const staticDir = options.staticDir ?? path.join(packageRoot(), 'build', 'renderer');
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    io.stderr.write(
      `warning: the user interface is not built (${staticDir}); run \`npm run build\`. Serving the API only.\n`,
    );
  }
  let server;
  try {
    server = await startServer({
      api: ctx.api,
      events: ctx.service.events,
      media: ctx.service,
      host: options.host,
      port: options.port,
      staticDir,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(
        `Port ${options.port} is already in use: choose another with --port N (--port 0 picks a free one).`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(
        `Cannot listen on host ${options.host}: it is not an address of this machine.`,
      );
    }
    throw error;
  }
  const status = await ctx.api.getStatus();
  io.stdout.write(`Latent Explorer serving at ${server.url}\n`);
  io.stdout.write(
    `  backend ${status.engine.backend ?? 'none'}, data directory ${status.dataDir}\n`,
  );
  if (server.host !== '127.0.0.1' && server.host !== 'localhost' && server.host !== '::1') {
    io.stderr.write(
      `warning: listening on ${server.host}: anyone who can reach this machine and has the token can use it.\n`,
    );
  }
  io.stdout.write('  Press Ctrl+C to stop.\n');
  if (options.folder !== null) {
    // Ingest in the background: the UI is usable (and shows the progress) meanwhile.
    const folder = options.folder;
    ctx.api.addFolder({ folder }).then(
      (report) => io.stdout.write(`${formatReport(report)}\n`),
      (error: unknown) =>
        io.stderr.write(
          `warning: could not ingest ${folder}: ${error instanceof Error ? error.message : String(error)}\n`,
        ),
    );
  }
  await io.interrupted;
  io.stdout.write('Stopping…\n');
  await ctx.service.dispose();
  await server.close();
  return 0;
}
