/**
 * The `latent-explorer` command line: parses arguments, runs one command against an in-process
 * service, prints results on stdout and problems on stderr, and returns the exit code.
 */
import { parseArgs } from 'node:util';
import { ExplorerError } from '../contract';
import { parseBackendName } from '../engine/backend';
import { resolveDataDir } from '../paths';
import { DEFAULT_PORT } from '../server/server';
import { appVersion } from '../version';
import { infoCommand } from './commands/info';
import { scanCommand } from './commands/scan';
import { serveCommand } from './commands/serve';
import { createCommandContext } from './context';
import { EXIT, UsageError, type CliIo } from './io';

export const HELP = `latent-explorer: explore the latent space of a VAE trained on your own images

Usage: latent-explorer <command> [options]

Commands:
  info                 Versions, data directory and the active TensorFlow.js backend
  scan <folder>        Count the images in a folder (recursive; hidden files skipped)
  serve [folder]       Serve the app to a browser on this machine (opens [folder] if given)
                         --port N     port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
                         --host H     address to bind (default 127.0.0.1, loopback only)

Options:
  --backend NAME       TensorFlow.js backend: auto (default), tensorflow, wasm or cpu
  --data-dir DIR       where the catalogue and models live
  --json               machine-readable output (info, scan)
  -h, --help           show this help
  -v, --version        show the version

Environment:
  LATENT_EXPLORER_DATA_DIR   data directory (default ~/.local/share/latent-explorer on Linux)
  LATENT_EXPLORER_BACKEND    same as --backend
`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  backend: { type: 'string' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  // The browser is never opened automatically (serve mode often runs on a remote GPU box);
  // --no-open is accepted for scripts written that way.
  'no-open': { type: 'boolean' },
} as const;

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${value}".`);
  return port;
}

function onlyFor(command: string, flags: Record<string, unknown>, names: string[]): void {
  for (const name of names) {
    if (flags[name] !== undefined) throw new UsageError(`--${name} is not an option of "${command}".`);
  }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (values.version) {
      io.stdout.write(`${appVersion()}\n`);
      return EXIT.ok;
    }
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.stdout.write(HELP);
      return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
    }
    const backend = values.backend ?? io.env.LATENT_EXPLORER_BACKEND;
    if (parseBackendName(backend) === 'invalid') {
      throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu, not "${String(backend)}".`);
    }
    const dataDir = values['data-dir'] ?? resolveDataDir({ env: io.env });
    const ctx = () => createCommandContext({ dataDir, backend: backend ?? null });

    switch (command) {
      case 'info': {
        if (rest.length > 0) throw new UsageError('"info" takes no arguments.');
        onlyFor('info', values, ['port', 'host']);
        return await infoCommand(ctx(), io, values.json === true);
      }
      case 'scan': {
        if (rest.length !== 1) throw new UsageError('Usage: latent-explorer scan <folder>');
        onlyFor('scan', values, ['port', 'host']);
        return await scanCommand(ctx(), io, rest[0] as string, values.json === true);
      }
      case 'serve': {
        if (rest.length > 1) throw new UsageError('Usage: latent-explorer serve [--port N] [--host H] [folder]');
        onlyFor('serve', values, ['json']);
        return await serveCommand(ctx(), io, {
          host: values.host ?? '127.0.0.1',
          port: parsePort(values.port),
          folder: rest[0] ?? null,
        });
      }
      default:
        throw new UsageError(`Unknown command "${command}". Run latent-explorer --help for the list.`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`latent-explorer: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ExplorerError) {
      if (error.code === 'CANCELLED') {
        io.stderr.write('Cancelled.\n');
        return EXIT.interrupted;
      }
      io.stderr.write(`latent-explorer: ${error.message}\n`);
      return EXIT.failure;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`latent-explorer: unexpected error: ${message}\n`);
    return EXIT.failure;
  }
}
