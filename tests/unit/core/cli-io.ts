/** A CliIo that records what a command prints (for the CLI tests). */
import type { CliIo } from '../../../app/cli/io';

export function captureIo(dataDir: string, interrupt?: Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env: { LATENT_EXPLORER_DATA_DIR: dataDir, LATENT_EXPLORER_BACKEND: 'cpu' },
    interrupted: interrupt ?? new Promise<void>(() => undefined),
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}
