import { EddyError } from '@eddy/autograd';

// The codes @eddy/models throws: autograd's, plus three for what only this package reads.
//
// NOTE: EddyError's constructor is typed with core-wasm's closed EddyErrorCode union, which does
// not list these yet; they are passed through a cast until core-wasm's errors.ts gains them.

/** Stable codes of the errors thrown by @eddy/models. */
export type ModelsErrorCode =
  | 'E_ARGUMENT' // an option, name or value is not what the call expects (misspelt keys included)
  | 'E_SHAPE' // shapes that must agree do not
  | 'E_SCOPE' // a parameter used after the scope it was created in freed it
  | 'E_STATE_DICT' // loadStateDict: missing, unexpected or mis-shaped keys (see StateDictError)
  | 'E_FORMAT' // a safetensors file is malformed (header, JSON, offsets, shapes)
  | 'E_DTYPE'; // a safetensors dtype Eddy cannot read or write, or an I64 value outside int32

/** A typed error with a stable `code` (an EddyError, so `instanceof EddyError` holds). */
export function fail(code: ModelsErrorCode, message: string): EddyError {
  return new EddyError(code as EddyError['code'], message);
}

/** Describes a value for an error message: strings quoted, numbers as written, others by type. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}
