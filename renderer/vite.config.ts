// Vite config of the renderer. Run from the repo root:
//   npx vite build --config renderer/vite.config.ts   -> build/renderer/
//   npx vite --config renderer/vite.config.ts         (dev server; see LATENT_EXPLORER_API below)
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));
const contractDir = fileURLToPath(new URL('../app/contract', import.meta.url));
const outDir = fileURLToPath(new URL('../build/renderer', import.meta.url));

/**
 * The dev server injects component CSS as <style> elements and talks to its HMR client over a
 * WebSocket, both of which the production CSP in index.html forbids. Relax it for `vite` (serve)
 * only; `vite build` keeps the strict policy byte for byte.
 */
function relaxCspForDevServer(): Plugin {
  return {
    name: 'latent-explorer:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws: wss:");
    },
  };
}

// Optional for development: the base URL of a running `latent-explorer serve`, e.g.
// LATENT_EXPLORER_API=http://127.0.0.1:41234. Open the dev server with the token serve mode
// printed: http://127.0.0.1:5173/?token=<token> (the page keeps it in memory and sends it as an
// Authorization header through the proxy).
const apiTarget = process.env.LATENT_EXPLORER_API;

export default defineConfig({
  root: rendererRoot,
  // Relative asset URLs: the page is served from `/` in serve mode and from app:// in Electron.
  base: './',
  plugins: [svelte(), relaxCspForDevServer()],
  resolve: {
    alias: { $contract: contractDir },
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // Everything as files: the CSP allows no inline scripts or styles, and fonts/images only
    // from 'self' (data: is allowed for images, but nothing needs it).
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
  },
  server: {
    host: '127.0.0.1',
    strictPort: false,
    // The server refuses POSTs whose Origin is not its own: present the proxied calls as its own
    // (changeOrigin rewrites Host, `headers` the Origin). Development only, on loopback.
    proxy: apiTarget
      ? Object.fromEntries(
          ['/api', '/media'].map((prefix) => [
            prefix,
            { target: apiTarget, changeOrigin: true, headers: { origin: apiTarget } },
          ]),
        )
      : undefined,
  },
});
