import { add as addKernel, fail, mul as mulKernel, scale, sub as subKernel, type Core } from '../backend.js';
import { apply, type Function, type Node } from '../function.js';
import { broadcastShapes, fmt, sameShape, sizeOf, type Shape } from '../shapes.js';
import { checkFloat, coreOf, empty, Tensor } from '../tensor.js';
import { at, checkBroadcastsTo, offsets } from './broadcast.js';

// Elementwise binary math with trailing-dimension broadcasting, scalar operands, and where /
// maskedFill. Same-shape float32 operands go to the core's kernels; broadcasting is a plain loop.

const enum Op { Add, Sub, Mul, Div }
const NAMES = ['add', 'sub', 'mul', 'div'] as const;

function binaryForward(op: Op, a: Tensor, b: Tensor): Tensor {
  const name = NAMES[op];
  const core = coreOf(name, a, b);
  checkFloat(name, a, 'a');
  checkFloat(name, b, 'b');
  if (sameShape(a.shape, b.shape)) {
    const out = empty(core, a.shape);
    const n = out.size;
    if (op === Op.Add) addKernel(core, { n, a: a.ptr, b: b.ptr, out: out.ptr });
    else if (op === Op.Sub) subKernel(core, { n, a: a.ptr, b: b.ptr, out: out.ptr });
    else if (op === Op.Mul) mulKernel(core, { n, a: a.ptr, b: b.ptr, out: out.ptr });
    else {
      const f = core.arena.f32;
      const pa = a.ptr >>> 2, pb = b.ptr >>> 2, po = out.ptr >>> 2;
      for (let i = 0; i < n; i++) f[po + i] = f[pa + i] / f[pb + i];
    }
    return out;
  }
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = empty(core, shape);
  const oa = offsets(a.shape, shape), ob = offsets(b.shape, shape);
  const f = core.arena.f32;
  const pa = a.ptr >>> 2, pb = b.ptr >>> 2, po = out.ptr >>> 2, n = out.size;
  switch (op) {
    case Op.Add: for (let i = 0; i < n; i++) f[po + i] = f[pa + at(oa, i)] + f[pb + at(ob, i)]; break;
    case Op.Sub: for (let i = 0; i < n; i++) f[po + i] = f[pa + at(oa, i)] - f[pb + at(ob, i)]; break;
    case Op.Mul: for (let i = 0; i < n; i++) f[po + i] = f[pa + at(oa, i)] * f[pb + at(ob, i)]; break;
    case Op.Div: for (let i = 0; i < n; i++) f[po + i] = f[pa + at(oa, i)] / f[pb + at(ob, i)]; break;
  }
  return out;
}

/**
 * Σ of `g` over the dimensions along which an operand of shape `shape` was broadcast to g's shape
 * (the adjoint of broadcasting), summed in float64. Returns g itself when the shapes agree.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  checkBroadcastsTo('sumTo', shape, g.shape);
  const core = g.core;
  const o = offsets(shape, g.shape);
  const acc = new Float64Array(sizeOf(shape));
  const f = core.arena.f32;
  const pg = g.ptr >>> 2, n = g.size;
  for (let i = 0; i < n; i++) acc[at(o, i)] += f[pg + i];
  const out = empty(core, shape);
  core.arena.f32.set(acc, out.ptr >>> 2);
  return out;
}

/** Copies `x` broadcast to `shape` (no gradient; the adjoint of `sumTo`). */
export function expandTo(x: Tensor, shape: Shape): Tensor {
  checkBroadcastsTo('expand', x.shape, shape);
  const out = empty(x.core, shape);
  const o = offsets(x.shape, shape);
  const f = x.core.arena.f32;
  const px = x.ptr >>> 2, po = out.ptr >>> 2, n = out.size;
  for (let i = 0; i < n; i++) f[po + i] = f[px + at(o, i)];
  return out;
}

const AddFn: Function<void, null> = {
  name: 'add',
  forward: (_ctx, [a, b]) => binaryForward(Op.Add, a, b),
  backward: ({ needsGrad, inputs: [a, b] }, [g]) => [needsGrad[0] ? sumTo(g!, a.shape) : null, needsGrad[1] ? sumTo(g!, b.shape) : null],
};

const SubFn: Function<void, null> = {
  name: 'sub',
  forward: (_ctx, [a, b]) => binaryForward(Op.Sub, a, b),
  backward: ({ needsGrad, inputs: [a, b] }, [g]) => [needsGrad[0] ? sumTo(g!, a.shape) : null, needsGrad[1] ? sumTo(neg(g!), b.shape) : null],
};

const MulFn: Function<void, null> = {
  name: 'mul',
  forward: (_ctx, [a, b]) => binaryForward(Op.Mul, a, b),
  backward: ({ needsGrad, inputs: [a, b] }, [g]) => [
    needsGrad[0] ? sumTo(mul(g!, b), a.shape) : null,
    needsGrad[1] ? sumTo(mul(g!, a), b.shape) : null,
  ],
};

const DivFn: Function<void, Tensor> = {
  name: 'div',
  forward: (ctx, [a, b]) => (ctx.saved = binaryForward(Op.Div, a, b)),
  // ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b² = −(a/b)/b.
  backward: ({ needsGrad, inputs: [a, b], saved }, [g]) => {
    const gOverB = div(g!, b);
    return [needsGrad[0] ? sumTo(gOverB, a.shape) : null, needsGrad[1] ? sumTo(neg(mul(gOverB, saved!)), b.shape) : null];
  },
};

