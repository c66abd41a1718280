/**
 * The `latent-explorer` command line: parses arguments, runs one command against an in-process
 * service, prints results on stdout and problems on stderr, and returns the exit code.
 */
import { parseArgs } from 'node:util';
import { ExplorerError } from '../contract';
import { parseBackendName } from '../engine/backend-names';
import { resolveDataDir } from '../paths';
import { DEFAULT_PORT } from '../server/server';
import { appVersion } from '../version';
import { infoCommand } from './commands/info';
import { latentCommand } from './commands/latent';
import {
  LATENT_COMMANDS,
  LATENT_FLAGS,
  LATENT_HELP,
  LATENT_OPTIONS,
  isLatentCommand,
} from './commands/latent-spec';
import { joinNegativeValues } from './commands/latent-args';
import {
  demoCommand,
  foldersCommand,
  ingestCommand,
  parseFolderId,
  removeCommand,
  rescanCommand,
  skippedCommand,
} from './commands/library';
import { evalCommand, resumeCommand, runsCommand, trainCommand } from './commands/train';
import { serveCommand } from './commands/serve';
import { createCommandContext, type CommandContext } from './context';
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
  train                Train a VAE on the library (default: every folder); Ctrl+C stops
                       after a checkpoint
                         --folders 1,2   folder ids to train on (same input size)
                         --arch conv|mlp  --latent N  --widths 32,64  --likelihood bernoulli|gaussian
                         --epochs N (20)  --batch N  --lr X (0.001)  --beta X (1)  --warmup STEPS
                         --free-bits X  --val FRACTION (0.1)  --patience EPOCHS  --checkpoint-every STEPS
                         --seed N
  resume <run>         Continue a paused, stopped or interrupted run from its checkpoint
  runs                 List the trained runs (models) and their checkpoints
  eval <run>           Held-out −ELBO, KL, active units, worst images
                         --iwae K         also the importance-weighted bound with K samples
                         --max-images N   evaluate on at most N held-out images
  serve [folder]       Serve the app to a browser on this machine (ingests [folder] if given)
                         --port N     port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
                         --host H     address to bind (default 127.0.0.1, loopback only)

${LATENT_HELP}
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
  // The latent commands' flags (run, force, -o/--out, k, metric, steps, …); see commands/latent.ts.
  ...LATENT_OPTIONS,
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
  folders: { type: 'string' },
  arch: { type: 'string' },
  latent: { type: 'string' },
  widths: { type: 'string' },
  likelihood: { type: 'string' },
  beta: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  'free-bits': { type: 'string' },
  val: { type: 'string' },
  patience: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  seed: { type: 'string' },
  iwae: { type: 'string' },
  'max-images': { type: 'string' },
} as const;

const TRAIN_FLAGS = [
  'folders',
  'arch',
  'latent',
  'widths',
  'likelihood',
  'beta',
  'epochs',
  'batch',
  'lr',
  'warmup',
  'free-bits',
  'val',
  'patience',
  'checkpoint-every',
  'seed',
];
const EVAL_FLAGS = ['iwae', 'max-images'];

const SERVE_FLAGS = ['port', 'host'];
const SPEC_FLAGS = ['size', 'channels', 'fit', 'background'];
const ALL_FLAGS = [
  ...new Set([
    ...SERVE_FLAGS,
    ...SPEC_FLAGS,
    'retry-failed',
    ...TRAIN_FLAGS,
    ...EVAL_FLAGS,
    ...LATENT_FLAGS,
  ]),
];
/** Refuses every flag but the listed ones (plus the global ones). */
function only(command: string, values: Record<string, unknown>, allowed: string[]): void {
  onlyFor(
    command,
    values,
    ALL_FLAGS.filter((f) => !allowed.includes(f)),
  );
}

/**
 * Commands that change the data directory: they take its writer lock for their whole run. The
 * others (info, folders, skipped, runs, eval and the latent queries) only read, and work while
 * serve mode or the app holds the lock; eval only reads a checkpoint and the catalogue. encode
 * stores embeddings and map caches the map it computes, so they are writers.
 */
export const WRITER_COMMANDS: ReadonlySet<string> = new Set([
  'ingest',
  'rescan',
  'remove',
  'demo',
  'train',
  'resume',
  'serve',
  'encode',
  'map',
]);

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, not "${value}".`);
  return port;
}

function onlyFor(command: string, flags: Record<string, unknown>, names: string[]): void {
  for (const name of names) {
    if (flags[name] !== undefined)
      throw new UsageError(`--${name} is not an option of "${command}".`);
  }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let context: CommandContext | null = null;
  try {
    return await runCommand(argv, io, (make) => (context ??= make()));
  } finally {
    // Every state change is on disk, workers stopped and the writer lock released before the
    // command returns (main.ts exits right after).
    const open = context as CommandContext | null;
    await open?.service.dispose().catch((error: unknown) =>
      io.stderr.write(`latent-explorer: while shutting down: ${String(error)}
