import { describe, fail } from './errors.js';

// Option checking shared by every module constructor. TensorFlow.js users lost days to a misspelt
// config key that silently turned a branch off (STYLE.md), so an unknown key is an error here,
// with the closest known key suggested.

/**
 * Checks that `options` is a plain object whose keys are all in `allowed`; returns it. Keys whose
 * value is `undefined` count as absent (TypeScript's optional properties).
 */
export function checkOptions(op: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw fail('E_ARGUMENT', `${op}: options must be an object, got ${describe(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !allowed.includes(k) && (options as Record<string, unknown>)[k] !== undefined);
  if (unknown.length > 0) {
    const parts = unknown.map((k) => {
      const near = closest(k, allowed);
      return near === null ? JSON.stringify(k) : `${JSON.stringify(k)} (did you mean ${JSON.stringify(near)}?)`;
    });
    throw fail('E_ARGUMENT', `${op}: unknown option${unknown.length > 1 ? 's' : ''} ${parts.join(', ')}; expected only ${allowed.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  return options as Record<string, unknown>;
}

/** An integer ≥ min (and ≤ max when given), or the default when undefined. */
export function intOption(op: string, name: string, value: unknown, min: number, fallback?: number, max?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw fail('E_ARGUMENT', `${op}: ${name} must be ${range}, got ${describe(value)}`);
  }
  return value;
}

/** A boolean, or the default when undefined. */
export function boolOption(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw fail('E_ARGUMENT', `${op}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}

/** A finite number in [min, max) (max excluded), or the default when undefined. */
export function rangeOption(op: string, name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value >= max) {
    throw fail('E_ARGUMENT', `${op}: ${name} must be a finite number in [${min}, ${max}), got ${describe(value)}`);
  }
  return value;
}

/** One of `choices`, or the default when undefined. */
export function choiceOption<T extends string>(op: string, name: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    throw fail('E_ARGUMENT', `${op}: ${name} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** The allowed key within edit distance 2 of `key` (case-insensitive), if there is one. */
function closest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
