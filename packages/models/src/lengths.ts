import { Tensor } from '@eddy/autograd';
import { describe, fail } from './errors.js';

/** Valid steps per batch element, as every module with padded input takes them. */
export type Lengths = Tensor | readonly number[] | Int32Array;

/**
 * Checks `lengths` — an int32 Tensor [B], an Int32Array or an array of B integers, each in
 * [min, T] (`axis` names T in messages, e.g. 'T' or 'S') — and returns them as an Int32Array.
 * The one lengths check of the recurrent layers (min 0), attention (min 1: a softmax needs a key)
 * and the classifiers' pooling (min 1: an empty sequence has nothing to pool).
 */
export function readLengths(op: string, lengths: unknown, T: number, B: number, min: 0 | 1, axis = 'T'): Int32Array {
  let values: ArrayLike<number>;
  if (lengths instanceof Tensor) {
    lengths.check(op);
    if (lengths.dtype !== 'int32') throw fail('E_ARGUMENT', `${op}: lengths must be an int32 tensor, got ${lengths.dtype}`);
    if (lengths.shape.length !== 1 || lengths.shape[0] !== B) throw fail('E_SHAPE', `${op}: lengths must have shape [B] = [${B}], got [${lengths.shape.join(', ')}]`);
    values = lengths.toArray();
  } else if (Array.isArray(lengths) || lengths instanceof Int32Array) {
    if (lengths.length !== B) throw fail('E_SHAPE', `${op}: lengths must have B = ${B} entries, got ${lengths.length}`);
    values = lengths;
  } else {
    throw fail('E_ARGUMENT', `${op}: lengths must be an int32 Tensor or an array of integers, got ${describe(lengths)}`);
  }
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const v = values[b];
    if (!Number.isInteger(v) || v < min || v > T) throw fail('E_ARGUMENT', `${op}: lengths[${b}] must be an integer in [${min}, ${axis} = ${T}], got ${describe(v)}`);
    out[b] = v;
  }
  return out;
}
