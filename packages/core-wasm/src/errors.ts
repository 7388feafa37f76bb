/**
 * The codes @eddy/core-wasm throws (README "Errors" lists when). Every package above narrows
 * `EddyError.code` to its own union: autograd's `AutogradErrorCode`, models' `ModelsErrorCode`, ….
 */
export type CoreErrorCode =
  | 'E_ARGUMENT' // a size, stride, flag, scalar, option or argument name is not what the call expects
  | 'E_SHAPE' // sizes that must agree do not
  | 'E_POINTER' // a pointer is outside memory, misaligned, or its extent overruns memory
  | 'E_OUT_OF_MEMORY' // linear memory could not grow
  | 'E_SCOPE' // arena scopes closed out of order, or memory used after its scope ended
  | 'E_UNSUPPORTED' // the runtime lacks a feature the core needs (WebAssembly SIMD)
  | 'E_LOAD'; // the core's .wasm could not be fetched or instantiated

/**
 * Every error Eddy throws on bad input or misuse is an `EddyError` with a stable `code`, so
 * callers can branch on it; the message names the argument, what was expected and what came.
 * `code` is a plain string here: each package documents (and types) the codes it throws, e.g.
 * `EddyError<CoreErrorCode>`.
 */
export class EddyError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EddyError';
    this.code = code;
  }
}

/**
 * Describes a value for an error message: numbers as written (NaN too), strings quoted (long ones
 * cut at 40 characters), short arrays listed (nested ones two levels deep), long ones by length,
 * objects by their class.
 *
 * Safe on anything an untrusted file can produce: the class name is read from the prototype's own
 * `constructor` (a parsed `{"constructor": {"name": …}}` names nothing), never called or
 * converted, and nesting is cut, so no input throws or recurses deeply.
 */
export function describe(value: unknown): string {
  return describeAt(value, 0);
}

function describeAt(value: unknown, depth: number): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (Array.isArray(value)) {
    if (value.length > 8 || depth >= 2) return `an array of length ${value.length}`;
    return `[${value.map((v) => describeAt(v, depth + 1)).join(', ')}]`;
  }
  if (typeof value === 'object') return className(value as object);
  return typeof value;
}

/** The name of an object's class from its prototype's own `constructor`, or 'object'. */
function className(value: object): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || typeof proto !== 'object') return 'object';
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  if (typeof ctor !== 'function') return 'object';
  const name: unknown = Object.getOwnPropertyDescriptor(ctor, 'name')?.value;
  return typeof name === 'string' && name !== '' ? name : 'object';
}
