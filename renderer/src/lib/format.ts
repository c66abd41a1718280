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

/** `jpeg` -> `JPEG`; format keys come from the scanner in lower case. */
export function formatName(format: string): string {
  return format.toUpperCase();
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
