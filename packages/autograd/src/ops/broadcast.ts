import { fail } from '../backend.js';
import { broadcastStrides, sameShape, sizeOf, type Shape } from '../shapes.js';

// Where each element of a broadcast result reads from in an operand. Plain loops over the arena's
// views use these; same-shape operands take the kernels instead.

/**
 * Offsets of `shape`'s elements for each element of `outShape` (which it broadcasts to): a number
 * m means offset i mod m (the operand is `outShape`'s trailing block, the common bias case, and
 * m = size(outShape) when the shapes are equal); otherwise an explicit table.
 */
export type Offsets = number | Int32Array;

export function offsets(shape: Shape, outShape: Shape): Offsets {
  const n = sizeOf(outShape);
  if (sameShape(shape, outShape)) return Math.max(n, 1);
  // Strip leading 1s: [1, 1, H] against [T, B, H] is the tiling case too.
  let lead = 0;
  while (lead < shape.length && shape[lead] === 1) lead++;
  const rest = shape.slice(lead);
  if (rest.length <= outShape.length && sameShape(rest, outShape.slice(outShape.length - rest.length))) return Math.max(sizeOf(rest), 1);
  const rank = outShape.length;
  const strides = broadcastStrides(shape, rank);
  const table = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    table[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < outShape[d]) break;
      off -= strides[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return table;
}

/** Source offset of element i. */
export function at(o: Offsets, i: number): number {
  return typeof o === 'number' ? i % o : o[i];
}

/** Checks that `shape` broadcasts to `target` (for the gradient reductions). */
export function checkBroadcastsTo(op: string, shape: Shape, target: Shape): void {
  const r = target.length;
  if (shape.length > r) throw fail('E_SHAPE', `${op}: [${shape.join(', ')}] does not broadcast to [${target.join(', ')}]`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    const t = target[r - shape.length + i];
    if (d !== t && d !== 1) throw fail('E_SHAPE', `${op}: [${shape.join(', ')}] does not broadcast to [${target.join(', ')}]`);
  }
}
