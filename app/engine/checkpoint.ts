/**
 * Atomic training checkpoints on the file system.
 *
 * A checkpoint is a directory:
 *   encoder/model.json + encoder/weights.bin   standard tfjs layers model (tf.loadLayersModel)
 *   decoder/model.json + decoder/weights.bin   standard tfjs layers model: z -> mean image
 *   optimizer/spec.json + optimizer/weights.bin Adam settings and its moments (getWeights order)
 *   config.json                                 model config, trainer state (step, epoch, rng),
 *                                               training options, caller's extra data, file sizes
 *
 * Saving writes everything into a hidden sibling `.<name>.tmp-*` directory, fsyncs it, writes
 * config.json last, then swaps it into place with renames. A crash at any point leaves either the
 * previous checkpoint at the path or (between the two renames) a complete sibling that the loader
 * and the next save recover. A half-written temp dir has no valid config.json and is ignored.
 * One writer per checkpoint path is assumed (one training job owns its run directory).
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import {
  fileSystemIOHandler,
  MODEL_JSON,
  syncDirectory,
  WEIGHTS_BIN,
  writeFileDurable,
} from './fs-io-handler';
import type { VaeConfig } from './model/config';
import { vaeFromModels, type Vae } from './model/vae';
import {
  VaeTrainer,
  type AdamSettings,
  type NamedTensor,
  type TrainerState,
  type TrainOptions,
} from './train-step';

export const CHECKPOINT_FORMAT = 'latent-explorer-checkpoint';
export const CHECKPOINT_VERSION = 1;
const CONFIG_JSON = 'config.json';
const OPTIMIZER_SPEC = 'optimizer/spec.json';

export interface CheckpointConfig {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  savedAt: string;
  model: Required<VaeConfig>;
  state: TrainerState;
  /** Training options of the run, so a resume keeps its schedule. */
  training: TrainOptions;
  /** Whether optimizer/ is present. */
  hasOptimizer: boolean;
  /** Caller's own JSON data (run id, dataset fingerprint, ...). */
  extra: unknown;
  /** Size in bytes of every other file, checked on load: a torn checkpoint is never used. */
  files: Record<string, number>;
}

export interface SaveCheckpointOptions {
  vae: Vae;
  /** Saves its optimizer moments and state; omit to save the model alone. */
  trainer?: VaeTrainer;
  /** State to record when there is no trainer (default step 0). */
  state?: TrainerState;
  training?: TrainOptions;
  extra?: unknown;
}

export interface LoadedCheckpoint {
  /** Directory actually read (differs from the requested path only after a crash mid-swap). */
  path: string;
  config: CheckpointConfig;
  /** The models; owned by the caller (`disposeVae`). */
  vae: Vae;
  /** Adam settings and moments; tensors owned by the caller until passed to `restoreTrainer`. */
  optimizer?: { adam: AdamSettings; weights: NamedTensor[] };
}

const siblingPrefix = (target: string) => `.${basename(target)}.`;

