import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../app/cli/run';
import type { CliIo } from '../../../app/cli/io';

let tmp: string;
let dataDir: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'le-cli-'));
  dataDir = path.join(tmp, 'data');
  await mkdir(path.join(tmp, 'pics', 'sub'), { recursive: true });
  await writeFile(path.join(tmp, 'pics', 'a.png'), 'x');
  await writeFile(path.join(tmp, 'pics', 'sub', 'b.jpeg'), 'xy');
  await writeFile(path.join(tmp, 'pics', 'readme.md'), 'hi');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function io(interrupt?: Promise<void>) {
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
      [['scan'], /Usage: latent-explorer scan <folder>/],
      [['scan', 'a', 'b'], /Usage: latent-explorer scan <folder>/],
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
    expect(JSON.parse(j.out())).toMatchObject({ dataDir, engine: { backend: 'cpu', requested: 'cpu' } });
  });

  it('scans a folder, and names the folder when it is missing', async () => {
    const c = io();
    expect(await runCli(['scan', path.join(tmp, 'pics')], c.io)).toBe(0);
    expect(c.out()).toContain('2 images (3 B): png 1, jpeg 1');
    expect(c.out()).toContain('1 other file ignored');
    const j = io();
    expect(await runCli(['scan', '--json', path.join(tmp, 'pics')], j.io)).toBe(0);
    expect(JSON.parse(j.out())).toMatchObject({ imageCount: 2, byFormat: { png: 1, jpeg: 1 } });
    const missing = io();
    expect(await runCli(['scan', path.join(tmp, 'nope')], missing.io)).toBe(1);
    expect(missing.err()).toBe(`latent-explorer: Folder not found: ${path.join(tmp, 'nope')}\n`);
  });

  it('serves until interrupted and explains a busy port', async () => {
    let stop!: () => void;
    const c = io(new Promise<void>((resolve) => (stop = resolve)));
    const running = runCli(['serve', '--port', '0', path.join(tmp, 'pics')], c.io);
    for (let i = 0; i < 100 && !c.out().includes('2 images'); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /serving at (\S+)/.exec(c.out())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const base = url!.split('/?')[0];
    const token = url!.split('token=')[1];
    const reply = await fetch(`${base}/api/getStatus`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const body = (await reply.json()) as { ok: boolean; value: { library: { imageCount: number } } };
    expect(body.ok).toBe(true);
    expect(body.value.library.imageCount).toBe(2);
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
