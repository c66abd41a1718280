/** Active latent units: which dimensions of a trained VAE carry information about the data. */

export interface ActiveUnits {
  /** Dimensions whose posterior-mean variance exceeds the threshold. */
  indices: number[];
  /** Variance across the data of each dimension's posterior mean, [L]. */
  variances: Float32Array;
}

/**
 * Active units (Burda et al. 2016): dimension d is active if Var_x(E_q[z_d | x]) > threshold.
 * @param mu posterior means, row-major [N, latentDim] (a plain array; not modified).
 */
export function activeUnits(mu: Float32Array, latentDim: number, threshold = 0.01): ActiveUnits {
  if (!Number.isInteger(latentDim) || latentDim < 1 || mu.length % latentDim !== 0) {
    throw new Error(`μ has ${mu.length} values, not a whole number of ${latentDim}-dim codes.`);
  }
  const n = mu.length / latentDim;
  const mean = new Float64Array(latentDim);
  const m2 = new Float64Array(latentDim);
  // Welford's update: stable for large N and codes far from zero.
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < latentDim; d++) {
      const v = mu[i * latentDim + d] as number;
      const delta = v - (mean[d] as number);
      mean[d] = (mean[d] as number) + delta / (i + 1);
      m2[d] = (m2[d] as number) + delta * (v - (mean[d] as number));
    }
  }
  const variances = new Float32Array(latentDim);
  const indices: number[] = [];
  for (let d = 0; d < latentDim; d++) {
    variances[d] = n > 0 ? (m2[d] as number) / n : 0;
    if ((variances[d] as number) > threshold) indices.push(d);
  }
  return { indices, variances };
}
