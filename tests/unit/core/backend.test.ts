import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseBackendName, selectBackend, type BackendLoaders } from '../../../app/engine/backend';

const missing: BackendLoaders = {
  async importModule(specifier) {
    if (specifier.startsWith('@tensorflow/tfjs-node')) {
      throw new Error(`Cannot find package '${specifier}' imported from x`);
    }
    return import(specifier);
  },
};

const brokenBinding: BackendLoaders = {
  async importModule(specifier) {
    if (specifier.startsWith('@tensorflow/tfjs-node')) {
      throw new Error(
        'The Node.js native addon module (tfjs_binding.node) can not be found at path: /x\nmore',
      );
    }
    return import(specifier);
  },
};

describe('selectBackend', () => {
  it('falls back past missing tfjs-node packages to wasm and says why', async () => {
    const status = await selectBackend({ requested: null, loaders: missing });
    expect(status.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(status.attempts.map((a) => [a.package, a.ok])).toEqual([
      ['@tensorflow/tfjs-node-gpu', false],
      ['@tensorflow/tfjs-node', false],
      ['@tensorflow/tfjs-backend-wasm', true],
    ]);
    expect(status.attempts[0]?.reason).toMatch(/not installed/);
    expect(status.warning).toBeUndefined();
    expect(status.tfjsVersion).toBe(tf.version.tfjs);
  });

  it('reports the first line of a binding failure', async () => {
    const status = await selectBackend({ requested: null, loaders: brokenBinding });
    expect(status.attempts[1]?.reason).toBe(
      'The Node.js native addon module (tfjs_binding.node) can not be found at path: /x',
    );
  });

  it('honours a requested backend', async () => {
    const status = await selectBackend({ requested: 'cpu', loaders: missing });
    expect(status).toMatchObject({ backend: 'cpu', device: 'cpu', requested: 'cpu' });
    expect(status.attempts).toHaveLength(1);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back with a warning when the requested backend is unavailable', async () => {
    const status = await selectBackend({ requested: 'tensorflow', loaders: missing });
    expect(status.backend).toBe('wasm');
    expect(status.warning).toMatch(/requested backend "tensorflow" is unavailable/);
  });

  it('warns about an unknown backend name and chooses automatically', async () => {
    const status = await selectBackend({ requested: 'tpu', loaders: missing });
    expect(status.backend).toBe('wasm');
    expect(status.requested).toBeNull();
    expect(status.warning).toMatch(/Unknown backend "tpu"/);
  });

  it('parses backend names', () => {
    expect(parseBackendName(undefined)).toBeNull();
    expect(parseBackendName('auto')).toBeNull();
    expect(parseBackendName('wasm')).toBe('wasm');
    expect(parseBackendName('gpu')).toBe('invalid');
  });
});
