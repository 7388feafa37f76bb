import type { Core } from '../core.js';
import { EddyError, describe } from '../errors.js';
import { checkDim, checkMatrix, checkStride, checkVector } from '../validate.js';

// Checks shared by the fused recurrent kernels' wrappers (LSTM, Elman RNN): the sequence sizes,
// flags, optional pointers (0 or absent = not given) and the packed-sequence lengths.

/** Sizes of one recurrent call: T steps, batch B, input width I, hidden width H. */
export interface SequenceSizes {
  T: number;
  B: number;
  I: number;
  H: number;
}

export function checkSequenceSizes(op: string, args: SequenceSizes): SequenceSizes {
  return {
    T: checkDim(op, 'T', args.T),
    B: checkDim(op, 'B', args.B),
    I: checkDim(op, 'I', args.I),
    H: checkDim(op, 'H', args.H),
  };
}

/** A boolean option passed to the kernel as i32 0/1; absent = false. */
export function checkFlag(op: string, name: string, value: unknown): 0 | 1 {
  if (value === undefined) return 0;
  if (typeof value !== 'boolean') {
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be a boolean, got ${describe(value)}`);
  }
  return value ? 1 : 0;
}

/** A matrix that may be absent (undefined or 0, passed on as 0). */
export function checkOptionalMatrix(
  core: Core, op: string, name: string, ptr: unknown, rows: number, cols: number, ld = cols,
): number {
  return ptr === undefined || ptr === 0 ? 0 : checkMatrix(core, op, name, ptr, rows, cols, ld);
}

/** A row stride that defaults to the row length `cols`. */
export function checkRowStride(op: string, name: string, value: unknown, cols: number): number {
  return checkStride(op, name, value ?? Math.max(cols, 1), cols);
}

/**
 * Packed-sequence lengths: int32[B] with every value in [0, T] (absent or 0 = all T). The kernels
 * trust these values, so each one is read and checked here.
 */
export function checkLengths(core: Core, op: string, ptr: unknown, B: number, T: number): number {
  if (ptr === undefined || ptr === 0) return 0;
  const p = checkVector(core, op, 'lengths', ptr, B);
  const view = core.arena.i32;
  for (let b = 0; b < B; b++) {
    const len = view[(p >>> 2) + b];
    if (len < 0 || len > T) {
      throw new EddyError('E_ARGUMENT', `${op}: lengths[${b}] must be in [0, T = ${T}], got ${len}`);
    }
  }
  return p;
}

/** A byte count from a size export (usize comes back as a signed i32; saturated means too big). */
export function bytesFromAbi(value: number): number {
  return value >>> 0;
}
