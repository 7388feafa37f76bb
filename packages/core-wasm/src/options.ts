import { closestName } from './closest-name.js';
import { EddyError, describe } from './errors.js';

// Options objects of every public Eddy API are checked with these. TensorFlow.js users lost days to
// a misspelt config key that silently turned a branch off (STYLE.md), so an unknown key is an
// E_ARGUMENT error naming the key and the closest known one. Exposed to the packages above through
// `@eddy/core-wasm/internal` (and `@eddy/autograd/internal`), not to users.

/**
 * The error for a key (or argument name) the call does not know: names the key and the closest
 * known one, or lists the known ones when none is close.
 */
export function unknownKeyError(op: string, key: string, known: readonly string[], noun = 'option'): EddyError<'E_ARGUMENT'> {
  const guess = closestName(key, known);
  const hint = guess === undefined ? `expected one of ${known.join(', ')}` : `did you mean ${JSON.stringify(guess)}?`;
  return new EddyError('E_ARGUMENT', `${op}: unknown ${noun} ${JSON.stringify(key)} (${hint})`);
}

/**
 * The keys of an options interface, written `optionKeys<XOptions>({ a: true, b: true })`: the
 * compiler rejects a list that misses a key of the interface or names one it lacks, so the list
 * `checkOptions` is given cannot drift from the documented type.
 */
export function optionKeys<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

/**
 * Checks that `options` is undefined or a plain object whose keys are all in `allowed`; returns it
 * (`{}` for undefined). Keys whose value is `undefined` count as absent (TypeScript's optional
 * properties, objects built by spreading). Allocates nothing when the options pass, so per-step
 * calls (recurrent cells) can afford it.
 */
export function checkOptions(op: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new EddyError('E_ARGUMENT', `${op}: options must be an object, got ${describe(options)}`);
  }
  // `for…in` also visits inherited enumerable keys, which destructuring and `options.x` read too.
  for (const key in options) {
    if ((options as Record<string, unknown>)[key] !== undefined && !allowed.includes(key)) throw unknownKeyError(op, key, allowed);
  }
  return options as Record<string, unknown>;
}

/** An integer ≥ min (and ≤ max when given), or the default when undefined. */
export function intOption(op: string, name: string, value: unknown, min: number, fallback?: number, max?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be ${range}, got ${describe(value)}`);
  }
  return value;
}

/** A boolean, or the default when undefined. */
export function boolOption(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new EddyError('E_ARGUMENT', `${op}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}

/** A finite number in [min, max) (max excluded), or the default when undefined. */
export function rangeOption(op: string, name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value >= max) {
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be a finite number in [${min}, ${max}), got ${describe(value)}`);
  }
  return value;
}

/** One of `choices`, or the default when undefined. */
export function choiceOption<T extends string>(op: string, name: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}