/** y = α·x + β with scalar α, β (what tensor-with-number arithmetic becomes). */
const AffineFn: Function<{ alpha: number; beta: number }, number> = {
  name: 'affine',
  forward: (ctx, [x], { alpha, beta }) => {
    ctx.saved = alpha;
    return affineForward(x.core, x, alpha, beta);
  },
  backward: ({ saved }, [g]) => [affineForward(g!.core, g!, saved!, 0)],
};

function affineForward(core: Core, x: Tensor, alpha: number, beta: number): Tensor {
  const out = empty(core, x.shape);
  const n = x.size;
  scale(core, { n, alpha, x: x.ptr, out: out.ptr });
  if (beta !== 0) {
    const f = core.arena.f32;
    const po = out.ptr >>> 2;
    for (let i = 0; i < n; i++) f[po + i] += beta;
  }
  return out;
}

function scalar(op: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw fail('E_ARGUMENT', `${op}: the scalar operand must be a finite number, got ${String(v)}`);
  return v;
}

function affine(op: string, x: Tensor, alpha: number, beta: number): Tensor {
  coreOf(op, x);
  checkFloat(op, x);
  return apply(AffineFn, [x], { alpha, beta });
}

/** a + b, broadcasting trailing dimensions; b may be a finite number. */
export function add(a: Tensor, b: Tensor | number): Tensor {
  return typeof b === 'number' ? affine('add', a, 1, scalar('add', b)) : apply(AddFn, [a, b], undefined);
}

/** a − b, broadcasting; b may be a finite number. */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  return typeof b === 'number' ? affine('sub', a, 1, -scalar('sub', b)) : apply(SubFn, [a, b], undefined);
}

/** a ⊙ b (elementwise), broadcasting; b may be a finite number. */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  return typeof b === 'number' ? affine('mul', a, scalar('mul', b), 0) : apply(MulFn, [a, b], undefined);
}

/** a / b (elementwise), broadcasting; b may be a finite non-zero number. NOTE: x/0 is ±Inf or NaN, as IEEE. */
export function div(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (scalar('div', b) === 0) throw fail('E_ARGUMENT', 'div: division by the scalar 0');
    return affine('div', a, 1 / b, 0);
  }
  return apply(DivFn, [a, b], undefined);
}

/** −x. */
export function neg(x: Tensor): Tensor {
  return affine('neg', x, -1, 0);
}

// where / maskedFill: the condition is any tensor (non-zero = true), broadcast to the output.

interface WhereSaved {
  cond: Tensor;
  shape: Shape;
}

function truthy(c: Tensor): Float32Array | Int32Array {
  return c.dtype === 'float32' ? c.core.arena.f32 : c.core.arena.i32;
}

/** g where the condition is `keep`, else 0: the gradient routed through one branch of `where`. */
function routeGrad(g: Tensor, cond: Tensor, keepWhen: boolean): Tensor {
  const out = empty(g.core, g.shape);
  const oc = offsets(cond.shape, g.shape);
  const f = g.core.arena.f32, cv = truthy(cond);
  const pg = g.ptr >>> 2, po = out.ptr >>> 2, pc = cond.ptr >>> 2, n = g.size;
  for (let i = 0; i < n; i++) f[po + i] = (cv[pc + at(oc, i)] !== 0) === keepWhen ? f[pg + i] : 0;
  return out;
}

const WhereFn: Function<void, WhereSaved> = {
  name: 'where',
  forward: (ctx, [cond, a, b]) => {
    const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
    const out = empty(a.core, shape);
    const oc = offsets(cond.shape, shape), oa = offsets(a.shape, shape), ob = offsets(b.shape, shape);
    const f = a.core.arena.f32, cv = truthy(cond);
    const pc = cond.ptr >>> 2, pa = a.ptr >>> 2, pb = b.ptr >>> 2, po = out.ptr >>> 2, n = out.size;
    for (let i = 0; i < n; i++) f[po + i] = cv[pc + at(oc, i)] !== 0 ? f[pa + at(oa, i)] : f[pb + at(ob, i)];
    ctx.saved = { cond, shape };
    return out;
  },
  backward: ({ needsGrad, inputs: [, a, b], saved }, [g]) => [
    null,
    needsGrad[1] ? sumTo(routeGrad(g!, saved!.cond, true), a.shape) : null,
    needsGrad[2] ? sumTo(routeGrad(g!, saved!.cond, false), b.shape) : null,
  ],
};

/**
 * outᵢ = condᵢ ≠ 0 ? aᵢ : bᵢ, all three broadcast together; a or b may be a number (then it is
 * a constant, which may be ±Inf: attention masks use −Inf).
 * NOTE: the gradient is routed, not multiplied by the mask, so an Inf in the branch not taken
 * never turns into NaN.
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const ref = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
  const core = coreOf('where', cond);
  const ta = a instanceof Tensor ? a : constant(core, a, 'where');
  const tb = b instanceof Tensor ? b : constant(core, b, 'where');
  coreOf('where', ref, ta, tb);
  coreOf('where', cond, ta);
  checkFloat('where', ta, 'a');
  checkFloat('where', tb, 'b');
  return apply(WhereFn, [cond, ta, tb], undefined);
}

/** x with `value` wherever mask ≠ 0 (mask broadcasts to x's shape); value may be ±Inf, not NaN. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  coreOf('maskedFill', x, mask);
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) throw fail('E_SHAPE', `maskedFill: mask of shape ${fmt(mask.shape)} must broadcast to the input's shape ${fmt(x.shape)}`);
  return where(mask, value, x);
}

function constant(core: Core, v: number, op: string): Tensor {
  if (typeof v !== 'number' || Number.isNaN(v)) throw fail('E_ARGUMENT', `${op}: a scalar operand must be a number (not NaN), got ${String(v)}`);
  const t = empty(core, []);
  core.arena.f32[t.ptr >>> 2] = v;
  return t;
}

export type { Node };
