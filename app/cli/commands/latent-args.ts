/**
 * Arguments of the latent commands: sources (image id, outside file, --latent code), groups,
 * output names, and the negative-number lists parseArgs would take for options.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ExplorerError,
  MAX_OUTSIDE_IMAGE_BASE64,
  type ImageGroup,
  type LatentSource,
} from '../../contract';
import { numbers } from '../flag-values';
import { UsageError } from '../io';
import type { LatentFlags } from './latent-spec';

/** Flags whose value may start with a minus sign (a number list), e.g. `--range -3,3`. */
const NUMERIC_LIST_FLAGS = ['--range', '--strength', '--latent', '--direction'];

/**
 * parseArgs refuses `--range -3,3` (the value looks like an option); joins such pairs into
 * `--range=-3,3` when the value is a number list.
 */
export function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (NUMERIC_LIST_FLAGS.includes(arg) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/**
 * A positional source: a whole number is a library image id; anything else is the path of an
 * image file outside the library (read and sent, never added to the library).
 */
export async function parseSource(text: string): Promise<LatentSource> {
  if (/^\d+$/.test(text)) return { imageId: Number(text) };
  let data: Buffer;
  try {
    data = await readFile(text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new UsageError(
        `"${text}" is neither an image id nor an image file: ${path.resolve(text)} does not exist.`,
      );
    if (code === 'EISDIR') throw new UsageError(`${text} is a folder, not an image file.`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new ExplorerError('PERMISSION_DENIED', `Cannot read ${text}: permission denied.`);
    throw new ExplorerError(
      'INTERNAL',
      `Cannot read ${text}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (data.length === 0) throw new UsageError(`${text} is empty.`);
  const base64 = data.toString('base64');
  if (base64.length > MAX_OUTSIDE_IMAGE_BASE64) {
    throw new UsageError(
      `${text} is too large (${(data.length / 1e6).toFixed(1)} MB; at most ~2.6 MB): resize it first.`,
    );
  }
  return { file: { name: path.basename(text), data: base64 } };
}

export function latentCode(value: string): LatentSource {
  return { latent: numbers('latent', value, false) };
}

/** The sources of a command: the positionals, then --latent as the last one. */
export async function sourcesOf(
  positionals: string[],
  flags: LatentFlags,
): Promise<LatentSource[]> {
  const sources = [];
  for (const p of positionals) sources.push(await parseSource(p));
  if (flags.latent !== undefined) sources.push(latentCode(flags.latent));
  return sources;
}

export function group(side: 'a' | 'b', flags: LatentFlags): ImageGroup {
  const folders = flags[`${side}-folders`];
  const images = flags[`${side}-images`];
  if ((folders === undefined) === (images === undefined)) {
    throw new UsageError(
      `"attribute" needs exactly one of --${side}-folders and --${side}-images for group ${side.toUpperCase()}.`,
    );
  }
  return folders !== undefined
    ? { folderIds: numbers(`${side}-folders`, folders, true) }
    : { imageIds: numbers(`${side}-images`, images as string, true) };
}

export function pngOut(flags: LatentFlags): string | undefined {
  const out = flags.out;
  if (out === undefined) return undefined;
  if (out.trim() === '') throw new UsageError('-o needs a file name.');
  if (!/\.png$/i.test(out))
    throw new UsageError(`-o writes a PNG picture: give a file name ending in .png, not "${out}".`);
  return out;
}