function siblingName(target: string, kind: 'tmp' | 'old'): string {
  return join(
    dirname(target),
    `${siblingPrefix(target)}${kind}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Reads config.json and checks every listed file has its recorded size; null if incomplete. */
export async function readCheckpointConfig(dir: string): Promise<CheckpointConfig | null> {
  try {
    const config = JSON.parse(await readFile(join(dir, CONFIG_JSON), 'utf8')) as CheckpointConfig;
    if (config.format !== CHECKPOINT_FORMAT || typeof config.files !== 'object') return null;
    if (config.version > CHECKPOINT_VERSION) return null;
    for (const [file, size] of Object.entries(config.files)) {
      if ((await stat(join(dir, file))).size !== size) return null;
    }
    return config;
  } catch {
    return null;
  }
}

/** Complete sibling checkpoints (left by a crash between the two renames), newest step first. */
async function completeSiblings(
  target: string,
): Promise<{ path: string; config: CheckpointConfig }[]> {
  const parent = dirname(target);
  const names = await readdir(parent).catch(() => [] as string[]);
  const found: { path: string; config: CheckpointConfig }[] = [];
  for (const name of names.filter((n) => n.startsWith(siblingPrefix(target)))) {
    const config = await readCheckpointConfig(join(parent, name));
    if (config !== null) found.push({ path: join(parent, name), config });
  }
  return found.sort((a, b) => b.config.state.step - a.config.state.step);
}

/** The directory holding the newest complete checkpoint for `target`, or null. Read-only. */
export async function resolveCheckpoint(
  target: string,
): Promise<{ path: string; config: CheckpointConfig } | null> {
  const config = await readCheckpointConfig(target);
  if (config !== null) return { path: target, config };
  if (await exists(target)) return null; // present but incomplete/foreign: never guess
  return (await completeSiblings(target))[0] ?? null;
}

async function writeOptimizer(dir: string, trainer: VaeTrainer): Promise<void> {
  const weights = await trainer.optimizerWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(weights);
    await mkdir(join(dir, 'optimizer'), { recursive: true });
    await writeFileDurable(join(dir, 'optimizer', WEIGHTS_BIN), new Uint8Array(data));
    await writeFileDurable(
      join(dir, OPTIMIZER_SPEC),
      JSON.stringify({ name: 'adam', settings: trainer.adam, weights: specs }),
    );
  } finally {
    weights[0]?.tensor.dispose(); // 'iter' is a fresh scalar; the rest are Adam's live variables
  }
}

async function fileSizes(dir: string, files: string[]): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const f of files) sizes[f] = (await stat(join(dir, f))).size;
  return sizes;
}

/**
 * Saves atomically to `target` (a directory path; its parent is created if needed).
 * Returns the config written.
 */
export async function saveCheckpoint(
  target: string,
  options: SaveCheckpointOptions,
): Promise<CheckpointConfig> {
  const { vae, trainer } = options;
  await mkdir(dirname(target), { recursive: true });
  // Finish a previous interrupted swap before anything is removed, then drop stale siblings.
  if (!(await exists(target))) {
    const recovered = (await completeSiblings(target))[0];
    if (recovered !== undefined) await rename(recovered.path, target);
  }
  const parent = dirname(target);
  for (const name of await readdir(parent)) {
    if (name.startsWith(siblingPrefix(target)))
      await rm(join(parent, name), { recursive: true, force: true });
  }

  const tmp = siblingName(target, 'tmp');
  await mkdir(tmp);
  try {
    await vae.encoder.save(fileSystemIOHandler(join(tmp, 'encoder')));
    await vae.decoder.save(fileSystemIOHandler(join(tmp, 'decoder')));
    const files = ['encoder', 'decoder'].flatMap((m) => [
      `${m}/${MODEL_JSON}`,
      `${m}/${WEIGHTS_BIN}`,
    ]);
    if (trainer !== undefined) {
      await writeOptimizer(tmp, trainer);
      files.push(`optimizer/${WEIGHTS_BIN}`, OPTIMIZER_SPEC);
    }
    const config: CheckpointConfig = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      savedAt: new Date().toISOString(),
      model: vae.config,
      state: trainer?.getState() ??
        options.state ?? { step: 0, epoch: 0, rng: { seed: 0, counter: 0 } },
      training: options.training ?? {},
      hasOptimizer: trainer !== undefined,
      extra: options.extra ?? null,
      files: await fileSizes(tmp, files),
    };
    await writeFileDurable(join(tmp, CONFIG_JSON), JSON.stringify(config, null, 2));
    await syncDirectory(tmp);

    if (await exists(target)) {
      const old = siblingName(target, 'old');
      await rename(target, old);
      await rename(tmp, target);
      await syncDirectory(parent);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
      await syncDirectory(parent);
    }
    return config;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

async function readOptimizer(dir: string): Promise<{ adam: AdamSettings; weights: NamedTensor[] }> {
  const spec = JSON.parse(await readFile(join(dir, OPTIMIZER_SPEC), 'utf8')) as {
    name: string;
    settings: AdamSettings;
    weights: tf.io.WeightsManifestEntry[];
  };
  if (spec.name !== 'adam') throw new Error(`Unsupported optimizer '${spec.name}' in ${dir}.`);
  const data = await readFile(join(dir, 'optimizer', WEIGHTS_BIN));
  const buffer = data.buffer.slice(
    data.byteOffset,
    data.byteOffset + data.byteLength,
  ) as ArrayBuffer;
  const map = tf.io.decodeWeights(buffer, spec.weights);
  return {
    adam: spec.settings,
    weights: spec.weights.map((w) => ({ name: w.name, tensor: map[w.name] as tf.Tensor })),
  };
}

/**
 * Loads the newest complete checkpoint for `target` (see {@link resolveCheckpoint}).
 * @param withOptimizer also read Adam's state (needed to resume training). Default true.
 */
export async function loadCheckpoint(
  target: string,
  withOptimizer = true,
): Promise<LoadedCheckpoint> {
  const found = await resolveCheckpoint(target);
  if (found === null) throw new Error(`No complete checkpoint at ${target}.`);
  const { path, config } = found;
  const encoder = await tf.loadLayersModel(fileSystemIOHandler(join(path, 'encoder')));
  const decoder = await tf.loadLayersModel(fileSystemIOHandler(join(path, 'decoder')));
  let vae: Vae;
  try {
    vae = vaeFromModels(config.model, encoder, decoder);
  } catch (e) {
    encoder.dispose();
    decoder.dispose();
    throw e;
  }
  const loaded: LoadedCheckpoint = { path, config, vae };
  if (withOptimizer && config.hasOptimizer) loaded.optimizer = await readOptimizer(path);
  return loaded;
}

/**
 * A trainer that continues exactly where the checkpoint stopped: same step, epoch, ε sequence
 * and Adam moments. Frees the checkpoint's optimizer tensors. `overrides` replace individual saved
 * training options (e.g. a new learningRate); the rest keep their saved values.
 */
export async function restoreTrainer(
  loaded: LoadedCheckpoint,
  overrides: TrainOptions = {},
): Promise<VaeTrainer> {
  const trainer = new VaeTrainer(
    loaded.vae,
    { ...loaded.config.training, ...overrides },
    {
      state: loaded.config.state,
      ...(loaded.optimizer ? { adam: loaded.optimizer.adam } : {}),
    },
  );
  if (loaded.optimizer !== undefined) {
    const { weights } = loaded.optimizer;
    try {
      await trainer.setOptimizerWeights(weights);
    } finally {
      tf.dispose(weights.map((w) => w.tensor));
      delete loaded.optimizer;
    }
  }
  return trainer;
}
