import type { Core } from '../core.js';
import { kernelFor } from '../dispatch.js';
import { EddyError, describe } from '../errors.js';
import { ArgNames, checkArgs, checkDim, checkDisjoint, checkFlag, checkImpl, checkVector, type Impl, type KnownArgs } from '../validate.js';

// Fused optimizer updates, one call per parameter tensor, with PyTorch's formulas (torch.optim,
// single-tensor algorithms). Scalars that PyTorch computes in Python floats (bias corrections,
// 1 − β, the decayed Adagrad rate, 1 − γλ) are computed here in float64 and rounded once to
// float32 when they cross into wasm, so the kernels see the same constants PyTorch's do.

type SgdKernel = (
  n: number, param: number, grad: number, momentumBuffer: number,
  lr: number, momentum: number, oneMinusDampening: number, weightDecay: number, nesterov: number, first: number,
) => void;

/** Adam and AdamW share a signature; the weight-decay slot is λ for Adam and 1 − γλ for AdamW. */
type AdamKernel = (
  n: number, param: number, grad: number, expAvg: number, expAvgSq: number, maxExpAvgSq: number,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, eps: number,
  decay: number, stepSize: number, biasCorrection2Sqrt: number,
) => void;

type RmspropKernel = (
  n: number, param: number, grad: number, squareAvg: number, gradAvg: number, momentumBuffer: number,
  lr: number, alpha: number, oneMinusAlpha: number, eps: number, weightDecay: number, momentum: number,
) => void;

type AdagradKernel = (n: number, param: number, grad: number, stateSum: number, clr: number, eps: number, weightDecay: number) => void;

type ClipValueKernel = (n: number, grad: number, clip: number) => void;

/** Raw exports of the optimizer family (assembly/optim/exports.ts documents each argument). */
export interface OptimExports {
  f32_sgd_update__wasmsimd: SgdKernel;
  f32_sgd_update__scalar: SgdKernel;
  f32_adam_update__wasmsimd: AdamKernel;
  f32_adam_update__scalar: AdamKernel;
  f32_adamw_update__wasmsimd: AdamKernel;
  f32_adamw_update__scalar: AdamKernel;
  f32_rmsprop_update__wasmsimd: RmspropKernel;
  f32_rmsprop_update__scalar: RmspropKernel;
  f32_adagrad_update__wasmsimd: AdagradKernel;
  f32_adagrad_update__scalar: AdagradKernel;
  f32_clip_value__wasmsimd: ClipValueKernel;
  f32_clip_value__scalar: ClipValueKernel;
}

interface Range {
  min: number;
  /** Exclusive lower bound (eps > 0). */
  minOpen?: boolean;
  max?: number;
  /** Exclusive upper bound (β < 1). */
  maxOpen?: boolean;
}

function rangeText(r: Range): string {
  const lo = `${r.minOpen ? '(' : '['}${r.min}`;
  return r.max === undefined ? `${r.minOpen ? '>' : '>='} ${r.min}` : `in ${lo}, ${r.max}${r.maxOpen ? ')' : ']'}`;
}

