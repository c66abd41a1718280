// Bundles the Node-side entry points with esbuild. npm packages stay external (tfjs, sharp and
// better-sqlite3 load native code or .wasm files relative to themselves).
//   app/cli/main.ts      -> build/cli/cli.js        (the `latent-explorer` CLI and serve mode)
//   main/main.ts         -> build/main/main.js      (Electron main process, ESM)
//   main/preload.ts      -> build/main/preload.cjs  (sandboxed preload: must be one CommonJS file)
//   app/engine/worker/worker-main.ts -> build/worker/engine-worker.js (training / model worker)
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

rmSync('build/cli', { recursive: true, force: true });
rmSync('build/main', { recursive: true, force: true });
rmSync('build/worker', { recursive: true, force: true });

const jobs = [
  build({
    ...common,
    entryPoints: { cli: 'app/cli/main.ts' },
    outdir: 'build/cli',
    format: 'esm',
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: { 'engine-worker': 'app/engine/worker/worker-main.ts' },
    outdir: 'build/worker',
    format: 'esm',
    packages: 'external',
  }),
];
if (existsSync('main/main.ts')) {
  jobs.push(
    build({
      ...common,
      entryPoints: { main: 'main/main.ts' },
      outdir: 'build/main',
      format: 'esm',
      packages: 'external',
      external: ['electron'],
    }),
  );
}
if (existsSync('main/preload.ts')) {
  jobs.push(
    build({
      ...common,
      entryPoints: { preload: 'main/preload.ts' },
      outfile: 'build/main/preload.cjs',
      format: 'cjs',
      // Sandboxed preloads can require only 'electron' and a few polyfilled modules: bundle
      // everything else (the contract's method list) into the one file.
      external: ['electron'],
    }),
  );
}
await Promise.all(jobs);
