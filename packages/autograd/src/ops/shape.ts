import { embeddingGather, embeddingScatterAdd, fail } from '../backend.js';
import { apply, type Function } from '../function.js';
import { fmt, normDim, sameShape, sizeOf, stridesOf, type Shape } from '../shapes.js';
import { coreOf, empty, Tensor } from '../tensor.js';
import { accumulateLeafRows } from '../tape.js';

// Shape operations. NOTE: every tensor owns its block (one lifetime rule, no aliasing), so these
// copy: a reshape is a memcpy, a permute a strided gather. Cheap next to the GEMMs around them.

function copyBytes(from: Tensor, to: Tensor): void {
  to.core.arena.u8.copyWithin(to.ptr, from.ptr, from.ptr + from.size * 4);
}

function sameData(x: Tensor, shape: Shape): Tensor {
  const out = empty(x.core, shape, x.dtype);
  copyBytes(x, out);
  return out;
}

const ReshapeFn: Function<Shape, null> = {
  name: 'reshape',
  forward: (_ctx, [x], shape) => sameData(x, shape),
  backward: ({ inputs: [x] }, [g]) => [sameData(g!, x.shape)],
};

/** The same elements in a new shape of equal size; one dimension may be −1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  coreOf('reshape', x);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
    throw fail('E_SHAPE', `reshape: shape must be an array of integers >= -1, got ${JSON.stringify(shape)}`);
  }
  const s = shape.slice();
  const free = s.indexOf(-1);
  if (free !== s.lastIndexOf(-1)) throw fail('E_SHAPE', `reshape: at most one dimension may be -1, got ${fmt(shape)}`);
  if (free >= 0) {
    const rest = sizeOf(s.filter((d) => d !== -1));
    if (rest === 0 || x.size % rest !== 0) throw fail('E_SHAPE', `reshape: cannot reshape ${fmt(x.shape)} into ${fmt(shape)}`);
    s[free] = x.size / rest;
  }
  if (sizeOf(s) !== x.size) throw fail('E_SHAPE', `reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) into ${fmt(shape)}`);
  return apply(ReshapeFn, [x], s);
}

function permuteData(x: Tensor, dims: readonly number[]): Tensor {
  const rank = dims.length;
  const shape = dims.map((d) => x.shape[d]);
  const out = empty(x.core, shape, x.dtype);
  const xs = stridesOf(x.shape);
  const strides = dims.map((d) => xs[d]);
  const view = x.dtype === 'float32' ? x.core.arena.f32 : x.core.arena.i32;
  const px = x.ptr >>> 2, po = out.ptr >>> 2, n = out.size;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    view[po + i] = view[px + off];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Reorders dimensions: out.shape[i] = x.shape[dims[i]]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  coreOf('permute', x);
  const rank = x.shape.length;
  if (!Array.isArray(dims) || dims.length !== rank) throw fail('E_ARGUMENT', `permute: dims must list all ${rank} dimensions of ${fmt(x.shape)}, got ${JSON.stringify(dims)}`);
  const d = dims.map((v) => normDim('permute', v, rank));
  if (new Set(d).size !== rank) throw fail('E_ARGUMENT', `permute: dims must be a permutation, got ${JSON.stringify(dims)}`);
  return apply(PermuteWith, [x], d);
}

const PermuteWith: Function<readonly number[], readonly number[]> = {
  name: 'permute',
  forward: (ctx, [x], dims) => {
    ctx.saved = dims;
    return permuteData(x, dims);
  },
  backward: ({ saved }, [g]) => {
    const inverse = new Array<number>(saved!.length);
    saved!.forEach((d, i) => (inverse[d] = i));
    return [permuteData(g!, inverse)];
  },
};

/** Swaps two dimensions (default the last two: a matrix transpose). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  coreOf('transpose', x);
  const rank = x.shape.length;
  const a = normDim('transpose', dim0, rank), b = normDim('transpose', dim1, rank);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return apply(PermuteWith, [x], dims);
}

/** Copies blocks between a tensor and a slab [start, start+len) of `dim` in another. */
function copySlab(src: Tensor, srcDimOffset: number, dst: Tensor, dstDimOffset: number, dim: number, len: number): void {
  const outer = sizeOf(src.shape.slice(0, dim));
  const inner = sizeOf(src.shape.slice(dim + 1));
  const srcRow = src.shape[dim] * inner, dstRow = dst.shape[dim] * inner;
  const u8 = dst.core.arena.u8;
  const bytes = len * inner * 4;
  if (bytes === 0) return;
  for (let o = 0; o < outer; o++) {
    const s = src.ptr + (o * srcRow + srcDimOffset * inner) * 4;
    u8.copyWithin(dst.ptr + (o * dstRow + dstDimOffset * inner) * 4, s, s + bytes);
  }
}

