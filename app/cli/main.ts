/** Entry point of the `latent-explorer` command (bundled to build/cli/cli.js). */
import { runCli } from './run';

const interrupted = new Promise<void>((resolve) => {
  let count = 0;
  const onSignal = (): void => {
    count += 1;
    if (count > 1) process.exit(130); // A second Ctrl+C does not wait for cleanup.
    resolve();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  interrupted,
});
process.exitCode = code;
// Serve mode returns after its server closed; other commands end here. Exit explicitly so
// pending tfjs/wasm handles cannot keep the process alive.
process.exit(code);
