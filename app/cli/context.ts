/**
 * Builds the in-process service for a CLI command and an ExplorerApi client over it. The CLI
 * goes through `dispatch` like every other transport, so arguments are validated by the same
 * schemas and failures carry the same error codes.
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
}): CommandContext {
  const service = createExplorerService({ dataDir: options.dataDir, backend: options.backend });
  const api = createApiClient((method, req) => dispatch(service, method, req));
  return { service, api };
}
