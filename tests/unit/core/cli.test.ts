import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from './cli-io';
import { runCli } from '../../../app/cli/run';

let tmp: string;
let dataDir: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'le-cli-'));
  dataDir = path.join(tmp, 'data');
  await mkdir(path.join(tmp, 'pics', 'sub'), { recursive: true });
  await sharp({ create: { width: 20, height: 20, channels: 3, background: '#336699' } })
    .png()
    .toFile(path.join(tmp, 'pics', 'a.png'));
  await sharp({ create: { width: 30, height: 20, channels: 3, background: '#993366' } })
    .jpeg()
    .toFile(path.join(tmp, 'pics', 'sub', 'b.jpeg'));
  await writeFile(path.join(tmp, 'pics', 'broken.png'), 'not a png');
  await writeFile(path.join(tmp, 'pics', 'readme.md'), 'hi');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const io = (interrupt?: Promise<void>) => captureIo(dataDir, interrupt);

describe('latent-explorer CLI', () => {
  it('prints its version and help', async () => {
    const v = io();
    expect(await runCli(['--version'], v.io)).toBe(0);
    expect(v.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
    const h = io();
    expect(await runCli(['--help'], h.io)).toBe(0);
    expect(h.out()).toContain('Usage: latent-explorer <command>');
    expect(h.out()).toContain('serve [folder]');
    const none = io();
    expect(await runCli([], none.io)).toBe(2);
  });

  it('rejects unknown commands, unknown options and bad values with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['info', '--frob'], /Unknown option '--frob'/],
      [['ingest'], /Usage: latent-explorer ingest <folder>/],
      [['ingest', 'a', 'b'], /Usage: latent-explorer ingest <folder>/],
      [['ingest', 'a', '--channels', '2'], /--channels must be 1 or 3/],
      [['ingest', 'a', '--size', 'big'], /--size must be a whole number/],
      [['ingest', 'a', '--fit', 'stretch'], /--fit must be cover or contain/],
      [['ingest', 'a', '--background', 'red'], /--background must be a colour/],
      [['remove'], /Usage: latent-explorer remove <folder-id>/],
      [['remove', 'x'], /Expected a folder id/],
      [['skipped', '0'], /Expected a folder id/],
      [['demo', 'imagenet'], /Unknown demo "imagenet"/],
      [['info', '--size', '3'], /--size is not an option of "info"/],
      [['serve', '--port', '99999'], /--port must be a whole number/],
      [['serve', '--port', 'abc'], /--port must be a whole number/],
      [['info', '--backend', 'tpu'], /--backend must be auto, tensorflow, wasm or cpu/],
      [['info', '--port', '1'], /--port is not an option of "info"/],
    ];
    for (const [argv, message] of cases) {
      const c = io();
      expect(await runCli(argv, c.io), argv.join(' ')).toBe(2);
      expect(c.err()).toMatch(message);
    }
  });

  it('reports versions, data directory and backend with info', async () => {
    const c = io();
    expect(await runCli(['info'], c.io)).toBe(0);
    expect(c.out()).toContain(`data directory  ${dataDir}`);
    expect(c.out()).toMatch(/backend\s+cpu \(@tensorflow\/tfjs-backend-cpu, cpu\)/);
    const j = io();
    expect(await runCli(['info', '--json', '--backend', 'cpu'], j.io)).toBe(0);
    expect(JSON.parse(j.out())).toMatchObject({
      dataDir,
      engine: { backend: 'cpu', requested: 'cpu' },
    });
  });

  it('ingests a folder, lists it, rescans, shows what was skipped and removes it', async () => {
    const c = io();
    expect(
      await runCli(['ingest', path.join(tmp, 'pics'), '--size', '32', '--channels', '1'], c.io),
      c.err(),
    ).toBe(0);
    expect(c.out()).toContain('2 images');
    expect(c.out()).toContain('input 32 px grey, centre crop; 1 failed');
    expect(c.out()).toContain('see why with: latent-explorer skipped 1');
    const small = io();
    expect(await runCli(['ingest', path.join(tmp, 'pics'), '--size', '8'], small.io)).toBe(2);
    expect(small.err()).toMatch(/spec\.size: size must be at least 16/);
    const list = io();
    expect(await runCli(['folders', '--json'], list.io)).toBe(0);
    expect(JSON.parse(list.out())).toMatchObject({
      folders: [{ id: 1, imageCount: 2, failedCount: 1 }],
    });
    const skipped = io();
    expect(await runCli(['skipped', '1'], skipped.io)).toBe(0);
    expect(skipped.out()).toBe(
      'broken.png\tnot-an-image\tnot an image: the content is not a recognised image format\n',
    );
    const again = io();
    expect(await runCli(['rescan'], again.io)).toBe(0);
    expect(again.out()).toContain('0 read, 3 unchanged');
    const removed = io();
    expect(await runCli(['remove', '1'], removed.io)).toBe(0);
    expect(removed.out()).toContain('its files were not touched');
    const gone = io();
    expect(await runCli(['skipped', '1'], gone.io)).toBe(1);
    expect(gone.err()).toContain('No folder with id 1');
    const missing = io();
    expect(await runCli(['ingest', path.join(tmp, 'nope')], missing.io)).toBe(1);
    expect(missing.err()).toContain(path.join(tmp, 'nope'));
  });

  it('serves until interrupted and explains a busy port', async () => {
    let stop!: () => void;
    const c = io(new Promise<void>((resolve) => (stop = resolve)));
    const running = runCli(['serve', '--port', '0', path.join(tmp, 'pics')], c.io);
    for (let i = 0; i < 100 && !c.out().includes('2 images'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(c.out()).toContain('2 images');
    const url = /serving at (\S+)/.exec(c.out())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const base = url!.split('/?')[0];
    const token = url!.split('token=')[1];
    const reply = await fetch(`${base}/api/openLibrary`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await reply.json()) as {
      ok: boolean;
      value: { folders: { imageCount: number }[] };
    };
    expect(body.ok).toBe(true);
    expect(body.value.folders[0]?.imageCount).toBe(2);
    stop();
    expect(await running).toBe(0);
    expect(c.out()).toContain('Stopping');

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const busy = io();
    expect(await runCli(['serve', '--port', String(port)], busy.io)).toBe(2);
    expect(busy.err()).toContain(`Port ${port} is already in use`);
    blocker.close();
  });
});