interface SliceOptions {
  dim: number;
  start: number;
  len: number;
}

const SliceFn: Function<SliceOptions, SliceOptions> = {
  name: 'slice',
  forward: (ctx, [x], o) => {
    ctx.saved = o;
    const shape = x.shape.slice();
    shape[o.dim] = o.len;
    const out = empty(x.core, shape, x.dtype);
    copySlab(x, o.start, out, 0, o.dim, o.len);
    return out;
  },
  backward: ({ inputs: [x], saved }, [g]) => {
    const dx = empty(g!.core, x.shape);
    g!.core.arena.f32.fill(0, dx.ptr >>> 2, (dx.ptr >>> 2) + dx.size);
    copySlab(g!, 0, dx, saved!.start, saved!.dim, saved!.len);
    return [dx];
  },
};

/**
 * Elements start…end−1 along `dim` (Python slice bounds: negative counts from the end, out of
 * range is clamped; end defaults to the dimension's size).
 */
export function slice(x: Tensor, dim: number, start: number, end?: number): Tensor {
  coreOf('slice', x);
  const d = normDim('slice', dim, x.shape.length);
  const size = x.shape[d];
  const e0 = end ?? size;
  if (!Number.isInteger(start) || !Number.isInteger(e0)) throw fail('E_ARGUMENT', `slice: start and end must be integers, got ${start} and ${String(end)}`);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = clamp(start), e = clamp(e0);
  return apply(SliceFn, [x], { dim: d, start: s, len: Math.max(e - s, 0) });
}

const ConcatFn: Function<number, number> = {
  name: 'concat',
  forward: (ctx, xs, dim) => {
    ctx.saved = dim;
    const shape = xs[0].shape.slice();
    shape[dim] = xs.reduce((acc, t) => acc + t.shape[dim], 0);
    const out = empty(xs[0].core, shape, xs[0].dtype);
    let at = 0;
    for (const t of xs) {
      copySlab(t, 0, out, at, dim, t.shape[dim]);
      at += t.shape[dim];
    }
    return out;
  },
  backward: ({ inputs, needsGrad, saved }, [g]) => {
    const dim = saved!;
    let at = 0;
    return inputs.map((t, i) => {
      const len = t.shape[dim];
      const start = at;
      at += len;
      if (!needsGrad[i]) return null;
      const dx = empty(g!.core, t.shape);
      copySlab(g!, start, dx, 0, dim, len);
      return dx;
    });
  },
};

/** Joins tensors along an existing dimension; all other dimensions must agree. */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw fail('E_ARGUMENT', 'concat: expected a non-empty array of tensors');
  const first = tensors[0];
  coreOf('concat', first);
  const d = normDim('concat', dim, first.shape.length);
  for (const t of tensors) {
    coreOf('concat', first, t);
    if (t.dtype !== first.dtype) throw fail('E_ARGUMENT', `concat: dtypes differ (${first.dtype} and ${t.dtype})`);
    const ok = t.shape.length === first.shape.length && t.shape.every((v: number, i: number) => i === d || v === first.shape[i]);
    if (!ok) throw fail('E_SHAPE', `concat: shapes ${fmt(first.shape)} and ${fmt(t.shape)} differ outside dimension ${d}`);
  }
  return apply(ConcatFn, tensors, d);
}

/** Joins equally shaped tensors along a new dimension `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw fail('E_ARGUMENT', 'stack: expected a non-empty array of tensors');
  const shape = tensors[0].shape;
  for (const t of tensors) {
    coreOf('stack', tensors[0], t);
    if (!sameShape(t.shape, shape)) throw fail('E_SHAPE', `stack: shapes ${fmt(shape)} and ${fmt(t.shape)} differ`);
  }
  const d = normDim('stack', dim, shape.length + 1);
  const expanded = shape.slice();
  expanded.splice(d, 0, 1);
  return concat(tensors.map((t) => reshape(t, expanded)), d);
}

/**
 * Splits along `dim` into pieces of `size` (the last may be smaller) or, given an array, of
 * those sizes (which must add up to the dimension).
 */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  coreOf('split', x);
  const d = normDim('split', dim, x.shape.length);
  const total = x.shape[d];
  let sizes: number[];
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size < 1) throw fail('E_ARGUMENT', `split: size must be a positive integer, got ${size}`);
    sizes = [];
    for (let s = 0; s < total; s += size) sizes.push(Math.min(size, total - s));
  } else {
    sizes = size.slice();
    if (!sizes.every((s) => Number.isInteger(s) && s >= 0) || sizes.reduce((a, b) => a + b, 0) !== total) {
      throw fail('E_SHAPE', `split: sizes ${JSON.stringify(size)} must be non-negative integers adding up to ${total} (dimension ${d} of ${fmt(x.shape)})`);
    }
  }
  let at = 0;
  return sizes.map((s) => {
    const piece = apply(SliceFn, [x], { dim: d, start: at, len: s });
    at += s;
    return piece;
  });
}

