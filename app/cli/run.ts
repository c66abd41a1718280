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
import {
  demoCommand,
  foldersCommand,
  ingestCommand,
  parseFolderId,
  removeCommand,
  rescanCommand,
  skippedCommand,
} from './commands/library';
import { serveCommand } from './commands/serve';
import { createCommandContext } from './context';
import { EXIT, UsageError, type CliIo } from './io';

export const HELP = `latent-explorer: explore the latent space of a VAE trained on your own images

Usage: latent-explorer <command> [options]

Commands:
  info                 Versions, data directory and the active TensorFlow.js backend
  ingest <folder>      Add a folder to the library and ingest its images (incremental;
                       Ctrl+C stops and keeps what was done)
                         --size N        model input side in pixels, 16..256 (default 64)
                         --channels 1|3  greyscale or RGB (default 3)
                         --fit cover|contain   centre crop or pad (default cover)
                         --background #rrggbb  flattens transparency, fills padding (default #ffffff)
  folders              List the library's folders with their counts
  rescan [id]          Re-ingest one folder (or all): new, changed and deleted files
                         --retry-failed  also retry files that failed before
  remove <id>          Remove a folder from the library (its files are not touched)
  skipped <id>         List the files of a folder that could not be ingested, and why
  demo <name>          Add a demo dataset: fashion-mnist (needs the Debian package
                       dataset-fashion-mnist) or shapes (generated)
  serve [folder]       Serve the app to a browser on this machine (ingests [folder] if given)
                         --port N     port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
                         --host H     address to bind (default 127.0.0.1, loopback only)

Options:
  --backend NAME       TensorFlow.js backend: auto (default), tensorflow, wasm or cpu
  --data-dir DIR       where the catalogue and models live
  --json               machine-readable output (all but serve)
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
  size: { type: 'string' },
  channels: { type: 'string' },
  fit: { type: 'string' },
  background: { type: 'string' },
  'retry-failed': { type: 'boolean' },
} as const;

const SERVE_FLAGS = ['port', 'host'];
const SPEC_FLAGS = ['size', 'channels', 'fit', 'background'];

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
    const json = values.json === true;

    switch (command) {
      case 'info': {
        if (rest.length > 0) throw new UsageError('"info" takes no arguments.');
        onlyFor('info', values, [...SERVE_FLAGS, ...SPEC_FLAGS, 'retry-failed']);
        return await infoCommand(ctx(), io, json);
      }
      case 'ingest': {
        if (rest.length !== 1) throw new UsageError('Usage: latent-explorer ingest <folder> [--size N] [--channels 1|3] [--fit cover|contain]');
        onlyFor('ingest', values, [...SERVE_FLAGS, 'retry-failed']);
        return await ingestCommand(ctx(), io, rest[0] as string, values, json);
      }
      case 'folders': {
        if (rest.length > 0) throw new UsageError('"folders" takes no arguments.');
        onlyFor('folders', values, [...SERVE_FLAGS, ...SPEC_FLAGS, 'retry-failed']);
        return await foldersCommand(ctx(), io, json);
      }
      case 'rescan': {
        if (rest.length > 1) throw new UsageError('Usage: latent-explorer rescan [folder-id] [--retry-failed]');
        onlyFor('rescan', values, [...SERVE_FLAGS, ...SPEC_FLAGS]);
        const id = rest[0] !== undefined ? parseFolderId(rest[0]) : undefined;
        return await rescanCommand(ctx(), io, id, values['retry-failed'] === true, json);
      }
      case 'remove':
      case 'skipped': {
        if (rest.length !== 1) throw new UsageError(`Usage: latent-explorer ${command} <folder-id>`);
        onlyFor(command, values, [...SERVE_FLAGS, ...SPEC_FLAGS, 'retry-failed']);
        const id = parseFolderId(rest[0]);
        return command === 'remove' ? await removeCommand(ctx(), io, id) : await skippedCommand(ctx(), io, id, json);
      }
      case 'demo': {
        if (rest.length !== 1) throw new UsageError('Usage: latent-explorer demo <fashion-mnist|shapes>');
        onlyFor('demo', values, [...SERVE_FLAGS, ...SPEC_FLAGS, 'retry-failed']);
        return await demoCommand(ctx(), io, rest[0] as string, json);
      }
      case 'serve': {
        if (rest.length > 1) throw new UsageError('Usage: latent-explorer serve [--port N] [--host H] [folder]');
        onlyFor('serve', values, ['json', ...SPEC_FLAGS, 'retry-failed']);
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
      // A request the contract's schema refused came from the command line's arguments.
      return error.code === 'BAD_REQUEST' ? EXIT.usage : EXIT.failure;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`latent-explorer: unexpected error: ${message}\n`);
    return EXIT.failure;
  }
}
