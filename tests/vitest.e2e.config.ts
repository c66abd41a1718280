import { defineConfig } from 'vitest/config';

// End-to-end tests: headless Chromium (playwright-core, system browser) against a real
// `latent-explorer serve`. Needs `npm run build` first (build/cli and build/renderer).
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    // Each file starts its own server and browser; one at a time keeps a small machine usable.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/e2e.json' },
  },
});
