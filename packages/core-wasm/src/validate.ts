import type { Core } from './core.js';
import { EddyError, describe } from './errors.js';
import { unknownKeyError } from './options.js';

// Checks every kernel wrapper runs before it calls into wasm, so that bad input becomes a typed
// error naming the operation and argument instead of a trap, a silent overrun or a wrong answer.

const MAX_DIM = 0x7fffffff;

/** A size: an integer in [min, 2³¹). */
export function checkDim(op: string, name: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_DIM) {
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

/** A scalar that must be finite (α, β, learning rates…). */
export function checkFinite(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

/** A leading dimension (row stride in elements) of a matrix with `cols` columns. */
export function checkStride(op: string, name: string, value: unknown, cols: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < Math.max(cols, 1) || value > MAX_DIM) {
    throw new EddyError(
      'E_ARGUMENT',
      `${op}: ${name} must be an integer >= ${Math.max(cols, 1)} (the row length), got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * A pointer to `bytes` bytes: an element-aligned offset at or above the arena's base whose whole
 * extent lies inside memory. Arena allocations are 16-byte aligned; kernels accept any 4-byte
 * aligned offset so that sub-blocks (a gate's rows of a weight) can be passed directly.
 */
export function checkPointer(core: Core, op: string, name: string, ptr: unknown, bytes: number, align = 4): number {
  if (typeof ptr !== 'number' || !Number.isInteger(ptr) || ptr < 0) {
    throw new EddyError('E_POINTER', `${op}: ${name} must be a byte offset (non-negative integer), got ${describe(ptr)}`);
  }
  if (bytes === 0) return ptr;
  if (ptr % align !== 0) {
    throw new EddyError('E_POINTER', `${op}: ${name} must be ${align}-byte aligned, got offset ${ptr}`);
  }
  if (ptr < core.arena.base) {
    throw new EddyError('E_POINTER', `${op}: ${name} = ${ptr} points below the arena (base ${core.arena.base}), into the core's static data`);
  }
  if (ptr + bytes > memoryBytes(core, ptr + bytes)) {
    const size = core.memory.buffer.byteLength;
    throw new EddyError('E_POINTER', `${op}: ${name} spans bytes [${ptr}, ${ptr + bytes}) but memory has ${size} bytes`);
  }
  return ptr;
}

// NOTE: `memory.buffer` is a getter that costs about as much as a 5×5 GEMM's other checks together,
// and every kernel call checks several pointers. Memory only grows, so a size once read stays a lower
// bound: it is read again only for a pointer that seems to lie past it.
let lastMemory: WebAssembly.Memory | null = null;
let lastBytes = 0;

/** The byte size of `core`'s memory, at least as large as `end` if the memory is. */
function memoryBytes(core: Core, end: number): number {
  if (core.memory === lastMemory && end <= lastBytes) return lastBytes;
  lastMemory = core.memory;
  lastBytes = core.memory.buffer.byteLength;
  return lastBytes;
}

/** Bytes spanned by a float32 rows×cols matrix with row stride ld (0 when empty). */
export function matrixBytes(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : ((rows - 1) * ld + cols) * 4;
}

/** A row-major float32 matrix of rows×cols with row stride ld (elements). */
export function checkMatrix(core: Core, op: string, name: string, ptr: unknown, rows: number, cols: number, ld: number): number {
  return checkPointer(core, op, name, ptr, matrixBytes(rows, cols, ld));
}

/** A flag: a boolean, never a truthy stand-in (0/1 would be accepted by accident elsewhere). */
export function checkFlag(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/**
 * Two regions that must not share a byte (an output and an input the kernel reads after it wrote
 * the output, or two outputs, or two state buffers updated element by element).
 */
export function checkDisjoint(op: string, aName: string, a: number, aBytes: number, bName: string, b: number, bBytes: number): void {
  if (aBytes > 0 && bBytes > 0 && a < b + bBytes && b < a + aBytes) {
    throw new EddyError(
      'E_POINTER',
      `${op}: ${aName} must not overlap ${bName}; ${aName} spans bytes [${a}, ${a + aBytes}) and ${bName} [${b}, ${b + bBytes})`,
    );
  }
}

/**
 * Output `out` (spanning `outBytes`) must be the very pointer of input `inp` with the same layout
 * (then the kernel reads each element before writing it) or not overlap it at all: a shifted overlap
 * would read values the kernel already overwrote.
 */
export function checkAliasing(
  op: string, outName: string, out: number, outBytes: number, inName: string, inp: number, inBytes: number, sameLayout = true,
): void {
  if (outBytes === 0 || inBytes === 0) return;
  if (out === inp && sameLayout) return;
  if (out < inp + inBytes && inp < out + outBytes) {
    throw new EddyError(
      'E_POINTER',
      `${op}: ${outName} must be the same pointer as ${inName}${sameLayout ? '' : ' with the same row stride'} or not overlap it; ` +
        `${outName} spans bytes [${out}, ${out + outBytes}) and ${inName} [${inp}, ${inp + inBytes})`,
    );
  }
}

/** A float32 (or int32) vector of n elements. */
export function checkVector(core: Core, op: string, name: string, ptr: unknown, n: number): number {
  return checkPointer(core, op, name, ptr, n * 4);
}

/** Which twin of a kernel to run: the SIMD kernel (default) or its scalar reference. */
export type Impl = 'simd' | 'scalar';

export function checkImpl(op: string, impl: unknown): Impl {
  if (impl !== 'simd' && impl !== 'scalar') {
    throw new EddyError('E_ARGUMENT', `${op}: impl must be 'simd' or 'scalar', got ${describe(impl)}`);
  }
  return impl;
}

/**
 * The argument names a wrapper takes, written `{ name: true, … }`. Declare them with
 * `new ArgNames({ … } satisfies KnownArgs<XArgs>)`: the compiler then rejects a list that misses a
 * key of the args interface (a missing property) or names one it lacks (an excess property), so
 * the list cannot drift from the interface.
 */
export type KnownArgs<T> = { readonly [K in keyof Required<T>]: true };

/** A wrapper's argument names, with a memory of the last accepted key order (see `checkArgs`). */
export class ArgNames {
  readonly known: Readonly<Record<string, true>>;
  readonly names: readonly string[];
  /** Keys, in enumeration order, of the last args object that passed; each is a known name. */
  readonly last: string[];
  lastCount = 0;

  constructor(known: Readonly<Record<string, true>>) {
    this.known = known;
    this.names = Object.keys(known);
    // Preallocated: an accepted args object has at most one key per known name.
    this.last = this.names.map(() => '');
  }
}

/**
 * The args object is an object whose every key is one the wrapper reads: a misspelt optional key
 * (`dWih` for `dwIh`) would otherwise be ignored and its default used in silence, and excess-property
 * checks do not reach objects built by spreading. Keys whose value is undefined are checked too.
 *
 * Runs on every kernel call (per tape node in autograd), so it allocates nothing. A caller passes
 * the same object shape call after call, so the keys are first compared, by identity, with those
 * of the last accepted call; only on a difference is each key looked up (a keyed lookup of a
 * varying name costs about ten times the comparison).
 */
export function checkArgs(op: string, args: unknown, names: ArgNames): void {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new EddyError('E_ARGUMENT', `${op}: arguments must be an object of named arguments, got ${describe(args)}`);
  }
  const last = names.last;
  const count = names.lastCount;
  let i = 0;
  // `for…in` also visits inherited enumerable keys, which the wrappers would read as well.
  for (const key in args) {
    if (i === count || last[i] !== key) return lookUpEach(op, args, names);
    i++;
  }
  if (i !== count) lookUpEach(op, args, names);
}

function lookUpEach(op: string, args: object, names: ArgNames): void {
  names.lastCount = 0;
  let i = 0;
  for (const key in args) {
    // `!== true` rather than `in`: Object.prototype's names (`constructor`, `toString`) are not arguments.
    if (names.known[key] !== true) throw unknownKeyError(op, key, names.names, 'argument');
    names.last[i++] = key;
  }
  names.lastCount = i;
}
