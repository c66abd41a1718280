import { describe, expect, it, vi } from 'vitest';
import {
  utilityProcessSpawner,
  workerServiceName,
  type UtilitySpawnerOptions,
} from '../../../main/workers';
import { FakeUtilityProcess } from './fakes';

const WORKER = '/opt/Latent Explorer/resources/app.asar/build/worker/engine-worker.js';

function setup(overrides: Partial<UtilitySpawnerOptions> = {}) {
  const utilityProcess = new FakeUtilityProcess();
  const log: string[] = [];
  const spawn = utilityProcessSpawner({
    utilityProcess,
    workerPath: WORKER,
    env: { HOME: '/home/me', LATENT_EXPLORER_BACKEND: 'cpu', UNSET: undefined },
    log: (message) => log.push(message),
    ...overrides,
  });
  const start = (mode: 'train' | 'model' = 'train') => {
    const port = spawn(mode);
    const child = utilityProcess.children.at(-1)!;
    return { port, child };
  };
  return { utilityProcess, log, spawn, start };
}

describe('utilityProcessSpawner', () => {
  it('forks the worker entry with the mode as its argument, a name, piped output and the env', () => {
    const { start, utilityProcess } = setup();
    const { child } = start('train');
    start('model');
    expect(utilityProcess.children.map((c) => [c.modulePath, c.args])).toEqual([
      [WORKER, ['train']],
      [WORKER, ['model']],
    ]);
    expect(child.options).toEqual({
      serviceName: 'Latent Explorer engine (train)',
      stdio: 'pipe',
      // Inherited (without unset entries), plus libuv's thread pool for sharp and fs.
      env: { HOME: '/home/me', LATENT_EXPLORER_BACKEND: 'cpu', UV_THREADPOOL_SIZE: '6' },
    });
    expect(workerServiceName('model')).toBe('Latent Explorer engine (model)');
  });

  it('keeps a UV_THREADPOOL_SIZE the user set', () => {
    const { start } = setup({ env: { UV_THREADPOOL_SIZE: '12' } });
    expect(start().child.options.env).toEqual({ UV_THREADPOOL_SIZE: '12' });
  });

  it('relays messages both ways as they are (no { data } wrapping in the main process)', () => {
    const { start } = setup();
    const { port, child } = start('model');
    const received: unknown[] = [];
    port.onMessage((message) => received.push(message));
    const pixels = new Float32Array([0.25, 0.5]);
    port.postMessage({ type: 'call', id: 1, method: 'decode', args: { latents: [[0, 1]] } });
    child.send({ type: 'ready', engine: { backend: 'wasm' } });
    child.send({ type: 'reply', id: 1, ok: true, value: pixels });
    expect(child.posted).toEqual([
      { type: 'call', id: 1, method: 'decode', args: { latents: [[0, 1]] } },
    ]);
    expect(received).toEqual([
      { type: 'ready', engine: { backend: 'wasm' } },
      { type: 'reply', id: 1, ok: true, value: pixels },
    ]);
    expect((received[1] as { value: unknown }).value).toBe(pixels);
  });

  it('reports the exit once to every listener, and to a listener added afterwards', async () => {
    const { start, log } = setup();
    const { port, child } = start();
    const first = vi.fn();
    const second = vi.fn();
    port.onExit(first);
    port.onExit(second);
    child.exit(3);
    child.emit('exit', 3); // a duplicate must not be reported twice
    expect(first.mock.calls).toEqual([[3]]);
    expect(second.mock.calls).toEqual([[3]]);
    expect(log).toEqual(['engine (train): exited with code 3']);

    const late = vi.fn();
    port.onExit(late);
    await Promise.resolve();
    expect(late.mock.calls).toEqual([[3]]);
  });

  it('ignores postMessage and kill once the process has exited', () => {
    const { start } = setup();
    const { port, child } = start();
    port.postMessage({ type: 'pause' });
    child.exit(0);
    // The fake child throws on a post after exit; the port must not get that far.
    expect(() => port.postMessage({ type: 'stop' })).not.toThrow();
    port.kill();
    expect(child.posted).toEqual([{ type: 'pause' }]);
    expect(child.kills).toBe(0);
  });

  it('kills a running process once and does not log the exit it caused', () => {
    const { start, log } = setup();
    const { port, child } = start('model');
    const onExit = vi.fn();
    port.onExit(onExit);
    port.kill();
    port.kill();
    expect(child.kills).toBe(1);
    child.exit(15);
    expect(onExit).toHaveBeenCalledWith(15);
    expect(log).toEqual([]);
  });

  it("sends the worker's stdout and stderr to the log line by line, with its name", async () => {
    const { start, log } = setup();
    const { child } = start('model');
    child.stdout!.write('backend: wa');
    child.stdout!.write('sm\r\nsecond line\n\n');
    child.stderr!.write(Buffer.from('Error: cannot open the library\n'));
    child.stderr!.end('no newline at the end');
    await vi.waitFor(() => expect(log).toHaveLength(4));
    expect(log).toEqual([
      'engine (model): backend: wasm',
      'engine (model): second line',
      'engine (model): Error: cannot open the library',
      'engine (model): no newline at the end',
    ]);
  });

  it('logs a partial last line when the process exits (Electron then drops its streams)', async () => {
    const { start, log } = setup();
    const { child } = start();
    child.stderr!.write('Error [ERR_MODULE_NOT_FOUND]: Cannot find package');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual([]);
    child.exit(1);
    expect(log).toEqual([
      'engine (train): Error [ERR_MODULE_NOT_FOUND]: Cannot find package',
      'engine (train): exited with code 1',
    ]);
  });

  it('logs a fatal V8 error of the worker', () => {
    const { start, log } = setup();
    const { child } = start();
    child.emit('error', 'FatalError', 'v8::ToLocalChecked', '{}');
    expect(log).toEqual(['engine (train): FatalError at v8::ToLocalChecked']);
  });

  it('lets a fork failure reach the caller (the core reports it on the request)', () => {
    const utilityProcess = new FakeUtilityProcess();
    utilityProcess.ready = false;
    const { spawn } = setup({ utilityProcess });
    expect(() => spawn('train')).toThrow(/before app is ready/);
  });
});
