import { EddyError, type AutogradErrorCode } from '@eddy/autograd';
import { describe, intOption } from '@eddy/autograd/internal';

// Value descriptions for messages (`describe`) and the option checks are shared by every Eddy
// package (from @eddy/autograd/internal), so messages read alike whichever layer threw.
export { describe };
export { boolOption, checkOptions, optionKeys } from '@eddy/autograd/internal';

/**
 * The codes a caller of @eddy/text can see (README "Errors" lists when): autograd's (sampling runs
 * on its generator), E_ARGUMENT for a bad argument or option, and E_FORMAT for a vocabulary,
 * tokenizer config or saved batcher position that is malformed.
 */
export type TextErrorCode = AutogradErrorCode | 'E_FORMAT';

/** A typed error with a stable `code` (an EddyError, so `instanceof EddyError` holds). */
export function fail(code: TextErrorCode, message: string): EddyError<TextErrorCode> {
  return new EddyError(code, message);
}

/**
 * Runs `read` on the contents of a file (a vocabulary, a tokenizer config, a saved batcher
 * position): its validation throws E_ARGUMENT, which is reported as E_FORMAT, the code for a file
 * that is malformed or not what it claims.
 */
export function readingFile<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof EddyError && e.code === 'E_ARGUMENT') throw new EddyError('E_FORMAT', e.message, { cause: e });
    throw e;
  }
}

/** Throws E_ARGUMENT unless `value` is an integer in [min, max]. */
export function checkInt(where: string, name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return intOption(where, name, value, min, undefined, max === Number.MAX_SAFE_INTEGER ? undefined : max);
}

/** Throws E_ARGUMENT unless `value` is a finite number in [min, max]. */
export function checkNumber(where: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw fail('E_ARGUMENT', `${where}: ${name} must be a finite number in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

/** Throws E_ARGUMENT unless `value` is a plain object; returns it typed as a record. */
export function checkObject(where: string, name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail('E_ARGUMENT', `${where}: ${name} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Reads a config object and checks its `type` tag and `version` (1): E_ARGUMENT naming both otherwise. */
export function checkConfig(where: string, config: unknown, type: string): Record<string, unknown> {
  const o = checkObject(where, 'config', config);
  if (o.type !== type || o.version !== 1) {
    throw fail('E_ARGUMENT', `${where}: expected type "${type}" version 1, got type ${describe(o.type)} version ${describe(o.version)}`);
  }
  return o;
}
