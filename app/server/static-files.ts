/** Serves the built renderer, refusing any path that would leave its folder. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Resolves a URL path inside `root`, or returns null when it is malformed or escapes `root`. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  // Refuse any `..` segment outright, before normalising could fold it away at the root.
  if (decoded.split('/').includes('..')) return null;
  const normalized = path.posix.normalize(`/${decoded}`);
  const resolvedRoot = path.resolve(root);
  const target = path.resolve(resolvedRoot, `.${normalized}`);
  if (target !== resolvedRoot && !target.startsWith(resolvedRoot + path.sep)) return null;
  return target;
}

export type StaticOutcome = 'served' | 'not-found' | 'refused';

export async function serveStatic(
  root: string,
  urlPath: string,
  res: ServerResponse,
  headers: Record<string, string>,
  method: string,
): Promise<StaticOutcome> {
  let target = resolveStaticPath(root, urlPath);
  if (target === null) return 'refused';
  let info = await stat(target).catch(() => null);
  if (info?.isDirectory()) {
    target = path.join(target, 'index.html');
    info = await stat(target).catch(() => null);
  }
  // Client-side routes (no file extension) fall back to the app's page.
  if (!info && path.extname(target) === '') {
    target = path.join(root, 'index.html');
    info = await stat(target).catch(() => null);
  }
  if (!info || !info.isFile()) return 'not-found';
  const ext = path.extname(target);
  const isHtml = ext === '.html';
  res.writeHead(200, {
    ...headers,
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'content-length': String(info.size),
    // Vite names assets by content hash; the page itself must always be fresh.
    'cache-control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
  });
  if (method === 'HEAD') {
    res.end();
    return 'served';
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(target);
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
  return 'served';
}
