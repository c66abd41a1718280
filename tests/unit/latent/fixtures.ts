/** Small synthetic latent tables for the latent-core tests. */
import { latentTable, type LatentTable } from '../../../app/latent';

/** A deterministic uniform generator for fixtures (independent of app/latent/random.ts). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Box–Muller normals from a uniform source. */
export function gauss(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function tableFrom(rows: number[][], logvars?: number[][], folders?: number[]): LatentTable {
  const n = rows.length;
  const d = rows[0]?.length ?? 1;
  return latentTable({
    n,
    d,
    mu: Float32Array.from(rows.flat()),
    logvar: logvars ? Float32Array.from(logvars.flat()) : new Float32Array(n * d),
    ids: Array.from({ length: n }, (_, i) => 1000 + i),
    ...(folders ? { folders } : {}),
  });
}

/**
 * n rows in `clusters` Gaussian clusters in d dims (centres spread by `spread`, within-cluster
 * std 1), log σ² per row drawn around a per-cluster level; folder = cluster.
 */
export function clustered(
  n: number,
  d: number,
  clusters: number,
  seed = 7,
  spread = 4,
): LatentTable {
  const normal = gauss(lcg(seed));
  const centres = Array.from({ length: clusters }, () =>
    Array.from({ length: d }, () => spread * normal()),
  );
  const levels = Array.from({ length: clusters }, () => -2 + normal() * 0.5);
  const mu = new Float32Array(n * d);
  const logvar = new Float32Array(n * d);
  const folders: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    folders.push(c);
    for (let j = 0; j < d; j++) {
      mu[i * d + j] = (centres[c]?.[j] as number) + normal();
      logvar[i * d + j] = (levels[c] as number) + 0.3 * normal();
    }
  }
  return latentTable({
    n,
    d,
    mu,
    logvar,
    ids: Array.from({ length: n }, (_, i) => i + 1),
    folders,
  });
}
