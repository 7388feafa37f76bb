/**
 * Every error Eddy throws on bad input or misuse is an `EddyError` with a stable `code`, so
 * callers can branch on it; the message names the argument, what was expected and what came.
 */
export type EddyErrorCode =
  | 'E_ARGUMENT' // a size, stride, flag or option is not what the call expects
  | 'E_SHAPE' // shapes or sizes that must agree do not
  | 'E_POINTER' // a pointer is outside memory, misaligned, or its extent overruns memory
  | 'E_OUT_OF_MEMORY' // linear memory could not grow
  | 'E_SCOPE' // arena scopes closed out of order, or memory used after its scope ended
  | 'E_UNSUPPORTED' // the runtime lacks a feature the core needs (WebAssembly SIMD)
  | 'E_LOAD' // the core's .wasm could not be fetched or instantiated
  | 'E_NOT_READY' // tensors used before `ready()` resolved (browsers load the core asynchronously)
  | 'E_CORE_MISMATCH' // tensors of two different cores in one operation
  | 'E_GRAD' // backward from a non-scalar without an explicit gradient, or through a non-differentiable input
  | 'E_STATE_DICT' // a state dict whose keys or shapes do not match the module
  | 'E_FORMAT' // a file (safetensors, vocabulary, checkpoint) that is malformed or not what it claims
  | 'E_DTYPE'; // a dtype that cannot be read or converted

export class EddyError extends Error {
  readonly code: EddyErrorCode;
  constructor(code: EddyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EddyError';
    this.code = code;
  }
}

/**
 * Describes a value for an error message: numbers as written (NaN too), strings quoted (long ones
 * cut at 40 characters), short arrays listed, long ones by length, objects by their class.
 */
export function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return value.length <= 8 ? `[${value.map(describe).join(', ')}]` : `an array of length ${value.length}`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