/** A hyper-parameter: a number in `range` that stays finite (and non-zero when min is open) in float32. */
function checkHyper(op: string, name: string, value: unknown, range: Range): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(Math.fround(value)) &&
    (range.minOpen ? Math.fround(value) > range.min : value >= range.min) &&
    (range.max === undefined || (range.maxOpen ? value < range.max : value <= range.max));
  if (!ok) {
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be a finite float32 ${rangeText(range)}, got ${describe(value)}`);
  }
  return value as number;
}

/** A scalar derived from the hyper-parameters must survive the rounding to float32. */
function checkDerived(op: string, what: string, value: number): number {
  if (!Number.isFinite(Math.fround(value))) {
    throw new EddyError('E_ARGUMENT', `${op}: ${what} = ${describe(value)} does not fit in float32; lower lr or weightDecay`);
  }
  return value;
}

/**
 * Checks each buffer holds n float32 values inside memory and that no two overlap: the kernels
 * read and write them element by element, so aliasing would feed updated values back. Optional
 * buffers left undefined become 0, the ABI's "off"; required ones must be given.
 */
function checkBuffers(
  core: Core, op: string, n: number,
  required: Record<string, unknown>, optional: Record<string, number | undefined> = {},
): number[] {
  const present: Array<[string, number]> = [];
  const check = (name: string, ptr: unknown): number => {
    const p = checkVector(core, op, name, ptr, n);
    present.push([name, p]);
    return p;
  };
  const ptrs = [
    ...Object.entries(required).map(([name, ptr]) => check(name, ptr)),
    ...Object.entries(optional).map(([name, ptr]) => (ptr === undefined ? 0 : check(name, ptr))),
  ];
  for (let i = 0; i < present.length; i++) {
    for (let j = i + 1; j < present.length; j++) {
      checkDisjoint(op, present[i][0], present[i][1], n * 4, present[j][0], present[j][1], n * 4);
    }
  }
  return ptrs;
}

/** Requires a state buffer exactly when its option is on, so that no option is silently ignored. */
function checkPairing(op: string, buffer: string, given: boolean, option: string, on: boolean): void {
  if (given !== on) {
    throw new EddyError(
      'E_ARGUMENT',
      on ? `${op}: ${buffer} is required when ${option}, got none` : `${op}: ${buffer} was given but ${option} is off`,
    );
  }
}

const ZERO_TO_ONE: Range = { min: 0, max: 1, maxOpen: true };
const NON_NEGATIVE: Range = { min: 0 };
const POSITIVE: Range = { min: 0, minOpen: true };

export interface SgdUpdateArgs {
  /** Elements in the parameter tensor. */
  n: number;
  /** θ, updated in place. */
  param: number;
  /** g, read only. */
  grad: number;
  /** Momentum buffer b (n floats): required when momentum > 0, absent otherwise. */
  momentumBuffer?: number;
  /** γ ≥ 0, default 1e-3. */
  lr?: number;
  /** μ ≥ 0, default 0. */
  momentum?: number;
  /** τ ∈ [0, 1], default 0. */
  dampening?: number;
  /** λ ≥ 0 (L2 added to the gradient), default 0. */
  weightDecay?: number;
  /** Default false; needs momentum > 0 and dampening = 0, as in PyTorch. */
  nesterov?: boolean;
  /** True on the buffer's first step (b ← g, no dampening); required when momentum > 0. */
  first?: boolean;
}

const SGD_ARGS = new ArgNames({
  n: true, param: true, grad: true, momentumBuffer: true, lr: true, momentum: true, dampening: true, weightDecay: true,
  nesterov: true, first: true,
} satisfies KnownArgs<SgdUpdateArgs>);

/**
 * One step of SGD (torch.optim.SGD) on a parameter tensor, in place:
 * g ← g + λθ;  b ← g (first step) or b ← μ·b + (1−τ)·g;  g ← g + μ·b (Nesterov) or g ← b;
 * θ ← θ − γ·g. Without momentum: θ ← θ − γ·(g + λθ).
 */
export function sgdUpdate(core: Core, args: SgdUpdateArgs, impl: Impl = 'simd'): void {
  const op = 'sgdUpdate';
  checkArgs(op, args, SGD_ARGS);
  checkImpl(op, impl);
  const n = checkDim(op, 'n', args.n);
  const lr = checkHyper(op, 'lr', args.lr ?? 1e-3, NON_NEGATIVE);
  const momentum = checkHyper(op, 'momentum', args.momentum ?? 0, NON_NEGATIVE);
  const dampening = checkHyper(op, 'dampening', args.dampening ?? 0, { min: 0, max: 1 });
  const weightDecay = checkHyper(op, 'weightDecay', args.weightDecay ?? 0, NON_NEGATIVE);
  const nesterov = checkFlag(op, 'nesterov', args.nesterov ?? false);
  if (nesterov && (momentum === 0 || dampening !== 0)) {
    throw new EddyError(
      'E_ARGUMENT',
      `${op}: nesterov needs momentum > 0 and dampening = 0, got momentum ${momentum} and dampening ${dampening}`,
    );
  }
  const useMomentum = momentum > 0;
  checkPairing(op, 'momentumBuffer', args.momentumBuffer !== undefined, 'momentum > 0', useMomentum);
  if (useMomentum && args.first === undefined) {
    throw new EddyError('E_ARGUMENT', `${op}: first is required when momentum > 0 (true on the buffer's first step), got none`);
  }
  const first = checkFlag(op, 'first', args.first ?? false);
  const [param, grad, buf] = checkBuffers(core, op, n, { param: args.param, grad: args.grad }, {
    momentumBuffer: args.momentumBuffer,
  });
  if (n === 0) return;
  const x = core.exports;
  const kernel = kernelFor(core, 'sgd_update', impl);
  kernel(n, param, grad, buf, lr, momentum, 1 - dampening, weightDecay, +nesterov, +first);
  core.pool?.check(); // large tensors split over a threaded core's threads
}

