/**
 * The latent-space CLI commands against a fake ExplorerApi: arguments to requests, results to
 * text, JSON and PNG files. Through runCli only what needs no model (help, flag checks).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from './cli-io';
import { latentCommand, type LatentContext } from '../../../app/cli/commands/latent';
import {
  LATENT_COMMANDS,
  type LatentCommandName,
  type LatentFlags,
} from '../../../app/cli/commands/latent-spec';
import { parseSource } from '../../../app/cli/commands/latent-args';
import { UsageError } from '../../../app/cli/io';
import { composeImages } from '../../../app/cli/picture';
import { runCli } from '../../../app/cli/run';
import {
  ExplorerError,
  type DecodedImage,
  type EventName,
  type ExplorerApi,
  type ExplorerEvents,
  type JobInfo,
} from '../../../app/contract';

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'le-cli-latent-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const io = (interrupt?: Promise<void>) => captureIo(path.join(tmp, 'data'), interrupt);

/** A w×h image of one grey value (or an RGB colour). */
function image(value: number, size = 28, channels: 1 | 3 = 1): DecodedImage {
  const pixels = Buffer.alloc(size * size * channels, value);
  return { width: size, height: size, channels, data: pixels.toString('base64') };
}

type Listener = (payload: unknown) => void;

/**
 * A command context over a fake api: `methods` implements only what the test calls (the cast
 * below is deliberate; calling anything else fails loudly). Every request is recorded.
 */
