import { checkOptions, fail, scale, softmaxCrossEntropy } from '../backend.js';
import { apply, type Function } from '../function.js';
import { fmt, sameShape } from '../shapes.js';
import { checkFloat, coreOf, empty, type Tensor } from '../tensor.js';
import { mean, sum } from './reduce.js';
import { mul, sub } from './elementwise.js';

// Losses. Cross-entropy is one fused kernel pass (softmax, log-likelihood and the gradient).

export type Reduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** Targets equal to this contribute neither loss nor gradient, nor count in the mean. Default −100. */
  ignoreIndex?: number;
  /** Default 'mean' (over the targets not ignored). */
  reduction?: Reduction;
}

interface CeOptions {
  n: number;
  c: number;
  ignoreIndex: number;
  reduction: Reduction;
}

interface CeSaved {
  /** ∂loss/∂logits for a unit upstream gradient (per row for 'none'). */
  dlogits: Tensor | null;
}

const CrossEntropyFn: Function<CeOptions, CeSaved> = {
  name: 'crossEntropy',
  forward: (ctx, [logits, targets], o) => {
    const core = logits.core;
    const dlogits = ctx.needsGrad[0] ? empty(core, logits.shape) : null;
    const losses = empty(core, o.reduction === 'none' ? targets.shape : []);
    const rowLosses = o.reduction === 'none' ? losses : empty(core, [o.n]);
    const r = softmaxCrossEntropy(core, {
      n: o.n, c: o.c, logits: logits.ptr, targets: targets.ptr, ignoreIndex: o.ignoreIndex,
      scale: o.reduction === 'mean' ? 'mean' : 'sum', losses: rowLosses.ptr, dlogits: dlogits?.ptr,
    });
    if (o.reduction !== 'none') {
      // NOTE: as PyTorch, the mean over zero counted targets is NaN (0/0).
      core.arena.f32[losses.ptr >>> 2] = o.reduction === 'mean' ? r.total / r.count : r.total;
      rowLosses.dispose();
    }
    ctx.saved = { dlogits };
    return losses;
  },
  release: (ctx) => ctx.saved?.dlogits?.dispose(),
  backward: ({ saved, inputs: [logits] }, [g]) => {
    const d = saved!.dlogits!;
    const dx = empty(g!.core, logits.shape);
    const f = g!.core.arena.f32;
    if (g!.size === 1) {
      scale(g!.core, { n: d.size, alpha: f[g!.ptr >>> 2], x: d.ptr, out: dx.ptr });
    } else {
      // 'none': row r of the gradient scaled by the upstream gradient of loss r.
      const c = logits.shape[logits.shape.length - 1];
      const pd = d.ptr >>> 2, px = dx.ptr >>> 2, pg = g!.ptr >>> 2;
      for (let r = 0; r < g!.size; r++) {
        const s = f[pg + r];
        for (let j = 0; j < c; j++) f[px + r * c + j] = f[pd + r * c + j] * s;
      }
    }
    return [dx, null];
  },
};

/**
 * Cross-entropy of logits z [..., C] against int32 class targets y [...]:
 * ℓₙ = −log softmax(zₙ)_{yₙ}, reduced by mean (over targets ≠ ignoreIndex), sum or none.
 * The fused kernel computes the loss and ∂ℓ/∂z = softmax(z) − onehot(y) in one pass; a target
 * outside [0, C) that is not ignoreIndex is an E_ARGUMENT error.
 */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkOptions('crossEntropy', options, ['ignoreIndex', 'reduction']);
  coreOf('crossEntropy', logits, targets);
  checkFloat('crossEntropy', logits, 'logits');
  if (targets.dtype !== 'int32') throw fail('E_ARGUMENT', 'crossEntropy: targets must be an int32 tensor of class indices');
  const ls = logits.shape;
  if (ls.length === 0 || !sameShape(ls.slice(0, -1), targets.shape)) {
    throw fail('E_SHAPE', `crossEntropy: logits ${fmt(ls)} must be targets' shape ${fmt(targets.shape)} plus a class dimension`);
  }
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw fail('E_ARGUMENT', `crossEntropy: reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`);
  }
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw fail('E_ARGUMENT', `crossEntropy: ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  const c = ls[ls.length - 1];
  return apply(CrossEntropyFn, [logits, targets], { n: targets.size, c, ignoreIndex, reduction });
}

function reduce(op: string, x: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'mean') return mean(x);
  if (reduction === 'sum') return sum(x);
  if (reduction === 'none') return x;
  throw fail('E_ARGUMENT', `${op}: reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`);
}

/** Mean squared error: mean((ŷ − y)²) (or sum / none). Shapes must be equal. */
export function mse(prediction: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('mse', options, ['reduction']);
  coreOf('mse', prediction, target);
  if (!sameShape(prediction.shape, target.shape)) {
    throw fail('E_SHAPE', `mse: prediction ${fmt(prediction.shape)} and target ${fmt(target.shape)} must have the same shape`);
  }
  const d = sub(prediction, target);
  return reduce('mse', mul(d, d), options.reduction ?? 'mean');
}

const BceFn: Function<void, null> = {
  name: 'binaryCrossEntropyWithLogits',
  // ℓ = max(x, 0) − x·y + log(1 + e^{−|x|}): never exponentiates a positive number.
  forward: (_ctx, [x, y]) => {
    const out = empty(x.core, x.shape);
    const f = x.core.arena.f32;
    const px = x.ptr >>> 2, py = y.ptr >>> 2, po = out.ptr >>> 2;
    for (let i = 0; i < out.size; i++) {
      const v = f[px + i];
      f[po + i] = Math.max(v, 0) - v * f[py + i] + Math.log1p(Math.exp(-Math.abs(v)));
    }
    return out;
  },
  // ∂ℓ/∂x = σ(x) − y; ∂ℓ/∂y = −x.
  backward: ({ inputs: [x, y], needsGrad }, [g]) => {
    const f = g!.core.arena.f32;
    const px = x.ptr >>> 2, py = y.ptr >>> 2, pg = g!.ptr >>> 2;
    let dx: Tensor | null = null;
    let dy: Tensor | null = null;
    if (needsGrad[0]) {
      dx = empty(g!.core, x.shape);
      const pd = dx.ptr >>> 2;
      for (let i = 0; i < dx.size; i++) {
        const v = f[px + i];
        const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
        f[pd + i] = (s - f[py + i]) * f[pg + i];
      }
    }
    if (needsGrad[1]) {
      dy = empty(g!.core, y.shape);
      const pd = dy.ptr >>> 2;
      for (let i = 0; i < dy.size; i++) f[pd + i] = -f[px + i] * f[pg + i];
    }
    return [dx, dy];
  },
};

/**
 * Binary cross-entropy on logits x with targets y ∈ [0, 1] (same shape):
 * ℓ = −[y·log σ(x) + (1 − y)·log(1 − σ(x))], computed stably; reduced by mean (default), sum or none.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('binaryCrossEntropyWithLogits', options, ['reduction']);
  coreOf('binaryCrossEntropyWithLogits', logits, targets);
  checkFloat('binaryCrossEntropyWithLogits', logits, 'logits');
  checkFloat('binaryCrossEntropyWithLogits', targets, 'targets');
  if (!sameShape(logits.shape, targets.shape)) {
    throw fail('E_SHAPE', `binaryCrossEntropyWithLogits: logits ${fmt(logits.shape)} and targets ${fmt(targets.shape)} must have the same shape`);
  }
  return reduce('binaryCrossEntropyWithLogits', apply(BceFn, [logits, targets], undefined), options.reduction ?? 'mean');
}