export interface AdamUpdateArgs {
  n: number;
  /** θ, updated in place. */
  param: number;
  /** g, read only. */
  grad: number;
  /** First moment m (n floats, zero before step 1), updated in place. */
  expAvg: number;
  /** Second moment v (n floats, zero before step 1), updated in place. */
  expAvgSq: number;
  /** Running max of v (n floats, zero before step 1): giving it turns amsgrad on. */
  maxExpAvgSq?: number;
  /** t ≥ 1: this step's number, counting from 1 (PyTorch's state['step'] after its increment). */
  step: number;
  /** γ ≥ 0, default 1e-3. */
  lr?: number;
  /** β₁ ∈ [0, 1), default 0.9. */
  beta1?: number;
  /** β₂ ∈ [0, 1), default 0.999. */
  beta2?: number;
  /** ε > 0, default 1e-8. */
  eps?: number;
  /** λ ≥ 0; default 0 for Adam (L2 added to g), 1e-2 for AdamW (decoupled). */
  weightDecay?: number;
}

const ADAM_ARGS = new ArgNames({
  n: true, param: true, grad: true, expAvg: true, expAvgSq: true, maxExpAvgSq: true, step: true, lr: true, beta1: true,
  beta2: true, eps: true, weightDecay: true,
} satisfies KnownArgs<AdamUpdateArgs>);

function adamLike(core: Core, op: string, args: AdamUpdateArgs, decoupled: boolean, impl: Impl): void {
  checkArgs(op, args, ADAM_ARGS);
  checkImpl(op, impl);
  const n = checkDim(op, 'n', args.n);
  const t = checkDim(op, 'step', args.step, 1);
  const lr = checkHyper(op, 'lr', args.lr ?? 1e-3, NON_NEGATIVE);
  const beta1 = checkHyper(op, 'beta1', args.beta1 ?? 0.9, ZERO_TO_ONE);
  const beta2 = checkHyper(op, 'beta2', args.beta2 ?? 0.999, ZERO_TO_ONE);
  const eps = checkHyper(op, 'eps', args.eps ?? 1e-8, POSITIVE);
  const weightDecay = checkHyper(op, 'weightDecay', args.weightDecay ?? (decoupled ? 1e-2 : 0), NON_NEGATIVE);
  const [param, grad, expAvg, expAvgSq, maxExpAvgSq] = checkBuffers(core, op, n, {
    param: args.param,
    grad: args.grad,
    expAvg: args.expAvg,
    expAvgSq: args.expAvgSq,
  }, { maxExpAvgSq: args.maxExpAvgSq });
  // NOTE: 1 − βᵗ ≥ 1 − β > 0 for β < 1 in float64, so neither correction divides by zero.
  const stepSize = checkDerived(op, 'lr / (1 - beta1^step)', lr / (1 - beta1 ** t));
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
  const decay = decoupled ? checkDerived(op, '1 - lr * weightDecay', 1 - lr * weightDecay) : weightDecay;
  if (n === 0) return;
  const x = core.exports;
  const kernel = decoupled
    ? kernelFor(core, 'adamw_update', impl)
    : kernelFor(core, 'adam_update', impl);
  kernel(n, param, grad, expAvg, expAvgSq, maxExpAvgSq, beta1, 1 - beta1, beta2, 1 - beta2, eps, decay, stepSize, biasCorrection2Sqrt);
  core.pool?.check(); // large tensors split over a threaded core's threads
}