`),
    );
  }
}

async function runCommand(
  argv: string[],
  io: CliIo,
  once: (make: () => CommandContext) => CommandContext,
): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: joinNegativeValues(argv),
        options: OPTIONS,
        allowPositionals: true,
        strict: true,
      });
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
      throw new UsageError(
        `--backend must be auto, tensorflow, wasm or cpu, not "${String(backend)}".`,
      );
    }
    const dataDir = values['data-dir'] ?? resolveDataDir({ env: io.env });
    const ctx = () =>
      once(() =>
        createCommandContext({
          dataDir,
          backend: backend ?? null,
          access: command !== undefined && WRITER_COMMANDS.has(command) ? 'writer' : 'reader',
          command: `latent-explorer ${argv.join(' ')}`.slice(0, 200),
        }),
      );
    const json = values.json === true;

    switch (command) {
      case 'info': {
        if (rest.length > 0) throw new UsageError('"info" takes no arguments.');
        only('info', values, []);
        return await infoCommand(ctx(), io, json);
      }
      case 'ingest': {
        if (rest.length !== 1)
          throw new UsageError(
            'Usage: latent-explorer ingest <folder> [--size N] [--channels 1|3] [--fit cover|contain]',
          );
        only('ingest', values, SPEC_FLAGS);
        return await ingestCommand(ctx(), io, rest[0] as string, values, json);
      }
      case 'folders': {
        if (rest.length > 0) throw new UsageError('"folders" takes no arguments.');
        only('folders', values, []);
        return await foldersCommand(ctx(), io, json);
      }
      case 'rescan': {
        if (rest.length > 1)
          throw new UsageError('Usage: latent-explorer rescan [folder-id] [--retry-failed]');
        only('rescan', values, ['retry-failed']);
        const id = rest[0] !== undefined ? parseFolderId(rest[0]) : undefined;
        return await rescanCommand(ctx(), io, id, values['retry-failed'] === true, json);
      }
      case 'remove':
      case 'skipped': {
        if (rest.length !== 1)
          throw new UsageError(`Usage: latent-explorer ${command} <folder-id>`);
        only(command, values, []);
        const id = parseFolderId(rest[0]);
        return command === 'remove'
          ? await removeCommand(ctx(), io, id)
          : await skippedCommand(ctx(), io, id, json);
      }
      case 'demo': {
        if (rest.length !== 1)
          throw new UsageError('Usage: latent-explorer demo <fashion-mnist|shapes>');
        only('demo', values, []);
        return await demoCommand(ctx(), io, rest[0] as string, json);
      }
      case 'train': {
        if (rest.length > 0)
          throw new UsageError(
            '"train" takes no positional arguments; choose folders with --folders 1,2.',
          );
        only('train', values, TRAIN_FLAGS);
        return await trainCommand(ctx(), io, values, json);
      }
      case 'resume':
      case 'eval': {
        if (rest.length !== 1)
          throw new UsageError(
            `Usage: latent-explorer ${command} <run-id> (see latent-explorer runs)`,
          );
        only(command, values, command === 'eval' ? EVAL_FLAGS : []);
        return command === 'resume'
          ? await resumeCommand(ctx(), io, rest[0] as string, json)
          : await evalCommand(ctx(), io, rest[0] as string, values, json);
      }
      case 'runs': {
        if (rest.length > 0) throw new UsageError('"runs" takes no arguments.');
        only('runs', values, []);
        return await runsCommand(ctx(), io, json);
      }
      case 'serve': {
        if (rest.length > 1)
          throw new UsageError('Usage: latent-explorer serve [--port N] [--host H] [folder]');
        only('serve', values, SERVE_FLAGS);
        if (values.json) throw new UsageError('--json is not an option of "serve".');
        return await serveCommand(ctx(), io, {
          host: values.host ?? '127.0.0.1',
          port: parsePort(values.port),
          folder: rest[0] ?? null,
        });
      }
      default:
        if (isLatentCommand(command)) {
          only(command, values, [...LATENT_COMMANDS[command]]);
          return await latentCommand(command, rest, values, ctx, io, json);
        }
        throw new UsageError(
          `Unknown command "${command}". Run latent-explorer --help for the list.`,
        );
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
