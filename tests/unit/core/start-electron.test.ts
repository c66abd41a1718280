/**
 * scripts/start-electron.mjs (`npm start`): when the desktop app cannot start it says what to do
 * (a reachable ELECTRON_MIRROR, ELECTRON_OVERRIDE_DIST_PATH, or serve mode) and exits nonzero,
 * instead of the electron package's stack trace; when it can, it runs the binary on the app.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const script = path.join(repo, 'scripts/start-electron.mjs');
/** Nothing listens on port 9 (discard): a download from here fails at once, without a network. */
const UNREACHABLE_MIRROR = 'http://127.0.0.1:9/';

type Launch = { ok: true; binary: string } | { ok: false; message: string };
interface LaunchOptions {
  nodeVersion?: string;
  env?: NodeJS.ProcessEnv;
  packageDir?: string | null;
  platform?: NodeJS.Platform;
  install?: (packageDir: string, env: NodeJS.ProcessEnv) => string | null;
}
interface Launcher {
  resolveLaunch(options?: LaunchOptions): Launch;
  nodeSupportsDesktop(version: string): boolean;
  main(argv: string[], options?: LaunchOptions): Promise<number>;
}

let launcher: Launcher;
let tmp: string;
beforeAll(async () => {
  launcher = (await import(pathToFileURL(script).href)) as Launcher;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'le-start-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An electron package directory without its binary, as after an install that could not download. */
function fakePackage(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"electron","version":"45.4.1"}');
  return dir;
}

const expectOfflineHelp = (message: string) => {
  expect(message).toContain('ELECTRON_MIRROR=');
  expect(message).toContain('ELECTRON_OVERRIDE_DIST_PATH=');
  expect(message).toContain('npm run serve');
};

describe('npm start (scripts/start-electron.mjs)', () => {
  it('knows the desktop app needs Node 22.12 or later', () => {
    expect(launcher.nodeSupportsDesktop('20.19.0')).toBe(false);
    expect(launcher.nodeSupportsDesktop('22.11.9')).toBe(false);
    expect(launcher.nodeSupportsDesktop('22.12.0')).toBe(true);
    expect(launcher.nodeSupportsDesktop('24.1.0')).toBe(true);
    const launch = launcher.resolveLaunch({ nodeVersion: '20.19.0', packageDir: fakePackage('n') });
    expect(launch.ok).toBe(false);
    expect(!launch.ok && launch.message).toMatch(/needs Node >= 22\.12.*this is Node 20\.19\.0/);
    expect(!launch.ok && launch.message).toContain('npm run serve');
  });

  it('explains what to do offline when the binary is missing and the download fails', () => {
    const install = vi.fn(() => 'TypeError: fetch failed');
    const launch = launcher.resolveLaunch({
      nodeVersion: '22.12.0',
      env: { ELECTRON_MIRROR: UNREACHABLE_MIRROR },
      packageDir: fakePackage('missing'),
      install,
    });
    expect(install).toHaveBeenCalledTimes(1);
    expect(launch.ok).toBe(false);
    if (launch.ok) return;
    expect(launch.message).toContain(
      `could not be downloaded from ELECTRON_MIRROR=${UNREACHABLE_MIRROR}: TypeError: fetch failed`,
    );
    expectOfflineHelp(launch.message);
  });

  it('says so when ELECTRON_OVERRIDE_DIST_PATH holds no binary, and uses it when it does', () => {
    const dist = path.join(tmp, 'local-electron');
    mkdirSync(dist, { recursive: true });
    const install = vi.fn(() => null);
    const options = {
      nodeVersion: '22.12.0',
      env: { ELECTRON_OVERRIDE_DIST_PATH: dist },
      packageDir: fakePackage('override'),
      platform: 'linux' as const,
      install,
    };
    const missing = launcher.resolveLaunch(options);
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.message).toContain(`no Electron binary at ${dist}/electron`);
    writeFileSync(path.join(dist, 'electron'), '');
    expect(launcher.resolveLaunch(options)).toEqual({ ok: true, binary: `${dist}/electron` });
    expect(install).not.toHaveBeenCalled();
  });

  it('runs the installed binary on the app with the arguments given', () => {
    const dir = fakePackage('installed');
    writeFileSync(path.join(dir, 'path.txt'), 'electron');
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'dist', 'electron'), '');
    expect(launcher.resolveLaunch({ nodeVersion: '22.12.0', env: {}, packageDir: dir })).toEqual({
      ok: true,
      binary: path.join(dir, 'dist', 'electron'),
    });
  });

  it('as a process: a few lines of help and exit code 1, no stack trace and no hang', () => {
    // Here (Node 20, or no downloadable binary) the desktop app cannot start either way.
    const dist = path.join(tmp, 'empty-dist');
    mkdirSync(dist, { recursive: true });
    for (const env of [
      { ELECTRON_MIRROR: UNREACHABLE_MIRROR },
      { ELECTRON_OVERRIDE_DIST_PATH: dist },
    ]) {
      const child = spawnSync(process.execPath, [script, '--check'], {
        cwd: repo,
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '', ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.status, child.stderr).toBe(1);
      expect(child.stderr).toMatch(/^npm start: /);
      expect(child.stderr).toContain('npm run serve');
      expect(child.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('runs `electron . <args>` and passes its exit code through', async () => {
    const dist = path.join(tmp, 'fake-electron');
    mkdirSync(dist, { recursive: true });
    const fake = path.join(dist, 'electron');
    writeFileSync(fake, '#!/bin/sh\n[ "$1" = "." ] && [ "$2" = "--flag" ] && exit 3\nexit 9\n');
    chmodSync(fake, 0o755);
    const env = { ELECTRON_OVERRIDE_DIST_PATH: dist };
    expect(
      await launcher.main(['--flag'], { nodeVersion: '22.12.0', env, platform: 'linux' }),
    ).toBe(3);
    expect(
      await launcher.main(['--check'], { nodeVersion: '22.12.0', env, platform: 'linux' }),
    ).toBe(0);
  });
});
