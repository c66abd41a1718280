/**
 * The Content-Security-Policy of the renderer's page, sent as a header by both transports that
 * serve it (serve mode over HTTP, Electron's app:// protocol). Everything the page loads comes
 * from its own origin, images included (`media/thumb/<id>`, `media/original/<id>`); images may
 * also be `data:`/`blob:` URLs (decoded samples drawn in JS). renderer/index.html repeats it in a
 * meta tag (without frame-ancestors, which meta tags cannot carry); a unit test keeps them equal.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
