/** The app's version, read from the package.json nearest above this module (source or bundle). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function appVersion(): string {
  if (cached !== null) return cached;
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  if (typeof pkg.version !== 'string')
    throw new Error('latent-explorer package.json has no version.');
  cached = pkg.version;
  return cached;
}

let root: string | null = null;

/** The folder holding latent-explorer's package.json (the repository or the installed app). */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'latent-explorer') {
        root = dir;
        return root;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the latent-explorer package.json.');
    dir = parent;
  }
}
