#!/usr/bin/env node
// The `latent-explorer` command: runs the bundled CLI (build/cli/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Ingest decodes several images at once in libvips threads and reads files through libuv's
// pool too; the default of 4 threads would serialise them. Must be set before the pool starts.
process.env.UV_THREADPOOL_SIZE ??= '8';

const entry = new URL('../build/cli/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error(
    `latent-explorer: the CLI is not built (${fileURLToPath(entry)} is missing): run \`npm run build\` first.`,
  );
  process.exit(1);
}
await import(entry.href);
