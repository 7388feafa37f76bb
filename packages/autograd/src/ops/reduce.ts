import { fail, sum as sumKernel } from '../backend.js';
import { apply, type Function } from '../function.js';
import { normDim, sizeOf, type Shape } from '../shapes.js';
import { checkFloat, coreOf, empty, type Tensor } from '../tensor.js';
import { at, offsets } from './broadcast.js';

// Reductions over dimensions (sum, mean, max, argmax) with keepDim. Sums accumulate in float64.

interface Plan {
  /** The input's shape with the reduced dimensions set to 1. */
  keepShape: number[];
  /** The output's shape (keepShape, or without the reduced dimensions). */
  outShape: number[];
  /** Elements reduced into each output element. */
  count: number;
}

function plan(op: string, shape: Shape, dim: number | readonly number[] | undefined, keepDim: boolean): Plan {
  const rank = shape.length;
  let dims: number[];
  if (dim === undefined || dim === null) dims = shape.map((_, i) => i);
  else if (typeof dim === 'number') dims = [normDim(op, dim, rank)];
  else if (Array.isArray(dim)) dims = dim.map((d) => normDim(op, d, rank));
  else throw fail('E_ARGUMENT', `${op}: dim must be a number, an array of numbers or undefined`);
  if (new Set(dims).size !== dims.length) throw fail('E_ARGUMENT', `${op}: dim lists a dimension twice: [${String(dim)}]`);
  const keepShape = shape.slice();
  let count = 1;
  for (const d of dims) {
    count *= shape[d];
    keepShape[d] = 1;
  }
  const outShape = keepDim ? keepShape : shape.filter((_, i) => !dims.includes(i));
  return { keepShape, outShape, count };
}

interface SumOptions extends Plan {
  scale: number;
}

/** Σ of x into `keepShape` (float64 accumulation), times `scale`, stored with `outShape`. */
function sumForward(x: Tensor, p: SumOptions): Tensor {
  const core = x.core;
  const out = empty(core, p.outShape);
  const f = core.arena.f32;
  if (out.size === 1) {
    f[out.ptr >>> 2] = sumKernel(core, { n: x.size, x: x.ptr }) * p.scale;
    return out;
  }
  const o = offsets(p.keepShape, x.shape);
  const acc = new Float64Array(out.size);
  const px = x.ptr >>> 2, n = x.size;
  for (let i = 0; i < n; i++) acc[at(o, i)] += f[px + i];
  const po = out.ptr >>> 2;
  for (let i = 0; i < acc.length; i++) f[po + i] = acc[i] * p.scale;
  return out;
}

/** g (of the reduced shape) copied back over the reduced dimensions, times `scale`. */
function spread(g: Tensor, keepShape: Shape, shape: Shape, scale: number): Tensor {
  const out = empty(g.core, shape);
  const o = offsets(keepShape, shape);
  const f = g.core.arena.f32;
  const pg = g.ptr >>> 2, po = out.ptr >>> 2, n = out.size;
  for (let i = 0; i < n; i++) f[po + i] = f[pg + at(o, i)] * scale;
  return out;
}

const SumFn: Function<SumOptions, SumOptions> = {
  name: 'sum',
  forward: (ctx, [x], p) => {
    ctx.saved = p;
    return sumForward(x, p);
  },
  backward: ({ inputs: [x], saved }, [g]) => [spread(g!, saved!.keepShape, x.shape, saved!.scale)],
};

/** Σ of x over `dim` (a dimension, a list, or all when omitted); keepDim keeps them as size 1. */
export function sum(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  coreOf('sum', x);
  checkFloat('sum', x);
  return apply(SumFn, [x], { ...plan('sum', x.shape, dim, keepDim), scale: 1 });
}

/** The mean of x over `dim` (all when omitted). NOTE: the mean of no elements is NaN. */
export function mean(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  coreOf('mean', x);
  checkFloat('mean', x);
  const p = plan('mean', x.shape, dim, keepDim);
  return apply(SumFn, [x], { ...p, scale: p.count === 0 ? NaN : 1 / p.count });
}

interface MaxSaved {
  /** Flat input index of the element each output took. */
  arg: Int32Array;
}

/** Max (and its flat index) into each output element; NaN wins, so NaN propagates. */
function maxForward(x: Tensor, p: Plan): { out: Tensor; arg: Int32Array } {
  if (p.count === 0) throw fail('E_SHAPE', `max: cannot reduce over an empty dimension (shape [${x.shape.join(', ')}])`);
  const out = empty(x.core, p.outShape);
  const o = offsets(p.keepShape, x.shape);
  const best = new Float32Array(out.size).fill(-Infinity);
  const arg = new Int32Array(out.size).fill(-1);
  const f = x.core.arena.f32;
  const px = x.ptr >>> 2, n = x.size;
  for (let i = 0; i < n; i++) {
    const j = at(o, i);
    const v = f[px + i];
    const b = best[j];
    // NOTE: ties go to the first index (strict >), as PyTorch's max(dim); NaN beats everything.
    if (arg[j] < 0 || v > b || (v !== v && b === b)) {
      best[j] = v;
      arg[j] = i;
    }
  }
  f.set(best, out.ptr >>> 2);
  return { out, arg };
}

const MaxFn: Function<Plan, MaxSaved> = {
  name: 'max',
  forward: (ctx, [x], p) => {
    const { out, arg } = maxForward(x, p);
    ctx.saved = { arg };
    return out;
  },
  // The whole gradient goes to the element that was the max (the first one on ties).
  backward: ({ inputs: [x], saved }, [g]) => {
    const dx = empty(g!.core, x.shape);
    const f = g!.core.arena.f32;
    const pd = dx.ptr >>> 2, pg = g!.ptr >>> 2;
    f.fill(0, pd, pd + dx.size);
    const arg = saved!.arg;
    for (let j = 0; j < arg.length; j++) f[pd + arg[j]] += f[pg + j];
    return [dx];
  },
};

/** The max of x over `dim` (all when omitted); the gradient flows to the first maximal element. */
export function max(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  coreOf('max', x);
  checkFloat('max', x);
  return apply(MaxFn, [x], plan('max', x.shape, dim, keepDim));
}

/** Index of the max along `dim` (all, flattened, when omitted): an int32 tensor, no gradient. */
export function argmax(x: Tensor, dim?: number, keepDim = false): Tensor {
  coreOf('argmax', x);
  checkFloat('argmax', x);
  const p = plan('argmax', x.shape, dim, keepDim);
  const { out, arg } = maxForward(x, p);
  out.dispose();
  const res = empty(x.core, p.outShape, 'int32');
  const i32 = x.core.arena.i32;
  const pr = res.ptr >>> 2;
  if (dim === undefined) {
    i32[pr] = arg[0];
    return res;
  }
  // Flat index → coordinate along dim.
  const d = normDim('argmax', dim, x.shape.length);
  const inner = sizeOf(x.shape.slice(d + 1));
  for (let j = 0; j < arg.length; j++) i32[pr + j] = Math.floor(arg[j] / inner) % x.shape[d];
  return res;
}