/**
 * One step of Adam (torch.optim.Adam) on a parameter tensor, in place, with L2 weight decay:
 * g ← g + λθ;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  v̂ ← max(v̂, v) with amsgrad, else v̂ = v;
 * θ ← θ − γ/(1−β₁ᵗ) · m / (√v̂ / √(1−β₂ᵗ) + ε).
 */
export function adamUpdate(core: Core, args: AdamUpdateArgs, impl: Impl = 'simd'): void {
  adamLike(core, 'adamUpdate', args, false, impl);
}

/**
 * One step of AdamW (torch.optim.AdamW) on a parameter tensor, in place: the decoupled decay
 * θ ← θ(1 − γλ) first, then Adam's moments and update without L2 (see `adamUpdate`).
 */
export function adamwUpdate(core: Core, args: AdamUpdateArgs, impl: Impl = 'simd'): void {
  adamLike(core, 'adamwUpdate', args, true, impl);
}

export interface RmspropUpdateArgs {
  n: number;
  /** θ, updated in place. */
  param: number;
  /** g, read only. */
  grad: number;
  /** Square average v (n floats, zero before step 1), updated in place. */
  squareAvg: number;
  /** Gradient average ḡ (n floats, zero before step 1): giving it makes the update centred. */
  gradAvg?: number;
  /** Momentum buffer b (n floats, zero before step 1): required when momentum > 0, absent otherwise. */
  momentumBuffer?: number;
  /** γ ≥ 0, default 1e-2. */
  lr?: number;
  /** α ∈ [0, 1), default 0.99. */
  alpha?: number;
  /** ε > 0, default 1e-8. */
  eps?: number;
  /** λ ≥ 0 (L2 added to the gradient), default 0. */
  weightDecay?: number;
  /** μ ≥ 0, default 0. */
  momentum?: number;
}

const RMSPROP_ARGS = new ArgNames({
  n: true, param: true, grad: true, squareAvg: true, gradAvg: true, momentumBuffer: true, lr: true, alpha: true, eps: true,
  weightDecay: true, momentum: true,
} satisfies KnownArgs<RmspropUpdateArgs>);

/**
 * One step of RMSprop (torch.optim.RMSprop) on a parameter tensor, in place:
 * g ← g + λθ;  v ← αv + (1−α)g²;  centred: ḡ ← αḡ + (1−α)g, ṽ = v − ḡ², else ṽ = v;
 * a = √ṽ + ε;  with momentum b ← μb + g/a, θ ← θ − γb;  else θ ← θ − γg/a.
 */
export function rmspropUpdate(core: Core, args: RmspropUpdateArgs, impl: Impl = 'simd'): void {
  const op = 'rmspropUpdate';
  checkArgs(op, args, RMSPROP_ARGS);
  checkImpl(op, impl);
  const n = checkDim(op, 'n', args.n);
  const lr = checkHyper(op, 'lr', args.lr ?? 1e-2, NON_NEGATIVE);
  const alpha = checkHyper(op, 'alpha', args.alpha ?? 0.99, ZERO_TO_ONE);
  const eps = checkHyper(op, 'eps', args.eps ?? 1e-8, POSITIVE);
  const weightDecay = checkHyper(op, 'weightDecay', args.weightDecay ?? 0, NON_NEGATIVE);
  const momentum = checkHyper(op, 'momentum', args.momentum ?? 0, NON_NEGATIVE);
  checkPairing(op, 'momentumBuffer', args.momentumBuffer !== undefined, 'momentum > 0', momentum > 0);
  const [param, grad, squareAvg, gradAvg, buf] = checkBuffers(core, op, n, {
    param: args.param,
    grad: args.grad,
    squareAvg: args.squareAvg,
  }, { gradAvg: args.gradAvg, momentumBuffer: args.momentumBuffer });
  if (n === 0) return;
  const x = core.exports;
  const kernel = kernelFor(core, 'rmsprop_update', impl);
  kernel(n, param, grad, squareAvg, gradAvg, buf, lr, alpha, 1 - alpha, eps, weightDecay, momentum);
  core.pool?.check(); // large tensors split over a threaded core's threads
}

