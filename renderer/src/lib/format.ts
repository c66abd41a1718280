/** Small, locale-aware formatters for counts, sizes, rates and durations. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatCount(n: number): string {
  return integer.format(n);
}

/** `4 images`, `1 image`; `plural` defaults to `singular + 's'`. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Decimal (SI) units, as file managers on macOS and Linux show them: `1.5 MB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const shown = unit === 0 ? integer.format(value) : oneDecimal.format(value);
  return `${shown} ${BYTE_UNITS[unit]}`;
}

export function formatRate(perSec: number, unit: string): string {
  const shown = perSec >= 10 ? integer.format(perSec) : oneDecimal.format(perSec);
  return `${shown} ${unit}/s`;
}

/** `850 ms`, `12 s`, `3 min 5 s`, `1 h 2 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${integer.format(ms)} ms`;
  const totalSec = Math.round(ms / 1000);
  if (totalSec < 60) return `${totalSec} s`;
  const min = Math.floor(totalSec / 60);
  if (min < 60) return `${min} min ${totalSec % 60} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

const FORMAT_NAMES: Record<string, string> = { webp: 'WebP' };

/** `jpeg` -> `JPEG`, `webp` -> `WebP`; format keys come from the core in lower case. */
export function formatName(format: string): string {
  return FORMAT_NAMES[format] ?? format.toUpperCase();
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** `64 px RGB, crop` or `28 px greyscale, pad on #000000`: a folder's model input in a phrase. */
export function specSummary(spec: {
  size: number;
  channels: 1 | 3;
  fit: 'cover' | 'contain';
  background: { r: number; g: number; b: number };
}): string {
  const colour = spec.channels === 1 ? 'greyscale' : 'RGB';
  const fit = spec.fit === 'cover' ? 'crop' : `pad on ${rgbToHex(spec.background)}`;
  return `${spec.size} px ${colour}, ${fit}`;
}

export function rgbToHex({ r, g, b }: { r: number; g: number; b: number }): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** `#a0b1c2` -> `{ r, g, b }`; null unless it is exactly a 6-digit hex colour. */
export function hexToRgb(hex: string): { r: number; g: number; b: number } | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!match) return null;
  const [, r = '', g = '', b = ''] = match;
  return { r: parseInt(r, 16), g: parseInt(g, 16), b: parseInt(b, 16) };
}

const PROBLEM_KINDS: Record<string, string> = {
  empty: 'Empty file',
  truncated: 'Truncated',
  corrupt: 'Corrupt',
  'not-an-image': 'Not an image',
  'too-large': 'Too many pixels',
  'file-too-big': 'File too big',
  'unsupported-format': 'Unsupported format',
  unreadable: 'Unreadable',
  'unreadable-folder': 'Unreadable folder',
  'unreadable-entry': 'Unreadable entry',
  'broken-symlink': 'Broken link',
  'symlink-outside': 'Link outside the folder',
  'symlink-loop': 'Link loop',
  'not-a-file': 'Not a regular file',
};

/** A readable name for a problem kind; unknown kinds (a newer core) show as they are. */
export function problemKindLabel(kind: string): string {
  return PROBLEM_KINDS[kind] ?? kind;
}

/** The last segment of a `/`-separated relative path. */
export function baseName(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? relPath : relPath.slice(i + 1);
}
