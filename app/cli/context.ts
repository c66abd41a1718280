/**
 * Builds the in-process service for a CLI command and an ExplorerApi client over it. The CLI
 * goes through `dispatch` like every other transport, so arguments are validated by the same
 * schemas and failures carry the same error codes.
 *
 * A command that changes the data directory is its writer: it takes the writer lock (failing,
 * with the holder named, while serve mode or the app has it) and holds it until it ends. A
 * command that only reads opens everything read-only and works beside a running writer.
 */
import { createApiClient, type ExplorerApi } from '../contract';
import { createExplorerService } from '../service/create';
import { dispatch } from '../service/dispatch';
import type { ExplorerService } from '../service/explorer-service';

export interface CommandContext {
  service: ExplorerService;
  api: ExplorerApi;
}

export function createCommandContext(options: {
  dataDir: string;
  backend: string | null;
  access: 'writer' | 'reader';
  /** The command line, shown to a process the lock refuses. */
  command: string;
}): CommandContext {
  const service = createExplorerService({
    dataDir: options.dataDir,
    backend: options.backend,
    access: options.access,
    command: options.command,
  });
  const api = createApiClient((method, req) => dispatch(service, method, req));
  return { service, api };
}
