/**
 * One image file (already read into memory) -> model pixels + a thumbnail + metadata, or a typed
 * failure. Never throws for bad input.
 *
 * 1. The header is read first (`metadata()`, no pixel decoding): the content's real format is
 *    checked against the formats we accept and the declared size against the pixel limit, so a
 *    20000x20000 image is refused before any pixel memory is allocated.
 * 2. One decode: EXIF orientation applied, shrink-on-load to the smallest size both outputs need
 *    ('outside' fit, never enlarged), converted to 8-bit sRGB (greyscale, CMYK and 16-bit inputs
 *    included), alpha kept. GIF/TIFF: first frame/page only.
 * 3. From that small raw image: the model input (alpha flattened on the background, 1 or 3
 *    channels, square by centre crop or padding) and a WebP thumbnail (alpha kept).
 */
import sharp, { type FailOnOptions, type Metadata, type OutputInfo } from 'sharp';
import { isAcceptedDecodedFormat, sniffUnsupported, unsupportedReason } from './formats';
import type { FailureKind, PreprocessSpec } from './types';

export interface DecodeOptions {
  spec: PreprocessSpec;
  /** Longest side of the thumbnail (fit inside, never enlarged). */
  thumbnailSize: number;
  /** Images whose declared width x height exceed this are refused. */
  maxInputPixels: number;
  /** sharp's sensitivity to invalid pixel data; 'error' also rejects truncated files. */
  failOn: FailOnOptions;
}

export const DEFAULT_DECODE_LIMITS = {
  thumbnailSize: 128,
  /** 100 megapixels: a bit more than current 50 MP phone cameras, far below a memory blow-up. */
  maxInputPixels: 100_000_000,
  failOn: 'error' as FailOnOptions,
};

export interface ImageMeta {
  /** jpeg, png, webp, gif, tiff or avif: the content's format, whatever the extension says. */
  format: string;
  /** Dimensions after EXIF orientation. */
  width: number;
  height: number;
  /** Channels in the file (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK). */
  channels: number;
  hasAlpha: boolean;
  /** libvips colour space of the file, e.g. srgb, b-w, cmyk, rgb16. */
  space: string;
}

export interface Thumbnail {
  data: Buffer;
  width: number;
  height: number;
}

export type DecodeResult =
  | { ok: true; meta: ImageMeta; pixels: Buffer; thumbnail: Thumbnail }
  | { ok: false; kind: FailureKind; reason: string };

function fail(kind: FailureKind, reason: string): DecodeResult {
  return { ok: false, kind, reason };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a JPEG or PNG file stops before its end marker (EOI / IEND). libvips' error text is
 * not reliable under concurrent decodes (it can come back as "Unknown error"), so truncation is
 * also recognised from the bytes themselves.
 */
function endsEarly(data: Buffer | undefined): boolean {
  if (!data || data.length < 8) return false;
  const tail = data.subarray(Math.max(0, data.length - 32));
  if (data[0] === 0xff && data[1] === 0xd8) return !tail.includes(Buffer.from([0xff, 0xd9]));
  if (data.subarray(1, 4).toString('latin1') === 'PNG') return !tail.includes('IEND', 0, 'latin1');
  return false;
}

function classifyDecodeError(error: unknown, data?: Buffer): DecodeResult {
  const message = messageOf(error);
  if (/pixel limit/i.test(message))
    return fail('too-large', `image exceeds the pixel limit (${message})`);
  if (/premature end|truncat|end of (file|data|stream)|not enough data|read error/i.test(message)) {
    return fail('truncated', `image data is truncated (${message})`);
  }
  if (endsEarly(data)) return fail('truncated', `image data is truncated (${message})`);
  return fail('corrupt', `image data is corrupt (${message})`);
}

export function formatMegapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0)} MP`;
}

export async function decodeImage(data: Buffer, options: DecodeOptions): Promise<DecodeResult> {
  const { spec, thumbnailSize, maxInputPixels, failOn } = options;
  if (data.length === 0) return fail('empty', 'file is empty (0 bytes)');

  // 1. Header only. The limit is lifted here so the refusal below can name the dimensions.
  let header: Metadata;
  try {
    header = await sharp(data, { limitInputPixels: false, failOn }).metadata();
  } catch (error) {
    const message = messageOf(error);
    if (/unsupported image format/i.test(message)) {
      const known = sniffUnsupported(data);
      if (known) return fail('unsupported-format', unsupportedReason(known));
      return fail('not-an-image', 'not an image: the content is not a recognised image format');
    }
    return classifyDecodeError(error, data);
  }
  const format = isAcceptedDecodedFormat(header.format, header.compression);
  if (!format) {
    const label = header.format === 'heif' ? 'HEIC' : header.format.toUpperCase();
    return fail('unsupported-format', `${label} content is not accepted as a library image`);
  }
  const width = header.autoOrient?.width ?? header.width;
  const height = header.autoOrient?.height ?? header.height;
  if (!(width > 0 && height > 0)) return fail('corrupt', 'image header declares no pixels');
  if (width * height > maxInputPixels) {
    return fail(
      'too-large',
      `image is ${width}x${height} (${formatMegapixels(width * height)}), above the ` +
        `${formatMegapixels(maxInputPixels)} limit: refused without decoding`,
    );
  }
  const meta: ImageMeta = {
    format,
    width,
    height,
    channels: header.channels,
    hasAlpha: header.hasAlpha,
    space: header.space,
  };

  // 2. One decode to a small 8-bit sRGB(A) intermediate.
  const bound = Math.max(spec.size, thumbnailSize);
  let base: { data: Buffer; info: OutputInfo };
  try {
    base = await sharp(data, {
      failOn,
      limitInputPixels: maxInputPixels,
      sequentialRead: true,
      pages: 1,
    })
      .autoOrient()
      .resize({ width: bound, height: bound, fit: 'outside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    return classifyDecodeError(error, data);
  }
  const raw = {
    raw: {
      width: base.info.width,
      height: base.info.height,
      channels: base.info.channels as 1 | 2 | 3 | 4,
    },
  };

  // 3. Model input and thumbnail from the intermediate.
  try {
    let model = sharp(base.data, raw);
    if (base.info.channels === 2 || base.info.channels === 4)
      model = model.flatten({ background: spec.background });
    const [pixels, thumb] = await Promise.all([
      model
        .toColourspace(spec.channels === 1 ? 'b-w' : 'srgb')
        .resize(spec.size, spec.size, {
          fit: spec.fit,
          position: 'centre',
          background: spec.background,
        })
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true }),
      sharp(base.data, raw)
        .resize(thumbnailSize, thumbnailSize, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true }),
    ]);
    const expected = spec.size * spec.size * spec.channels;
    if (pixels.data.length !== expected || pixels.info.channels !== spec.channels) {
      return fail(
        'corrupt',
        `decoder produced ${pixels.info.width}x${pixels.info.height}x${pixels.info.channels} ` +
          `instead of ${spec.size}x${spec.size}x${spec.channels}`,
      );
    }
    return {
      ok: true,
      meta,
      pixels: pixels.data,
      thumbnail: { data: thumb.data, width: thumb.info.width, height: thumb.info.height },
    };
  } catch (error) {
    return classifyDecodeError(error);
  }
}