export interface AdagradUpdateArgs {
  n: number;
  /** θ, updated in place. */
  param: number;
  /** g, read only. */
  grad: number;
  /** Accumulated squares s (n floats), filled by the caller with the initial accumulator value. */
  stateSum: number;
  /** t ≥ 1: this step's number, counting from 1. */
  step: number;
  /** γ ≥ 0, default 1e-2. */
  lr?: number;
  /** η ≥ 0, default 0. */
  lrDecay?: number;
  /** λ ≥ 0 (L2 added to the gradient), default 0. */
  weightDecay?: number;
  /** ε > 0, default 1e-10. */
  eps?: number;
}

const ADAGRAD_ARGS = new ArgNames({
  n: true, param: true, grad: true, stateSum: true, step: true, lr: true, lrDecay: true, weightDecay: true, eps: true,
} satisfies KnownArgs<AdagradUpdateArgs>);

/**
 * One step of Adagrad (torch.optim.Adagrad) on a parameter tensor, in place:
 * γ̃ = γ / (1 + (t−1)η);  g ← g + λθ;  s ← s + g²;  θ ← θ − γ̃·g / (√s + ε).
 */
export function adagradUpdate(core: Core, args: AdagradUpdateArgs, impl: Impl = 'simd'): void {
  const op = 'adagradUpdate';
  checkArgs(op, args, ADAGRAD_ARGS);
  checkImpl(op, impl);
  const n = checkDim(op, 'n', args.n);
  const t = checkDim(op, 'step', args.step, 1);
  const lr = checkHyper(op, 'lr', args.lr ?? 1e-2, NON_NEGATIVE);
  const lrDecay = checkHyper(op, 'lrDecay', args.lrDecay ?? 0, NON_NEGATIVE);
  const weightDecay = checkHyper(op, 'weightDecay', args.weightDecay ?? 0, NON_NEGATIVE);
  const eps = checkHyper(op, 'eps', args.eps ?? 1e-10, POSITIVE);
  const [param, grad, stateSum] = checkBuffers(core, op, n, { param: args.param, grad: args.grad, stateSum: args.stateSum });
  const clr = lr / (1 + (t - 1) * lrDecay);
  if (n === 0) return;
  const x = core.exports;
  const kernel = kernelFor(core, 'adagrad_update', impl);
  kernel(n, param, grad, stateSum, clr, eps, weightDecay);
  core.pool?.check(); // large tensors split over a threaded core's threads
}

export interface ClipValueArgs {
  n: number;
  /** g, clamped in place. */
  grad: number;
  /** c ≥ 0. */
  clip: number;
}

const CLIP_VALUE_ARGS = new ArgNames({ n: true, grad: true, clip: true } satisfies KnownArgs<ClipValueArgs>);

/**
 * Clips a gradient by value in place, as torch.nn.utils.clip_grad_value_: g ← clamp(g, −c, c).
 * NaN stays NaN, so a diverged gradient is not hidden.
 */
export function clipValue(core: Core, args: ClipValueArgs, impl: Impl = 'simd'): void {
  const op = 'clipValue';
  checkArgs(op, args, CLIP_VALUE_ARGS);
  checkImpl(op, impl);
  const n = checkDim(op, 'n', args.n);
  const clip = checkHyper(op, 'clip', args.clip, NON_NEGATIVE);
  const [grad] = checkBuffers(core, op, n, { grad: args.grad });
  if (n === 0) return;
  const x = core.exports;
  kernelFor(core, 'clip_value', impl)(n, grad, clip);
  core.pool?.check(); // large tensors split over a threaded core's threads
}
