// Bundles the Node-side entry points with esbuild; what each bundle is lives in node-bundles.mjs.
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { NODE_BUNDLES, OUTPUT_DIRS } from './node-bundles.mjs';

for (const dir of OUTPUT_DIRS) rmSync(dir, { recursive: true, force: true });

await Promise.all(
  Object.values(NODE_BUNDLES)
    .filter((bundle) => existsSync(bundle.entry))
    .map((bundle) => build(bundle.options)),
);
