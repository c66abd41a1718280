/**
 * A synthetic "shapes" dataset with known generative factors (shape, position, size, colour),
 * deterministic for a seed: useful for tests and for demonstrating that a VAE's latent
 * dimensions pick up real factors. Pixels are rasterised here in plain TypeScript (4x4
 * supersampling), so the output does not depend on any font or SVG renderer; sharp only
 * encodes the PNGs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Rgb } from './types';
import { mulberry32 } from '../random';

export const SHAPE_KINDS = ['square', 'circle', 'triangle'] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];

export const SHAPE_COLOURS: readonly { name: string; rgb: Rgb }[] = [
  { name: 'red', rgb: { r: 220, g: 50, b: 47 } },
  { name: 'green', rgb: { r: 60, g: 170, b: 70 } },
  { name: 'blue', rgb: { r: 38, g: 110, b: 210 } },
  { name: 'yellow', rgb: { r: 230, g: 190, b: 30 } },
  { name: 'magenta', rgb: { r: 200, g: 60, b: 170 } },
  { name: 'cyan', rgb: { r: 40, g: 180, b: 190 } },
];

export interface ShapeFactors {
  shape: ShapeKind;
  /** Centre, as a fraction of the image side (0.25..0.75). */
  x: number;
  y: number;
  /** Half-size, as a fraction of the image side (0.1..0.25). */
  scale: number;
  /** Index into SHAPE_COLOURS. */
  colour: number;
}

export function sampleFactors(count: number, seed: number): ShapeFactors[] {
  const random = mulberry32(seed);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return Array.from({ length: count }, () => ({
    shape: SHAPE_KINDS[Math.floor(random() * SHAPE_KINDS.length)] ?? 'square',
    x: round(0.25 + random() * 0.5),
    y: round(0.25 + random() * 0.5),
    scale: round(0.1 + random() * 0.15),
    colour: Math.floor(random() * SHAPE_COLOURS.length),
  }));
}

function inside(shape: ShapeKind, dx: number, dy: number, s: number): boolean {
  switch (shape) {
    case 'square':
      return Math.abs(dx) <= s && Math.abs(dy) <= s;
    case 'circle':
      return dx * dx + dy * dy <= s * s;
    case 'triangle': {
      // Apex up at (0, -s), base from (-s, s) to (s, s).
      if (dy > s || dy < -s) return false;
      const halfWidth = (s * (dy + s)) / (2 * s);
      return Math.abs(dx) <= halfWidth;
    }
  }
}

/** Renders one image as interleaved RGB uint8 (size*size*3). */
export function renderShape(
  factors: ShapeFactors,
  size: number,
  background: Rgb = { r: 0, g: 0, b: 0 },
): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const colour = SHAPE_COLOURS[factors.colour]?.rgb ?? { r: 255, g: 255, b: 255 };
  const cx = factors.x * size;
  const cy = factors.y * size;
  const s = factors.scale * size;
  const n = 4; // supersampling per axis
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          if (inside(factors.shape, px + (sx + 0.5) / n - cx, py + (sy + 0.5) / n - cy, s)) hits++;
        }
      }
      const a = hits / (n * n);
      const o = (py * size + px) * 3;
      out[o] = Math.round(colour.r * a + background.r * (1 - a));
      out[o + 1] = Math.round(colour.g * a + background.g * (1 - a));
      out[o + 2] = Math.round(colour.b * a + background.b * (1 - a));
    }
  }
  return out;
}

export interface ShapesDatasetOptions {
  dir: string;
  count: number;
  size?: number;
  seed?: number;
  background?: Rgb;
}

export interface ShapesDatasetEntry {
  /** File name relative to `dir`. */
  file: string;
  factors: ShapeFactors;
}

/** Writes `count` PNGs and `factors.csv` (file, shape, x, y, scale, colour) into `dir`. */
export async function writeShapesDataset(
  options: ShapesDatasetOptions,
): Promise<ShapesDatasetEntry[]> {
  const size = options.size ?? 64;
  const digits = String(Math.max(0, options.count - 1)).length;
  await mkdir(options.dir, { recursive: true });
  const entries = sampleFactors(options.count, options.seed ?? 1).map((factors, i) => ({
    file: `shape-${String(i).padStart(digits, '0')}.png`,
    factors,
  }));
  for (const entry of entries) {
    const pixels = renderShape(entry.factors, size, options.background);
    await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(join(options.dir, entry.file));
  }
  const csv = ['file,shape,x,y,scale,colour'];
  for (const { file, factors: f } of entries) {
    csv.push(
      [file, f.shape, f.x, f.y, f.scale, SHAPE_COLOURS[f.colour]?.name ?? f.colour].join(','),
    );
  }
  await writeFile(join(options.dir, 'factors.csv'), `${csv.join('\n')}\n`);
  return entries;
}
