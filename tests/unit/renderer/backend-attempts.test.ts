import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../../app/contract';
import { attemptRows } from '../../../renderer/src/lib/backend-attempts';

/** What the engine reports on a machine where neither tfjs-node package could load. */
const defaultOnThisMachine: EngineStatus = {
  backend: 'wasm',
  backendPackage: '@tensorflow/tfjs-backend-wasm',
  device: 'cpu',
  tfjsVersion: '4.22.0',
  requested: null,
  attempts: [
    {
      name: 'tensorflow',
      package: '@tensorflow/tfjs-node-gpu',
      ok: false,
      reason: 'not installed',
    },
    { name: 'tensorflow', package: '@tensorflow/tfjs-node', ok: false, reason: 'not installed' },
    { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', ok: true },
  ],
};

describe('backend popover rows', () => {
  it('gives every attempt a unique key although both tfjs-node packages are named tensorflow', () => {
    const rows = attemptRows(defaultOnThisMachine);
    expect(rows.map((r) => r.attempt.name)).toEqual(['tensorflow', 'tensorflow', 'wasm']);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    expect(rows.map((r) => r.state)).toEqual(['Skipped', 'Skipped', 'Active']);
  });

  it('marks only the active package active when both tensorflow packages loaded', () => {
    const rows = attemptRows({
      ...defaultOnThisMachine,
      backend: 'tensorflow',
      backendPackage: '@tensorflow/tfjs-node',
      attempts: [
        { name: 'tensorflow', package: '@tensorflow/tfjs-node-gpu', ok: false, reason: 'no CUDA' },
        { name: 'tensorflow', package: '@tensorflow/tfjs-node', ok: true },
        { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', ok: true },
      ],
    });
    expect(rows.map((r) => r.state)).toEqual(['Skipped', 'Active', 'Available']);
  });

  it('keeps keys unique even if one package were tried twice', () => {
    const attempt = defaultOnThisMachine.attempts[2]!;
    const rows = attemptRows({ ...defaultOnThisMachine, attempts: [attempt, attempt] });
    expect(new Set(rows.map((r) => r.key)).size).toBe(2);
    expect(rows.map((r) => r.state)).toEqual(['Active', 'Available']);
  });
});
