/** How much serve mode accepts from one client: sizes, nesting, time and connections. */

export interface ServerLimits {
  /** Largest request body; the biggest legitimate call (256 latents of 256 numbers) is ~1.4 MB. */
  maxBodyBytes: number;
  /** Deepest `[`/`{` nesting of a JSON body; the contract's deepest request nests 3. */
  maxJsonDepth: number;
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /**
   * Time to receive a whole request (headers and body). It does not cover the reply, so the
   * long-lived event stream is not cut by it.
   */
  requestTimeoutMs: number;
  /** Open sockets at once; more are dropped as they connect. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxJsonDepth: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 64,
};
