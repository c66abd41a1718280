/**
 * A `tf.io.IOHandler` that saves and loads a layers model as `model.json` + `weights.bin` in a
 * directory, the standard tfjs layout (the same files tfjs-node's `file://` handler writes), using
 * node:fs, because tfjs-node (which provides `file://`) has no native binding on every machine.
 *
 *   await model.save(fileSystemIOHandler('/path/to/dir'));
 *   const m = await tf.loadLayersModel(fileSystemIOHandler('/path/to/dir'));
 *
 * Writes are durable (each file is fsync'ed); atomicity across files is the caller's business
 * (see checkpoint.ts, which writes into a temporary directory and renames it).
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** Writes `data` to `path` and fsyncs it before closing, so a later rename publishes whole files. */
export async function writeFileDurable(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Fsyncs a directory so renames and new entries in it survive a power cut (no-op where unsupported). */
export async function syncDirectory(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or fsync directories; NTFS journals the metadata itself.
  } finally {
    await handle?.close();
  }
}

function toUint8(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Reads the weight files listed in a manifest; paths must be plain file names inside `dir`. */
async function readWeights(
  dir: string,
  manifest: tf.io.WeightsManifestConfig,
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      if (basename(p) !== p || p === '..' || p === '.') {
        throw new Error(
          `Weights path '${p}' in ${join(dir, MODEL_JSON)} must be a file name in the same folder.`,
        );
      }
      parts.push(await readFile(join(dir, p)));
    }
  }
  const total = parts.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of parts) {
    out.set(b, offset);
    offset += b.byteLength;
  }
  return [specs, out.buffer];
}

export function fileSystemIOHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(
          'Saving a binary (GraphDef) topology is not supported; only layers models.',
        );
      }
      await mkdir(dir, { recursive: true });
      const modelJSON: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined)
        modelJSON.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined)
        modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeFileDurable(join(dir, WEIGHTS_BIN), toUint8(artifacts.weightData));
      await writeFileDurable(join(dir, MODEL_JSON), JSON.stringify(modelJSON));
      await syncDirectory(dir);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const path = join(dir, MODEL_JSON);
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        throw new Error(`Cannot read the model at ${path}: ${(e as Error).message}`, { cause: e });
      }
      if (modelJSON.modelTopology === undefined || !Array.isArray(modelJSON.weightsManifest)) {
        throw new Error(`${path} is not a tfjs layers model (no modelTopology / weightsManifest).`);
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, (manifest) => readWeights(dir, manifest));
    },
  };
}
