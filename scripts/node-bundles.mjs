// The esbuild options of the Node-side bundles, shared by build-node.mjs (which writes them) and
// the bundle tests (which build them in memory and read the metafile). npm packages stay
// external (tfjs, sharp and better-sqlite3 load native code or .wasm files relative to
// themselves).
//   app/cli/main.ts      -> build/cli/cli.js        (the `latent-explorer` CLI and serve mode)
//   main/main.ts         -> build/main/main.js      (Electron main process, ESM)
//   main/preload.ts      -> build/main/preload.cjs  (sandboxed preload: must be one CommonJS file)
//   app/engine/worker/worker-main.ts -> build/worker/engine-worker.js (training / model worker)
// Only the worker may reach TensorFlow.js: tests/unit/main/main-bundle.test.ts checks the others.

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

/** Output directories the build empties first. */
export const OUTPUT_DIRS = ['build/cli', 'build/main', 'build/worker'];

/** name -> esbuild options; `entry` is the source file (only built when it exists). */
export const NODE_BUNDLES = {
  cli: {
    entry: 'app/cli/main.ts',
    options: {
      ...common,
      entryPoints: { cli: 'app/cli/main.ts' },
      outdir: 'build/cli',
      format: 'esm',
      packages: 'external',
    },
  },
  worker: {
    entry: 'app/engine/worker/worker-main.ts',
    options: {
      ...common,
      entryPoints: { 'engine-worker': 'app/engine/worker/worker-main.ts' },
      outdir: 'build/worker',
      format: 'esm',
      packages: 'external',
    },
  },
  main: {
    entry: 'main/main.ts',
    options: {
      ...common,
      entryPoints: { main: 'main/main.ts' },
      outdir: 'build/main',
      format: 'esm',
      packages: 'external',
      external: ['electron'],
    },
  },
  preload: {
    entry: 'main/preload.ts',
    options: {
      ...common,
      entryPoints: { preload: 'main/preload.ts' },
      outfile: 'build/main/preload.cjs',
      format: 'cjs',
      // Sandboxed preloads can require only 'electron' and a few polyfilled modules: bundle
      // everything else (the contract's method list) into the one file.
      external: ['electron'],
    },
  },
};
