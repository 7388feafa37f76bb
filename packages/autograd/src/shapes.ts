import { fail } from './backend.js';

// Shape arithmetic shared by the ops: sizes, formatting for error messages, broadcasting.

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** `[2, 3]`, as error messages print shapes. */
export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks a user-given shape: non-negative integer dimensions. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 0x7fffffff)) {
    throw fail('E_SHAPE', `${op}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape.slice();
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Trailing-dimension broadcasting (NumPy/PyTorch rules): shapes are aligned on their last
 * dimension; each pair of dimensions must be equal or one of them 1.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw fail('E_SHAPE', `${op}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast (dimension ${i - n} is ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides of `shape` seen from a broadcast result of rank `rank`: 0 on dimensions it is
 * broadcast along (missing or of size 1), so index·strides walks its storage.
 */
export function broadcastStrides(shape: Shape, rank: number): number[] {
  const s = stridesOf(shape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) out[rank - shape.length + i] = shape[i] === 1 ? 0 : s[i];
  return out;
}

/** A dimension index, negative counting from the end, checked against the rank. */
export function normDim(op: string, dim: number, rank: number): number {
  if (!Number.isInteger(dim) || dim < -rank || dim >= Math.max(rank, 1)) {
    throw fail('E_ARGUMENT', `${op}: dim must be an integer in [${-rank}, ${rank}), got ${dim}`);
  }
  return dim < 0 ? dim + rank : dim;
}