function checkIndexTensor(op: string, ids: Tensor): void {
  if (!(ids instanceof Tensor) || ids.dtype !== 'int32') throw fail('E_ARGUMENT', `${op}: indices must be an int32 tensor`);
}

const IndexFn: Function<void, null> = {
  name: 'index',
  forward: (_ctx, [x, ids]) => {
    const rest = x.shape.slice(1);
    const out = empty(x.core, [...ids.shape, ...rest]);
    embeddingGather(x.core, { n: ids.size, v: x.shape[0], d: sizeOf(rest), ids: ids.ptr, table: x.ptr, out: out.ptr });
    return out;
  },
  backward: ({ inputs: [x, ids] }, [g]) => {
    // A leaf (an embedding's weight) gets its rows added in place: no dense [V, D] gradient.
    if (x.node === null) {
      accumulateLeafRows(x, ids, g!);
      return [null, null];
    }
    const dx = empty(g!.core, x.shape);
    g!.core.arena.f32.fill(0, dx.ptr >>> 2, (dx.ptr >>> 2) + dx.size);
    embeddingScatterAdd(g!.core, { n: ids.size, v: x.shape[0], d: sizeOf(x.shape.slice(1)), ids: ids.ptr, grad: g!.ptr, dtable: dx.ptr });
    return [dx, null];
  },
};

/**
 * Rows of x picked by int32 indices along the first dimension: out[i…, :] = x[ids[i…], :], shape
 * [...ids.shape, ...x.shape[1:]] (an embedding lookup). Repeated indices accumulate their gradients.
 * An index outside [0, x.shape[0]) is an E_ARGUMENT error.
 */
export function index(x: Tensor, ids: Tensor): Tensor {
  coreOf('index', x, ids);
  checkIndexTensor('index', ids);
  if (x.dtype !== 'float32') throw fail('E_ARGUMENT', 'index: x must be float32');
  if (x.shape.length === 0) throw fail('E_SHAPE', 'index: x must have at least one dimension');
  return apply(IndexFn, [x, ids], undefined);
}

/** Flat source offset in x of each element of the index tensor (PyTorch gather's addressing). */
function gatherOffsets(op: string, x: Tensor, dim: number, ids: Tensor): Int32Array {
  const rank = x.shape.length;
  const xs = stridesOf(x.shape);
  const shape = ids.shape;
  const n = ids.size;
  const offs = new Int32Array(n);
  const iv = ids.core.arena.i32;
  const pi = ids.ptr >>> 2;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    const v = iv[pi + i];
    if (v < 0 || v >= x.shape[dim]) throw fail('E_ARGUMENT', `${op}: index[${i}] must be in [0, ${x.shape[dim]}), got ${v}`);
    let off = 0;
    for (let d = 0; d < rank; d++) off += (d === dim ? v : idx[d]) * xs[d];
    offs[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return offs;
}

const GatherFn: Function<number, Int32Array> = {
  name: 'gather',
  forward: (ctx, [x, ids], dim) => {
    const offs = gatherOffsets('gather', x, dim, ids);
    ctx.saved = offs;
    const out = empty(x.core, ids.shape);
    const f = x.core.arena.f32;
    const px = x.ptr >>> 2, po = out.ptr >>> 2;
    for (let i = 0; i < offs.length; i++) f[po + i] = f[px + offs[i]];
    return out;
  },
  backward: ({ inputs: [x], saved }, [g]) => {
    const dx = empty(g!.core, x.shape);
    const f = g!.core.arena.f32;
    const pd = dx.ptr >>> 2, pg = g!.ptr >>> 2;
    f.fill(0, pd, pd + dx.size);
    const offs = saved!;
    for (let i = 0; i < offs.length; i++) f[pd + offs[i]] += f[pg + i];
    return [dx, null];
  },
};

/**
 * PyTorch's gather: out[i][j][k] = x[i][ids[i][j][k]][k] for dim = 1 (and likewise for other
 * dims). ids is int32 with x's rank and no dimension larger than x's (except along dim).
 */
export function gather(x: Tensor, dim: number, ids: Tensor): Tensor {
  coreOf('gather', x, ids);
  checkIndexTensor('gather', ids);
  if (x.dtype !== 'float32') throw fail('E_ARGUMENT', 'gather: x must be float32');
  const d = normDim('gather', dim, x.shape.length);
  if (ids.shape.length !== x.shape.length || ids.shape.some((v, i) => i !== d && v > x.shape[i])) {
    throw fail('E_SHAPE', `gather: index of shape ${fmt(ids.shape)} does not fit input of shape ${fmt(x.shape)} along dim ${d}`);
  }
  return apply(GatherFn, [x, ids], d);
}
