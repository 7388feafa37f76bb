import { exp as expKernel, log as logKernel, logSoftmax as logSoftmaxKernel, logSoftmaxBackward, mul, relu as reluKernel, reluBackward, sigmoid as sigmoidKernel, sigmoidBackward, softmax as softmaxKernel, softmaxBackward, tanh as tanhKernel, tanhBackward } from '../backend.js';
import { apply, type Function } from '../function.js';
import { normDim } from '../shapes.js';
import { checkFloat, coreOf, empty, type Tensor } from '../tensor.js';
import { transpose } from './shape.js';

// Unary maps and row-wise softmax, each on the core's kernels. The Functions whose derivative is
// a function of the output (exp, tanh, sigmoid, softmax) save the output, not the input.

type UnaryKernel = typeof expKernel;

function unary(fn: Function<void, Tensor> | Function<void, null>, x: Tensor): Tensor {
  coreOf(fn.name, x);
  checkFloat(fn.name, x);
  return apply(fn as Function<void, unknown>, [x], undefined);
}

function map(kernel: UnaryKernel, x: Tensor): Tensor {
  const out = empty(x.core, x.shape);
  kernel(x.core, { n: x.size, x: x.ptr, out: out.ptr });
  return out;
}

function gradFrom(kernel: typeof tanhBackward, y: Tensor, g: Tensor): Tensor {
  const dx = empty(g.core, g.shape);
  kernel(g.core, { n: g.size, y: y.ptr, dy: g.ptr, dx: dx.ptr });
  return dx;
}

const ExpFn: Function<void, Tensor> = {
  name: 'exp',
  forward: (ctx, [x]) => (ctx.saved = map(expKernel, x)),
  backward: ({ saved }, [g]) => [product(g!, saved!)],
};

const LogFn: Function<void, null> = {
  name: 'log',
  forward: (_ctx, [x]) => map(logKernel, x),
  // NOTE: ∂log x/∂x = 1/x is Inf at 0 (and log x there is −Inf): clamp inputs upstream if they can reach 0.
  backward: ({ inputs: [x] }, [g]) => {
    const dx = empty(g!.core, g!.shape);
    const f = g!.core.arena.f32;
    const pg = g!.ptr >>> 2, px = x.ptr >>> 2, pd = dx.ptr >>> 2;
    for (let i = 0; i < dx.size; i++) f[pd + i] = f[pg + i] / f[px + i];
    return [dx];
  },
};

const TanhFn: Function<void, Tensor> = {
  name: 'tanh',
  forward: (ctx, [x]) => (ctx.saved = map(tanhKernel, x)),
  backward: ({ saved }, [g]) => [gradFrom(tanhBackward, saved!, g!)],
};

const SigmoidFn: Function<void, Tensor> = {
  name: 'sigmoid',
  forward: (ctx, [x]) => (ctx.saved = map(sigmoidKernel, x)),
  backward: ({ saved }, [g]) => [gradFrom(sigmoidBackward, saved!, g!)],
};

const ReluFn: Function<void, null> = {
  name: 'relu',
  forward: (_ctx, [x]) => map(reluKernel, x),
  // NOTE: the subgradient at 0 is 0 (PyTorch's choice).
  backward: ({ inputs: [x] }, [g]) => {
    const dx = empty(g!.core, g!.shape);
    reluBackward(g!.core, { n: g!.size, x: x.ptr, dy: g!.ptr, dx: dx.ptr });
    return [dx];
  },
};

function product(a: Tensor, b: Tensor): Tensor {
  const out = empty(a.core, a.shape);
  mul(a.core, { n: a.size, a: a.ptr, b: b.ptr, out: out.ptr });
  return out;
}

/** eˣ elementwise (Cephes expf; +Inf above ≈ 88.7). */
export const exp = (x: Tensor): Tensor => unary(ExpFn, x);
/** log x elementwise (log 0 = −Inf, log of a negative = NaN). */
export const log = (x: Tensor): Tensor => unary(LogFn, x);
/** tanh x elementwise. */
export const tanh = (x: Tensor): Tensor => unary(TanhFn, x);
/** σ(x) = 1/(1 + e⁻ˣ) elementwise. */
export const sigmoid = (x: Tensor): Tensor => unary(SigmoidFn, x);
/** max(x, 0) elementwise. */
export const relu = (x: Tensor): Tensor => unary(ReluFn, x);

function rowsForward(kernel: typeof softmaxKernel, x: Tensor): Tensor {
  const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  const out = empty(x.core, x.shape);
  if (x.size > 0) kernel(x.core, { rows: x.size / cols, cols, x: x.ptr, out: out.ptr });
  return out;
}

function rowsBackward(kernel: typeof softmaxBackward, y: Tensor, g: Tensor): Tensor {
  const cols = y.shape.length === 0 ? 1 : y.shape[y.shape.length - 1];
  const dx = empty(g.core, g.shape);
  if (g.size > 0) kernel(g.core, { rows: g.size / cols, cols, y: y.ptr, dy: g.ptr, dx: dx.ptr });
  return dx;
}

const SoftmaxFn: Function<void, Tensor> = {
  name: 'softmax',
  forward: (ctx, [x]) => (ctx.saved = rowsForward(softmaxKernel, x)),
  backward: ({ saved }, [g]) => [rowsBackward(softmaxBackward, saved!, g!)],
};

const LogSoftmaxFn: Function<void, Tensor> = {
  name: 'logSoftmax',
  forward: (ctx, [x]) => (ctx.saved = rowsForward(logSoftmaxKernel, x)),
  backward: ({ saved }, [g]) => [rowsBackward(logSoftmaxBackward, saved!, g!)],
};

function alongDim(fn: Function<void, Tensor>, x: Tensor, dim: number): Tensor {
  coreOf(fn.name, x);
  checkFloat(fn.name, x);
  const d = normDim(fn.name, dim, x.shape.length);
  const last = Math.max(x.shape.length - 1, 0);
  if (d === last) return apply(fn, [x], undefined);
  // The kernels work on rows (the last dimension): move `dim` there and back.
  return transpose(apply(fn, [transpose(x, d, last)], undefined), d, last);
}

/**
 * softmax(x)ᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m} along `dim` (default the last), m the max (so no
 * exponent is positive). NOTE: a slice made only of −Inf gives NaN.
 */
export const softmax = (x: Tensor, dim = -1): Tensor => alongDim(SoftmaxFn, x, dim);

/** log softmax(x) along `dim` (default the last), computed as (x − m) − log Σ e^{x − m}. */
export const logSoftmax = (x: Tensor, dim = -1): Tensor => alongDim(LogSoftmaxFn, x, dim);