function fake(methods: Partial<Record<keyof ExplorerApi, (req: never) => unknown>>) {
  const calls: { method: string; req: unknown }[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const api: Record<string, unknown> = {};
  for (const [method, impl] of Object.entries(methods)) {
    api[method] = async (req: unknown) => {
      calls.push({ method, req });
      return (impl as (r: unknown) => unknown)(req);
    };
  }
  const ctx: LatentContext = {
    // A fake: only the methods the test needs exist.
    api: new Proxy(api, {
      get: (target, name: string) => {
        if (!(name in target)) throw new Error(`fake api has no ${name}`);
        return target[name];
      },
    }) as unknown as ExplorerApi,
    service: {
      events: {
        on<E extends EventName>(event: E, listener: (p: ExplorerEvents[E]) => void) {
          const set = listeners.get(event) ?? new Set<Listener>();
          listeners.set(event, set);
          set.add(listener as Listener);
          return () => set.delete(listener as Listener);
        },
      },
    },
  };
  const emit = (event: EventName, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  const listening = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);
  return { ctx, calls, emit, listening };
}

async function run(
  name: LatentCommandName,
  positionals: string[],
  flags: LatentFlags,
  f: ReturnType<typeof fake>,
  json = false,
) {
  const c = io();
  const code = await latentCommand(name, positionals, flags, () => f.ctx, c.io, json);
  return { code, out: c.out(), err: c.err() };
}

const RUN = 'run-20260101-120000-abcd';

describe('latent sources', () => {
  it('reads an id, a file outside the library, or a code', async () => {
    expect(await parseSource('42')).toEqual({ imageId: 42 });
    const file = path.join(tmp, 'outside.png');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toFile(file);
    const bytes = await readFile(file);
    expect(await parseSource(file)).toEqual({
      file: { name: 'outside.png', data: bytes.toString('base64') },
    });
    const missing = path.join(tmp, 'nope.png');
    await expect(parseSource(missing)).rejects.toThrow(UsageError);
    await expect(parseSource(missing)).rejects.toThrow(missing);
    await expect(parseSource(tmp)).rejects.toThrow(/is a folder, not an image file/);

    const f = fake({ neighbors: () => neighborsResult });
    await run('neighbors', [], { latent: '0.5,-1,2' }, f);
    expect(f.calls[0]?.req).toEqual({ source: { latent: [0.5, -1, 2] } });
    await expect(run('neighbors', [], { latent: '0.5,x' }, f)).rejects.toThrow(
      /--latent must be comma-separated numbers, not "0.5,x"/,
    );
    await expect(run('neighbors', ['1', '2'], {}, f)).rejects.toThrow(/Usage: .*neighbors/);
    await expect(run('neighbors', ['1'], { latent: '1,2' }, f)).rejects.toThrow(/Usage/);
  });
});

const neighborsResult = {
  runId: RUN,
  step: 900,
  metric: 'cosine',
  search: 'exact',
  searched: 1234,
  tookMs: 3.2,
  neighbors: [
    { imageId: 7, folderId: 1, relPath: 'a/seven.png', distance: 0.01234 },
    { imageId: 19, folderId: 2, relPath: 'nineteen.png', distance: 0.5 },
  ],
};

describe('latent commands', () => {
  it('encode follows the job, cancels it on Ctrl+C and reports counts', async () => {
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const job = { id: 'job-1-abc', kind: 'encode' } as JobInfo;
    const f = fake({
      encodeLibrary: async () => {
        f.emit('job:started', job);
        interrupt();
        await new Promise((r) => setTimeout(r, 10));
        return {
          embeddings: {
            runId: RUN,
            step: 1200,
            dims: 16,
            count: 500,
            pending: 0,
            current: true,
            updatedAt: '2026-01-01T12:00:00Z',
          },
          encoded: 120,
          reused: 380,
          removed: 3,
          durationMs: 4200,
        };
      },
      cancelJob: () => ({ cancelled: true }),
    });
    const c = io(interrupted);
    const code = await latentCommand(
      'encode',
      [],
      { run: RUN, force: true },
      () => f.ctx,
      c.io,
      false,
    );
    expect(code).toBe(0);
    expect(f.calls[0]).toEqual({ method: 'encodeLibrary', req: { runId: RUN, force: true } });
    expect(f.calls[1]).toEqual({ method: 'cancelJob', req: { jobId: 'job-1-abc' } });
    expect(c.out()).toBe(
      `Encoded 120 images (380 reused, 3 removed) with run ${RUN} at step 1200 in 4s\n`,
    );
    expect(f.listening()).toBe(0);
  });

  it('embeddings reports what is stored, or how to encode', async () => {
    const info = {
      runId: RUN,
      step: 1200,
      dims: 16,
      count: 500,
      pending: 12,
      current: false,
      updatedAt: '2026-01-01T12:00:00Z',
    };
    const f = fake({ embeddingsStatus: () => info });
    const r = await run('embeddings', [], {}, f);
    expect(f.calls[0]?.req).toEqual({});
    expect(r.out).toContain(`Run ${RUN}: 500 images encoded at step 1200`);
    expect(r.out).toContain('12 images pending');
    expect(r.out).toContain('an older checkpoint');
    const none = fake({ embeddingsStatus: () => null });
    const n = await run('embeddings', [], { run: RUN }, none);
    expect(none.calls[0]?.req).toEqual({ runId: RUN });
    expect(n.out).toBe(
      `Run ${RUN} has no embeddings yet: run \`latent-explorer encode\` --run ${RUN}.\n`,
    );
    const j = await run('embeddings', [], {}, none, true);
    expect(JSON.parse(j.out)).toBeNull();
  });

  it('posterior prints dimensions by KL, the totals, JSON without pixels and the PNG', async () => {
    const posterior = {
      imageId: 5,
      mu: [0.1, -1.5, 0.7],
      logVar: [0, -2, -1],
      sigma: [1, 0.3679, 0.6065],
      klPerDim: [0.005, 2.1, 0.4],
      kl: 2.505,
      reconstruction: image(200),
      negElbo: 321.5,
    };
    const f = fake({ posterior: () => posterior });
    const r = await run('posterior', ['5'], {}, f);
    expect(f.calls[0]?.req).toEqual({ source: { imageId: 5 } });
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Posterior q(z|x) of image 5, 3 dims, largest KL first:');
    expect(lines[1]).toMatch(/^dim\s+μ\s+σ\s+KL$/);
    expect(lines[2]).toMatch(/^\s*1\s+-1\.500\s+0\.368\s+2\.100$/);
    expect(lines[3]).toMatch(/^\s*2\s+0\.700\s+0\.607\s+0\.400$/);
    expect(lines[4]).toMatch(/^\s*0\s/);
    expect(r.out).toContain('total KL 2.505 nats; −ELBO 321.500 nats');

    const j = await run('posterior', ['5'], { run: RUN }, f, true);
    const parsed = JSON.parse(j.out) as { reconstruction: { data: unknown }; kl: number };
    expect(parsed.reconstruction.data).toBe(28 * 28);
    expect(parsed.kl).toBe(2.505);

    const out = path.join(tmp, 'recon.png');
    const w = await run('posterior', ['5'], { out }, f);
    expect(w.out).toContain(`Wrote the reconstruction to ${out}`);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([112, 112, 1]);
  });

  it('neighbors sends k, metric, folders and search, and prints the ranking', async () => {
    const f = fake({ neighbors: () => neighborsResult });
    const r = await run(
      'neighbors',
      ['12'],
      { k: '2', metric: 'cosine', folders: '1,2', search: 'exact', run: RUN },
      f,
    );
    expect(f.calls[0]?.req).toEqual({
      runId: RUN,
      source: { imageId: 12 },
      k: 2,
      metric: 'cosine',
      folderIds: [1, 2],
      search: 'exact',
    });
    expect(r.out).toContain('2 nearest to image 12 by cosine among 1,234 images (exact search');
    expect(r.out).toMatch(/rank\s+distance\s+image\s+folder\s+path/);
    expect(r.out).toMatch(/1\s+0\.0123\s+7\s+1\s+a\/seven\.png/);
    expect(r.out).toMatch(/2\s+0\.5000\s+19\s+2\s+nineteen\.png/);
  });

  it('interpolate sends the sources and writes a one-row strip', async () => {
    const frames = [0, 1, 2, 3].map((i) => ({
      latent: [i, i],
      image: image(i * 60),
      segment: i < 2 ? 0 : 1,
      t: i === 3 ? 1 : (i % 2) * 0.5,
      nearest: { imageId: 10 + i, distance: 0.25 * i },
    }));
    const f = fake({ interpolate: () => ({ runId: RUN, method: 'slerp', frames }) });
    const file = path.join(tmp, 'b.png');
    await writeFile(file, 'png bytes');
    const out = path.join(tmp, 'strip.png');
    const r = await run(
      'interpolate',
      ['3', file],
      { latent: '1,2', steps: '3', method: 'slerp', out },
      f,
    );
    expect(f.calls[0]?.req).toEqual({
      sources: [
        { imageId: 3 },
        { file: { name: 'b.png', data: Buffer.from('png bytes').toString('base64') } },
        { latent: [1, 2] },
      ],
      steps: 3,
      method: 'slerp',
    });
    expect(r.out).toContain('Spherical interpolation through image 3 → b.png → the code (2 dims)');
    expect(r.out).toMatch(/4\s+2\s+1\.00\s+13\s+0\.750/);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([4 * 28 * 4 + 3, 28 * 4]);
    await expect(run('interpolate', ['3'], {}, f)).rejects.toThrow(/Usage: .*interpolate/);
    await expect(run('interpolate', ['3', '4'], { method: 'cubic' }, f)).rejects.toThrow(
      /--method must be linear or slerp, not "cubic"/,
    );
  });

  it('traverse needs one of --dim and --direction and sends range and steps', async () => {
    const result = {
      runId: RUN,
      dim: 2,
      base: [0, 0, 0],
      frames: [-3, 0, 3].map((value) => ({ latent: [0, 0, value], image: image(9), value })),
    };
    const f = fake({ traverse: () => result });
    const r = await run(
      'traverse',
      ['8'],
      { dim: '2', range: '-3,3', steps: '3', absolute: true },
      f,
    );
    expect(f.calls[0]?.req).toEqual({
      source: { imageId: 8 },
      dim: 2,
      range: [-3, 3],
      steps: 3,
      absolute: true,
    });
    expect(r.out).toContain('Traversal of dimension 2 around image 8: 3 frames');
    expect(r.out).toContain('values: -3.00 0.00 3.00');
    await run('traverse', [], { direction: '1,0,-1' }, f);
    expect(f.calls[1]?.req).toEqual({ direction: [1, 0, -1] });
    await expect(run('traverse', [], {}, f)).rejects.toThrow(/exactly one of --dim/);
    await expect(run('traverse', [], { dim: '1', direction: '1,2' }, f)).rejects.toThrow(
      /exactly one of --dim/,
    );
    await expect(run('traverse', [], { dim: '1', range: '-3' }, f)).rejects.toThrow(
      /--range must be 2 comma-separated numbers/,
    );
    await expect(run('traverse', [], { dim: '1.5' }, f)).rejects.toThrow(
      /--dim must be a whole number, not "1.5"/,
    );
  });

  it('grid writes rows × columns cells whose size follows the scale', async () => {
    const cells = Array.from({ length: 6 }, (_, i) => ({ latent: [i, i], image: image(i * 40) }));
    const f = fake({
      latentGrid: () => ({
        runId: RUN,
        dims: [3, 5],
        rows: 2,
        columns: 3,
        xValues: [-1, 0, 1],
        yValues: [1, -1],
        cells,
      }),
    });
    const out = path.join(tmp, 'grid.png');
    const r = await run('grid', [], { dims: '3,5', rows: '2', columns: '3', out }, f);
    expect(f.calls[0]?.req).toEqual({ dims: [3, 5], rows: 2, columns: 3 });
    expect(r.out).toContain('Grid over dimensions 3 (x, columns) and 5 (y, rows), 2×3 cells');
    expect(r.out).toContain('x values: -1.00 0.00 1.00');
    const cell = 28 * 4; // the default scale makes 28-px cells at least 96 px
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([3 * cell + 2, 2 * cell + 1, 1]);
    const { data, info } = await sharp(out)
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    // Nearest-neighbour upscaling, and grey 1-px gaps between cells.
    expect(data[0]).toBe(0);
    expect(data[cell - 1]).toBe(0);
    expect(data[cell]).toBe(128);
    expect(data[cell + 1]).toBe(40);
    expect(data[(cell + 1) * info.width + 2 * (cell + 1)]).toBe(200);
    await expect(run('grid', [], { dims: '3' }, f)).rejects.toThrow(
      /--dims must be 2 comma-separated whole numbers/,
    );
  });

  it('sample asks for 16 codes by default, and refuses to overwrite without --force', async () => {
    const f = fake({
      samplePrior: (req: { count: number }) => ({
        latents: Array.from({ length: req.count }, () => [0.5, -0.25]),
        images: Array.from({ length: req.count }, (_, i) => image(i * 10, 16, 3)),
      }),
    });
    const r = await run('sample', [], {}, f);
    expect(f.calls[0]?.req).toEqual({ count: 16 });
    expect(r.out).toContain('Drew 16 codes from the prior N(0, I):');
    expect(r.out).toContain('[0.50, -0.25]');

    const out = path.join(tmp, 'samples.png');
    await writeFile(out, 'old');
    await expect(run('sample', [], { count: '5', seed: '7', out }, f)).rejects.toThrow(
      `${out} exists: pass --force to overwrite it.`,
    );
    expect(await readFile(out, 'utf8')).toBe('old');
    expect(f.calls).toHaveLength(1); // refused before any work
    const w = await run('sample', [], { count: '5', seed: '7', out, force: true }, f);
    expect(f.calls[1]?.req).toEqual({ count: 5, seed: 7 });
    expect(w.out).toContain(`Wrote the samples to ${out} (3×2 cells`);
    const meta = await sharp(out).metadata();
    // 16-px frames at 6× (96 px), 3 columns: near-square for 5 images.
    expect([meta.width, meta.height, meta.channels]).toEqual([3 * 96 + 2, 2 * 96 + 1, 3]);

    await expect(run('sample', [], { count: 'many' }, f)).rejects.toThrow(
      /--count must be a whole number, not "many"/,
    );
    await expect(run('sample', [], { out: path.join(tmp, 'x.jpg') }, f)).rejects.toThrow(
      /ending in \.png/,
    );
    const nowhere = path.join(tmp, 'no-such-dir', 'a.png');
    const missing = run('sample', [], { out: nowhere }, f);
    await expect(missing).rejects.toThrow(ExplorerError);
    await expect(run('sample', [], { out: nowhere }, f)).rejects.toThrow(
      `Cannot write ${nowhere}: the folder ${path.dirname(nowhere)} does not exist.`,
    );
  });

  it('map follows the job and writes the CSV', async () => {
    const f = fake({
      computeMap: () => ({
        runId: RUN,
        step: 50,
        method: 'pca',
        seed: 3,
        imageIds: [4, 9],
        x: [0.5, -1],
        y: [2, 0.25],
        explainedVariance: [0.412, 0.135],
        createdAt: '2026-01-01T12:00:00Z',
        durationMs: 1500,
      }),
    });
    const out = path.join(tmp, 'map.csv');
    const r = await run('map', [], { method: 'pca', seed: '3', force: true, out }, f);
    expect(f.calls[0]?.req).toEqual({ method: 'pca', seed: 3, force: true });
    expect(r.out).toContain(`PCA map of 2 points (run ${RUN} at step 50, seed 3) in 2s`);
    expect(r.out).toContain('explained variance 41.2% + 13.5%');
    expect(await readFile(out, 'utf8')).toBe('image_id,x,y\n4,0.5,2\n9,-1,0.25\n');
    await expect(run('map', [], {}, f)).rejects.toThrow(/needs --method pca, umap or tsne/);
    await expect(run('map', [], { method: 'mds' }, f)).rejects.toThrow(
      /--method must be pca, umap or tsne, not "mds"/,
    );
    await expect(run('map', [], { method: 'pca', out }, f)).rejects.toThrow(/exists/);
    // Atomic writes leave no temporary files behind.
    expect((await readdir(tmp)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('summary prints the dimensions, totals and folder agreement', async () => {
    const summary = {
      runId: RUN,
      step: 80,
      images: 300,
      dims: [
        { dim: 0, meanSigma: 0.2, meanKl: 1.5, muMean: 0, muVariance: 1, active: true },
        { dim: 1, meanSigma: 0.99, meanKl: 0.001, muMean: 0, muVariance: 0, active: false },
      ],
      activeUnits: 1,
      meanKl: 1.501,
      meanNegElbo: 250.25,
      folderAgreement: { k: 5, precision: 0.81, baseline: 0.5, folders: 2 },
    };
    const f = fake({ latentSummary: () => summary });
    const r = await run('summary', [], { k: '5' }, f);
    expect(f.calls[0]?.req).toEqual({ k: 5 });
    expect(r.out).toMatch(/dim\s+mean σ\s+mean KL\s+active/);
    expect(r.out).toMatch(/0\s+0\.200\s+1\.500\s+yes/);
    expect(r.out).toContain('active units 1 of 2');
    expect(r.out).toContain('mean KL 1.501 nats/image');
    expect(r.out).toContain('mean −ELBO 250.250 nats/image');
    expect(r.out).toContain(
      'folder agreement: precision@5 0.810 vs 0.500 for random neighbours over 2 folders',
    );
    const one = fake({ latentSummary: () => ({ ...summary, folderAgreement: null }) });
    expect((await run('summary', [], {}, one)).out).toContain('all images are in one folder');
  });

  it('attribute sends both groups, the target and strengths', async () => {
    const result = {
      runId: RUN,
      vector: [1, 2],
      norm: 2.236,
      sizes: { a: 40, b: 38 },
      consistency: { auc: 0.934, heldOutA: 20, heldOutB: 18 },
      frames: [-1, 0, 1].map((strength) => ({ latent: [0, 0], image: image(50), strength })),
    };
    const f = fake({ attributeVector: () => result });
    const out = path.join(tmp, 'attribute.png');
    const r = await run(
      'attribute',
      [],
      { 'a-folders': '1,2', 'b-images': '5,6,7', target: '9', strength: '-1,0,1', out },
      f,
    );
    expect(f.calls[0]?.req).toEqual({
      a: { folderIds: [1, 2] },
      b: { imageIds: [5, 6, 7] },
      target: { imageId: 9 },
      strengths: [-1, 0, 1],
    });
    expect(r.out).toContain('norm 2.236');
    expect(r.out).toContain('consistency: AUC 0.93 on 20+18 held-out images');
    expect((await sharp(out).metadata()).width).toBe(3 * 112 + 2);
    const few = fake({ attributeVector: () => ({ ...result, consistency: null, frames: [] }) });
    const s = await run('attribute', [], { 'a-images': '1', 'b-images': '2' }, few);
    expect(s.out).toContain('consistency: too few images to measure');
    await expect(run('attribute', [], { 'a-folders': '1' }, f)).rejects.toThrow(
      /exactly one of --b-folders and --b-images/,
    );
    await expect(
      run('attribute', [], { 'a-folders': '1', 'a-images': '2', 'b-folders': '3' }, f),
    ).rejects.toThrow(/exactly one of --a-folders and --a-images/);
    await expect(run('attribute', [], { 'a-folders': 'one', 'b-folders': '3' }, f)).rejects.toThrow(
      /--a-folders must be comma-separated whole numbers/,
    );
  });

  it('outliers prints rank, −ELBO, z, id and path', async () => {
    const f = fake({
      outliers: () => ({
        runId: RUN,
        step: 10,
        searched: 99,
        outliers: [{ imageId: 3, folderId: 1, relPath: 'odd.png', negElbo: 512.345, z: 3.456 }],
      }),
    });
    const r = await run('outliers', [], { limit: '1', folders: '1' }, f);
    expect(f.calls[0]?.req).toEqual({ limit: 1, folderIds: [1] });
    expect(r.out).toContain('1 image the model explains worst, of 99 images');
    expect(r.out).toMatch(/1\s+512\.35\s+3\.46\s+3\s+1\s+odd\.png/);
  });

  it('refuses the flags of other commands', async () => {
    const f = fake({});
    await expect(run('summary', [], { folders: '1' }, f)).rejects.toThrow(
      '--folders is not an option of "summary".',
    );
    await expect(run('neighbors', ['1'], { steps: '3' }, f)).rejects.toThrow(
      '--steps is not an option of "neighbors".',
    );
    await expect(run('encode', ['1'], {}, f)).rejects.toThrow(/Usage: latent-explorer encode/);
    expect(f.calls).toHaveLength(0);
  });
});

describe('pictures', () => {
  it('expands grey frames to RGB beside colour ones and leaves unused cells grey', () => {
    const { pixels, info } = composeImages([image(10, 2, 1), image(20, 2, 3), image(30, 2, 1)], 2, {
      scale: 1,
      gap: 2,
    });
    expect(info).toMatchObject({ width: 6, height: 6, channels: 3, rows: 2, columns: 2 });
    expect([...pixels.subarray(0, 3)]).toEqual([10, 10, 10]);
    expect([...pixels.subarray(4 * 3, 5 * 3)]).toEqual([20, 20, 20]);
    expect(pixels[(4 * 6 + 0) * 3]).toBe(30);
    expect(pixels[(5 * 6 + 5) * 3]).toBe(128);
  });
});

describe('latent commands through runCli', () => {
  it('lists them in --help', async () => {
    const h = io();
    expect(await runCli(['--help'], h.io)).toBe(0);
    expect(h.out()).toContain('Latent space (default: the latest completed run;');
    for (const name of Object.keys(LATENT_COMMANDS)) expect(h.out()).toMatch(`\n  ${name}`);
  });

  it('refuses unknown flags, other commands’ flags and bad values with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['neighbors', '5', '--frob'], /Unknown option '--frob'/],
      [['neighbors', '5', '--epochs', '3'], /--epochs is not an option of "neighbors"/],
      [['neighbors', '5', '--metric', 'manhattan'], /--metric must be euclidean, cosine,/],
      [['neighbors', '5', '--k', 'ten'], /--k must be a whole number, not "ten"/],
      [['neighbors', path.join(tmp, 'missing.png')], /missing\.png does not exist/],
      [['train', '--k', '3'], /--k is not an option of "train"/],
      [['info', '--run', RUN], /--run is not an option of "info"/],
      [['traverse', '--dim', '0', '--range', '-3,3', '--steps', 'x'], /--steps must be/],
      [['attribute', '--a-folders', '1', '--b-folders', '2', '--strength', '-2,z'], /--strength/],
    ];
    for (const [argv, message] of cases) {
      const c = io();
      expect(await runCli(argv, c.io), argv.join(' ')).toBe(2);
      expect(c.err()).toMatch(message);
    }
  });
});
