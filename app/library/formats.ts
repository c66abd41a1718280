/**
 * Which image formats the library handles, decided at runtime from what the installed sharp /
 * libvips build can decode (`sharp.format`). The prebuilt libvips of sharp has no BMP or HEVC
 * decoder, for example: such files are reported clearly instead of failing as "corrupt".
 */
import sharp from 'sharp';

export interface FormatInfo {
  /** Name used in the catalogue and the UI (jpeg, png, webp, gif, tiff, avif, bmp, heic). */
  name: string;
  /** Human label used in messages. */
  label: string;
  /** Lower-case file extensions, with the dot. */
  extensions: readonly string[];
  /** Whether this build of sharp can decode it. */
  supported: boolean;
  /** Why not, when it is not supported. */
  reason?: string;
}

interface FormatDef {
  name: string;
  label: string;
  extensions: readonly string[];
  /** Key of `sharp.format` that decodes it, or null when only ImageMagick builds can. */
  sharpKey: keyof typeof sharp.format | null;
}

const FORMAT_DEFS: readonly FormatDef[] = [
  { name: 'jpeg', label: 'JPEG', extensions: ['.jpg', '.jpeg', '.jpe', '.jfif'], sharpKey: 'jpeg' },
  { name: 'png', label: 'PNG', extensions: ['.png'], sharpKey: 'png' },
  { name: 'webp', label: 'WebP', extensions: ['.webp'], sharpKey: 'webp' },
  { name: 'gif', label: 'GIF', extensions: ['.gif'], sharpKey: 'gif' },
  { name: 'tiff', label: 'TIFF', extensions: ['.tif', '.tiff'], sharpKey: 'tiff' },
  { name: 'avif', label: 'AVIF', extensions: ['.avif'], sharpKey: 'heif' },
  // libvips reads BMP only through ImageMagick ("magick" loader), absent from sharp's prebuilt.
  { name: 'bmp', label: 'BMP', extensions: ['.bmp', '.dib'], sharpKey: 'magick' },
  // The prebuilt libheif has no HEVC decoder (patents): HEIC needs a custom libvips build.
  { name: 'heic', label: 'HEIC', extensions: ['.heic', '.heif'], sharpKey: null },
];

let cached: FormatInfo[] | null = null;

/** The formats the library knows about and whether this build decodes them. */
export function formatSupport(): FormatInfo[] {
  if (cached) return cached;
  cached = FORMAT_DEFS.map((def) => {
    const info = def.sharpKey ? sharp.format[def.sharpKey] : undefined;
    let supported = Boolean(info?.input.buffer);
    if (supported && def.name === 'heic') supported = false;
    if (supported && def.sharpKey === 'heif') {
      // The heif loader is present; it decodes AVIF only when '.avif' is among its suffixes.
      supported = (info?.input.fileSuffix ?? []).includes('.avif');
    }
    return {
      name: def.name,
      label: def.label,
      extensions: def.extensions,
      supported,
      ...(supported ? {} : { reason: unsupportedReason(def.label) }),
    };
  });
  return cached;
}

export function unsupportedReason(label: string): string {
  return `${label} is not supported by this build of sharp (libvips ${sharp.versions.vips})`;
}

const byExtension = new Map<string, FormatDef>();
for (const def of FORMAT_DEFS) for (const ext of def.extensions) byExtension.set(ext, def);

export type PathClass =
  | { kind: 'image'; format: string }
  | { kind: 'unsupported'; format: string; reason: string }
  | { kind: 'other' };

/** Lower-case extension including the dot ('' when none). Works on display names too. */
export function extensionOf(name: string): string {
  const slash = name.lastIndexOf('/');
  const base = slash >= 0 ? name.slice(slash + 1) : name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** Classifies a file by its extension: a decodable image, a known but unsupported one, or other. */
export function classifyPath(name: string): PathClass {
  const def = byExtension.get(extensionOf(name));
  if (!def) return { kind: 'other' };
  const info = formatSupport().find((f) => f.name === def.name);
  if (info?.supported) return { kind: 'image', format: def.name };
  return {
    kind: 'unsupported',
    format: def.name,
    reason: info?.reason ?? unsupportedReason(def.label),
  };
}

/** Formats the decoder accepts after sniffing the content (the extension may lie). */
export function isAcceptedDecodedFormat(
  sharpFormat: string,
  compression: string | undefined,
): string | null {
  switch (sharpFormat) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
      return sharpFormat;
    case 'heif':
      return compression === 'av1' ? 'avif' : null;
    default:
      return null;
  }
}

/**
 * Recognises a few formats by their magic bytes when sharp refuses the content, so the reason
 * can say "BMP is not supported" rather than "not an image".
 */
export function sniffUnsupported(data: Uint8Array): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...data.subarray(from, to));
  if (data.length >= 14 && ascii(0, 2) === 'BM') return 'BMP';
  if (data.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'].includes(brand)) return 'HEIC';
  }
  return null;
}
