import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireWriterLock,
  DataDirLockedError,
  lockHolder,
  readLockOwner,
  STALE_MS,
} from '../../../app/service/data-dir-lock';
import { makeTestEnv, type TestEnv } from './fakes';

let env: TestEnv;
beforeEach(async () => {
  env = await makeTestEnv();
});
afterEach(async () => {
  await env.cleanup();
});

/** A PID that certainly belongs to no process: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the writer lock of a data directory', () => {
  it('is held by one writer, names it to the next, and is free again after release', () => {
    const lock = acquireWriterLock(env.dataDir, { command: 'latent-explorer serve' });
    expect(readLockOwner(env.dataDir)).toMatchObject({
      pid: process.pid,
      command: 'latent-explorer serve',
      hostname: os.hostname(),
    });
    expect(lockHolder(env.dataDir)?.owner?.pid).toBe(process.pid);
    let refused: unknown;
    try {
      acquireWriterLock(env.dataDir, { command: 'latent-explorer ingest x' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect(refused).toMatchObject({
      code: 'BUSY',
      message: expect.stringMatching(
        new RegExp(
          `^The data directory ${env.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by latent-explorer serve \\(PID ${process.pid}, since \\d\\d:\\d\\d\\)\\. Stop it`,
        ),
      ),
    });
    lock.release();
    lock.release(); // idempotent
    expect(lockHolder(env.dataDir)).toBeNull();
    expect(existsSync(path.join(env.dataDir, 'writer.lock.json'))).toBe(false);
    acquireWriterLock(env.dataDir, { command: 'again' }).release();
  });

  it('takes over the lock of a dead process at once', () => {
    mkdirSync(path.join(env.dataDir, 'writer.lock'));
    const pid = deadPid();
    writeFileSync(
      path.join(env.dataDir, 'writer.lock.json'),
      JSON.stringify({ pid, command: 'latent-explorer serve', hostname: os.hostname(), since: '' }),
    );
    expect(lockHolder(env.dataDir)).toBeNull(); // a reader sees no live writer
    const lock = acquireWriterLock(env.dataDir, { command: 'latent-explorer train' });
    expect(readLockOwner(env.dataDir)?.pid).toBe(process.pid);
    lock.release();
  });

  it('takes over an unrefreshed lock whose owner it cannot check, and never a fresh one', () => {
    const lockDir = path.join(env.dataDir, 'writer.lock');
    mkdirSync(lockDir);
    // No owner file (a holder still starting, or one on another host): a fresh lock is respected…
    expect(() => acquireWriterLock(env.dataDir, { command: 'x' })).toThrow(
      /in use by another Latent Explorer process/,
    );
    writeFileSync(
      path.join(env.dataDir, 'writer.lock.json'),
      JSON.stringify({ pid: 1, command: 'remote', hostname: 'elsewhere', since: '' }),
    );
    expect(() => acquireWriterLock(env.dataDir, { command: 'x' })).toThrow(
      /remote \(PID 1 on elsewhere/,
    );
    // …one whose mtime has not been refreshed for STALE_MS is not.
    const old = new Date(Date.now() - STALE_MS - 5_000);
    utimesSync(lockDir, old, old);
    expect(lockHolder(env.dataDir)).toBeNull();
    const lock = acquireWriterLock(env.dataDir, { command: 'x' });
    expect(
      JSON.parse(readFileSync(path.join(env.dataDir, 'writer.lock.json'), 'utf8')),
    ).toMatchObject({ pid: process.pid, command: 'x' });
    lock.release();
  });
});
