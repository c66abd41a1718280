#!/usr/bin/env node
// The `latent-explorer` command: runs the bundled CLI (build/cli/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../build/cli/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error(
    `latent-explorer: the CLI is not built (${fileURLToPath(entry)} is missing): run \`npm run build\` first.`,
  );
  process.exit(1);
}
await import(entry.href);
