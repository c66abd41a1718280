// `npm start`: launches the desktop app with the electron package's binary, or explains in a few
// lines what to do when it cannot (instead of a stack trace from `electron .`):
//   node scripts/start-electron.mjs --check   checks Node and finds (or installs) the binary
//   node scripts/start-electron.mjs [args]    the same, then runs `electron . [args]`
// Electron 45's npm package and its installer (@electron/get) require Node >= 22.12; the CLI and
// serve mode run on Node >= 20.19 (package.json `engines`). The installer downloads the binary
// from ELECTRON_MIRROR (default GitHub); ELECTRON_OVERRIDE_DIST_PATH names a local Electron
// build to use instead. The package's own index.js is never required: it would start a download.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const DESKTOP_NODE = { major: 22, minor: 12 };
/** The installer gives up after this long (an unreachable mirror can otherwise stall it). */
const INSTALL_TIMEOUT_MS = 180_000;

const repo = fileURLToPath(new URL('../', import.meta.url));

/** True when `version` (e.g. process.versions.node) is at least the desktop app's minimum. */
export function nodeSupportsDesktop(version) {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return (
    major > DESKTOP_NODE.major || (major === DESKTOP_NODE.major && minor >= DESKTOP_NODE.minor)
  );
}

/** The electron package's directory, or null when it is not installed. */
export function electronPackageDir() {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

function platformExecutable(platform) {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * Where the Electron binary is (or would be), the way the electron package resolves it:
 * ELECTRON_OVERRIDE_DIST_PATH/<executable>, else <package>/dist/<path.txt>.
 */
export function electronBinary({ packageDir, env, platform = process.platform }) {
  const pathFile = packageDir ? path.join(packageDir, 'path.txt') : null;
  const recorded = pathFile && existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const executable = recorded || platformExecutable(platform);
  if (env.ELECTRON_OVERRIDE_DIST_PATH)
    return { path: path.join(env.ELECTRON_OVERRIDE_DIST_PATH, executable), override: true };
  if (!packageDir) return { path: null, override: false };
  return { path: recorded ? path.join(packageDir, 'dist', recorded) : null, override: false };
}

/** Runs the electron package's installer (which honours ELECTRON_MIRROR); returns why it failed. */
function runInstaller(packageDir, env) {
  const result = spawnSync(process.execPath, [path.join(packageDir, 'install.js')], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: INSTALL_TIMEOUT_MS,
  });
  if (result.error) return result.error.message;
  if (result.status === 0) return null;
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim());
  // The installer's first error line says what went wrong (e.g. ECONNREFUSED, 404); no stack.
  return (
    lines.find(
      (l) => /error|ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|\b\d{3}\b/i.test(l) && !l.startsWith('at '),
    ) ?? `exit code ${result.status}`
  );
}

const OFFLINE_HELP = [
  'To run the desktop app without downloading Electron from GitHub:',
  '  - ELECTRON_MIRROR=<a reachable mirror of the Electron releases>/ npm start',
  '      (e.g. https://npmmirror.com/mirrors/electron/), or',
  '  - ELECTRON_OVERRIDE_DIST_PATH=<directory holding an Electron 45 binary> npm start, or',
  '  - use serve mode instead, which needs no Electron: npm run serve',
  '      (the same app in your browser at the printed http://127.0.0.1 address).',
];

/**
 * Decides whether the desktop app can start, and with which binary. Never throws: a problem is
 * `{ ok: false, message }`, a few lines saying what to do.
 */
export function resolveLaunch({
  nodeVersion = process.versions.node,
  env = process.env,
  packageDir = electronPackageDir(),
  platform = process.platform,
  install = runInstaller,
} = {}) {
  if (!nodeSupportsDesktop(nodeVersion)) {
    return {
      ok: false,
      message: [
        `The desktop app needs Node >= ${DESKTOP_NODE.major}.${DESKTOP_NODE.minor} (Electron 45 and its tooling require it); this is Node ${nodeVersion}.`,
        'Switch to Node 22.12 or later (then npm ci), or use serve mode, which runs on Node >= 20.19:',
        '  npm run serve',
      ].join('\n'),
    };
  }
  if (!packageDir && !env.ELECTRON_OVERRIDE_DIST_PATH) {
    return {
      ok: false,
      message: [
        'The electron package is not installed (npm ci installs it with the dev dependencies).',
        ...OFFLINE_HELP,
      ].join('\n'),
    };
  }
  let binary = electronBinary({ packageDir, env, platform });
  if (binary.override) {
    if (binary.path && existsSync(binary.path)) return { ok: true, binary: binary.path };
    return {
      ok: false,
      message: [
        `ELECTRON_OVERRIDE_DIST_PATH is set, but there is no Electron binary at ${binary.path}.`,
        ...OFFLINE_HELP,
      ].join('\n'),
    };
  }
  if (binary.path && existsSync(binary.path)) return { ok: true, binary: binary.path };
  const failure = install(packageDir, env);
  binary = electronBinary({ packageDir, env, platform });
  if (failure === null && binary.path && existsSync(binary.path))
    return { ok: true, binary: binary.path };
  const from = env.ELECTRON_MIRROR ? `from ELECTRON_MIRROR=${env.ELECTRON_MIRROR}` : 'from GitHub';
  return {
    ok: false,
    message: [
      `The Electron binary is missing and could not be downloaded ${from}: ${failure ?? 'the installer did not put it in place'}.`,
      ...OFFLINE_HELP,
    ].join('\n'),
  };
}

/** Checks, then runs `electron . [argv]` in the repository; resolves to the exit code. */
export async function main(argv, options = {}) {
  const check = argv[0] === '--check';
  const launch = resolveLaunch(options);
  if (!launch.ok) {
    console.error(`npm start: ${launch.message}`);
    return 1;
  }
  if (check) return 0;
  const child = spawn(launch.binary, ['.', ...argv], { cwd: repo, stdio: 'inherit' });
  const forward = (signal) => {
    if (child.exitCode === null) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`npm start: cannot run ${launch.binary}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      for (const name of ['SIGINT', 'SIGTERM']) process.off(name, forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
