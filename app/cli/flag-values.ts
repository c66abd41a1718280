/** Flag values of the CLI: numbers, number lists, choices, optional request fields. */
import { UsageError } from './io';

export function num(name: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${name} must be ${integer ? 'a whole number' : 'a number'}, not "${value}".`,
    );
  }
  return n;
}

export function numbers(name: string, value: string, integer: boolean, length?: number): number[] {
  const parts = value.split(',');
  if (length !== undefined && parts.length !== length) {
    throw new UsageError(
      `--${name} must be ${length} comma-separated ${integer ? 'whole numbers' : 'numbers'}, not "${value}".`,
    );
  }
  return parts.map((part) => {
    const n = Number(part);
    if (part.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new UsageError(
        `--${name} must be comma-separated ${integer ? 'whole numbers' : 'numbers'}, not "${value}".`,
      );
    }
    return n;
  });
}

export function oneOf<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    const list = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
    throw new UsageError(`--${name} must be ${list}, not "${value}".`);
  }
  return value as T;
}

/** Adds `key: parse(value)` when the flag was given. */
export function opt<K extends string, V>(
  key: K,
  value: string | undefined,
  parse: (v: string) => V,
): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: parse(value) }) as { [P in K]?: V };
}
