/**
 * Two real `latent-explorer` processes on one data directory (the built CLI, not fakes): one
 * writer at a time, readers beside it never change state, a dead writer's lock is taken over,
 * a CLI run's final state is on disk when it exits, and the data directory is private.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus, RunInfo } from '../../../app/contract';
import { cli, cliBuilt, serve, stop } from './two-process-helpers';

let tmp: string;

async function images(folder: string, count: number): Promise<string> {
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    await sharp({
      create: {
        width: 16,
        height: 16,
        channels: 3,
        background: { r: i * 7, g: 255 - i * 5, b: 90 },
      },
    })
      .png()
      .toFile(path.join(folder, `img-${i}.png`));
  }
  return folder;
}

beforeAll(async () => {
  // `npm test` builds first; a unit run without a build must say so rather than pass.
  if (!cliBuilt) throw new Error('Build the CLI first: npm run build:node');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'le-two-'));
  await images(path.join(tmp, 'B'), 12);
  await images(path.join(tmp, 'C'), 12);
  await images(path.join(tmp, 'D'), 4);
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const TINY = ['--arch', 'mlp', '--latent', '2', '--widths', '8', '--batch', '4', '--val', '0.25'];

describe('two processes on one data directory', () => {
  it('keeps a folder spec set by the CLI when serve mode adds another folder', async () => {
    const dataDir = path.join(tmp, 'settings');
    const b = path.join(tmp, 'B');
    const ingest = await cli(dataDir, ['ingest', b, '--size', '32', '--channels', '1']);
    expect(ingest.code, ingest.stderr).toBe(0);
    const server = await serve(dataDir);
    try {
      const added = await server.call('addFolder', { folder: path.join(tmp, 'C') });
      expect(added.ok, JSON.stringify(added.error)).toBe(true);
    } finally {
      await stop(server);
    }
    const listed = await cli(dataDir, ['folders', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const { folders } = JSON.parse(listed.stdout) as {
      folders: {
        path: string;
        spec: { size: number; channels: number };
      }[];
    };
    const specOf = (name: string) => folders.find((f) => path.basename(f.path) === name)?.spec;
    expect(specOf('B')).toMatchObject({ size: 32, channels: 1 });
    expect(specOf('C')).toMatchObject({ size: 64, channels: 3 });
  }, 120_000);

  it('refuses a second writer by name while readers leave a live run untouched', async () => {
    const dataDir = path.join(tmp, 'live');
    expect((await cli(dataDir, ['ingest', path.join(tmp, 'B'), '--size', '28'])).code).toBe(0);
    const server = await serve(dataDir);
    try {
      const started = await server.call<RunInfo>('startTraining', {
        model: { architecture: 'mlp', latentDim: 2, widths: [8] },
        epochs: 10_000,
        batchSize: 4,
        validationFraction: 0.25,
      });
      expect(started.ok, JSON.stringify(started.error)).toBe(true);
      const runId = started.value!.id;
      const runJson = path.join(dataDir, 'runs', runId, 'run.json');

      for (const args of [
        ['ingest', path.join(tmp, 'D')],
        ['resume', runId],
        ['train', ...TINY, '--epochs', '1'],
      ]) {
        const refused = await cli(dataDir, args);
        expect(refused.code, args.join(' ')).toBe(1);
        expect(refused.stderr).toContain(`PID ${server.pid}`);
        expect(refused.stderr).toContain('latent-explorer serve');
      }

      const before = readFileSync(runJson);
      // Readers may run while the writer is between writes, so compare the state they report
      // and that they wrote nothing: the file changes only through the writer's own saves.
      const runs = await cli(dataDir, ['runs', '--json']);
      expect(runs.code, runs.stderr).toBe(0);
      const listed = (JSON.parse(runs.stdout) as RunInfo[]).find((r) => r.id === runId);
      expect(listed?.state).toMatch(/^(starting|running)$/);
      expect((await cli(dataDir, ['folders'])).code).toBe(0);
      expect((await cli(dataDir, ['info', '--json'])).code).toBe(0);
      const after = JSON.parse(readFileSync(runJson, 'utf8')) as RunInfo;
      expect(after.state, `run.json was ${before.toString()}`).not.toBe('interrupted');
      const status = await server.call<RunInfo | null>('trainingStatus');
      expect(status.value?.state).toBe('running');
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    // The dead holder's lock is taken over at once; that writer recovers the run it left.
    const next = await cli(dataDir, ['ingest', path.join(tmp, 'D')]);
    expect(next.code, next.stderr).toBe(0);
    const runs = JSON.parse((await cli(dataDir, ['runs', '--json'])).stdout) as RunInfo[];
    expect(runs[0]?.state).toBe('interrupted');
  }, 180_000);

  it('leaves a run trained to the end by the CLI completed, for every later command', async () => {
    const dataDir = path.join(tmp, 'complete');
    expect((await cli(dataDir, ['ingest', path.join(tmp, 'C'), '--size', '28'])).code).toBe(0);
    const trained = await cli(dataDir, ['train', ...TINY, '--epochs', '1', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const [runId] = readdirSync(path.join(dataDir, 'runs'));
    const stored = () =>
      (JSON.parse(readFileSync(path.join(dataDir, 'runs', runId!, 'run.json'), 'utf8')) as RunInfo)
        .state;
    expect(stored()).toBe('completed');
    const runs = await cli(dataDir, ['runs', '--json']);
    expect((JSON.parse(runs.stdout) as RunInfo[])[0]?.state).toBe('completed');
    expect((await cli(dataDir, ['ingest', path.join(tmp, 'D')])).code).toBe(0); // A writer.
    expect(stored()).toBe('completed');
  }, 180_000);

  it('reports the automatically chosen backend to a reader, creating nothing', async () => {
    const dataDir = path.join(tmp, 'never-created');
    const info = await cli(dataDir, ['info', '--json'], { defaultBackend: true });
    expect(info.code, info.stderr).toBe(0);
    const status = JSON.parse(info.stdout) as AppStatus;
    expect(status.engine.requested).toBeNull();
    expect(status.engine.attempts.filter((a) => a.ok).map((a) => a.name)).toContain(
      status.engine.backend,
    );
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it.skipIf(process.platform === 'win32')(
    'keeps the data directory private under umask 022',
    async () => {
      const dataDir = path.join(tmp, 'private');
      const result = await cli(dataDir, ['ingest', path.join(tmp, 'D'), '--size', '28'], {
        umask: '022',
      });
      expect(result.code, result.stderr).toBe(0);
      const loose: string[] = [];
      const visit = (p: string) => {
        const st = statSync(p);
        const mode = st.mode & 0o777;
        if (st.isDirectory()) {
          if (mode !== 0o700) loose.push(`${p} ${mode.toString(8)}`);
          for (const name of readdirSync(p)) visit(path.join(p, name));
        } else if (mode !== 0o600) loose.push(`${p} ${mode.toString(8)}`);
      };
      visit(dataDir);
      expect(loose).toEqual([]);
    },
    60_000,
  );
});
