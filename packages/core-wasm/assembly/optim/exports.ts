// Raw ABI of the optimizer family: one fused update per parameter tensor of n float32 elements.
// Pointers are byte offsets (any 4-byte alignment); state buffers are updated in place and must
// not overlap each other, the parameter or the gradient. Gradients are read only (except by
// f32_clip_value). A state pointer 0 switches its option off. No scratch space is needed.
// Scalars marked (f64) are computed by the caller in float64 and rounded once to float32.
import { adagradUpdate } from "./adagrad";
import { adamUpdate } from "./adam";
import { clipValue } from "./clip";
import { rmspropUpdate } from "./rmsprop";
import { sgdUpdate } from "./sgd";

/**
 * SGD step. momentum_buffer = 0: plain SGD (momentum unused). first = 1 on the buffer's first step
 * (b ← g). one_minus_dampening = 1 − τ (f64).
 */
export function f32_sgd_update__wasmsimd(
  n: i32, param: usize, grad: usize, momentum_buffer: usize,
  lr: f32, momentum: f32, one_minus_dampening: f32, weight_decay: f32, nesterov: i32, first: i32,
): void {
  sgdUpdate(true, n, param, grad, momentum_buffer, lr, momentum, one_minus_dampening, weight_decay, nesterov != 0, first != 0);
}

/** Scalar twin of `f32_sgd_update__wasmsimd`, same signature. */
export function f32_sgd_update__scalar(
  n: i32, param: usize, grad: usize, momentum_buffer: usize,
  lr: f32, momentum: f32, one_minus_dampening: f32, weight_decay: f32, nesterov: i32, first: i32,
): void {
  sgdUpdate(false, n, param, grad, momentum_buffer, lr, momentum, one_minus_dampening, weight_decay, nesterov != 0, first != 0);
}

/**
 * Adam step with L2 weight decay. max_exp_avg_sq = 0: amsgrad off. step_size = γ/(1 − β₁ᵗ) (f64),
 * bias_correction2_sqrt = √(1 − β₂ᵗ) (f64), one_minus_beta1/2 = 1 − β₁, 1 − β₂ (f64).
 */
export function f32_adam_update__wasmsimd(
  n: i32, param: usize, grad: usize, exp_avg: usize, exp_avg_sq: usize, max_exp_avg_sq: usize,
  beta1: f32, one_minus_beta1: f32, beta2: f32, one_minus_beta2: f32, eps: f32,
  weight_decay: f32, step_size: f32, bias_correction2_sqrt: f32,
): void {
  adamUpdate(true, n, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
    beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, false, step_size, bias_correction2_sqrt);
}

/** Scalar twin of `f32_adam_update__wasmsimd`, same signature. */
export function f32_adam_update__scalar(
  n: i32, param: usize, grad: usize, exp_avg: usize, exp_avg_sq: usize, max_exp_avg_sq: usize,
  beta1: f32, one_minus_beta1: f32, beta2: f32, one_minus_beta2: f32, eps: f32,
  weight_decay: f32, step_size: f32, bias_correction2_sqrt: f32,
): void {
  adamUpdate(false, n, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
    beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, false, step_size, bias_correction2_sqrt);
}

/**
 * AdamW step: as `f32_adam_update__wasmsimd` but the weight-decay slot is param_scale = 1 − γλ (f64),
 * the decoupled decay θ ← θ·(1 − γλ) applied before the moments.
 */
export function f32_adamw_update__wasmsimd(
  n: i32, param: usize, grad: usize, exp_avg: usize, exp_avg_sq: usize, max_exp_avg_sq: usize,
  beta1: f32, one_minus_beta1: f32, beta2: f32, one_minus_beta2: f32, eps: f32,
  param_scale: f32, step_size: f32, bias_correction2_sqrt: f32,
): void {
  adamUpdate(true, n, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
    beta1, one_minus_beta1, beta2, one_minus_beta2, eps, param_scale, true, step_size, bias_correction2_sqrt);
}

/** Scalar twin of `f32_adamw_update__wasmsimd`, same signature. */
export function f32_adamw_update__scalar(
  n: i32, param: usize, grad: usize, exp_avg: usize, exp_avg_sq: usize, max_exp_avg_sq: usize,
  beta1: f32, one_minus_beta1: f32, beta2: f32, one_minus_beta2: f32, eps: f32,
  param_scale: f32, step_size: f32, bias_correction2_sqrt: f32,
): void {
  adamUpdate(false, n, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
    beta1, one_minus_beta1, beta2, one_minus_beta2, eps, param_scale, true, step_size, bias_correction2_sqrt);
}

/**
 * RMSprop step. grad_avg = 0: not centred; momentum_buffer = 0: no momentum (momentum unused).
 * one_minus_alpha = 1 − α (f64).
 */
export function f32_rmsprop_update__wasmsimd(
  n: i32, param: usize, grad: usize, square_avg: usize, grad_avg: usize, momentum_buffer: usize,
  lr: f32, alpha: f32, one_minus_alpha: f32, eps: f32, weight_decay: f32, momentum: f32,
): void {
  rmspropUpdate(true, n, param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, one_minus_alpha, eps, weight_decay, momentum);
}

/** Scalar twin of `f32_rmsprop_update__wasmsimd`, same signature. */
export function f32_rmsprop_update__scalar(
  n: i32, param: usize, grad: usize, square_avg: usize, grad_avg: usize, momentum_buffer: usize,
  lr: f32, alpha: f32, one_minus_alpha: f32, eps: f32, weight_decay: f32, momentum: f32,
): void {
  rmspropUpdate(false, n, param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, one_minus_alpha, eps, weight_decay, momentum);
}

/** Adagrad step; clr = γ/(1 + (t−1)·η) (f64). */
export function f32_adagrad_update__wasmsimd(
  n: i32, param: usize, grad: usize, state_sum: usize, clr: f32, eps: f32, weight_decay: f32,
): void {
  adagradUpdate(true, n, param, grad, state_sum, clr, eps, weight_decay);
}

/** Scalar twin of `f32_adagrad_update__wasmsimd`, same signature. */
export function f32_adagrad_update__scalar(
  n: i32, param: usize, grad: usize, state_sum: usize, clr: f32, eps: f32, weight_decay: f32,
): void {
  adagradUpdate(false, n, param, grad, state_sum, clr, eps, weight_decay);
}

/** grad ← clamp(grad, −clip, clip) in place, NaN kept. */
export function f32_clip_value__wasmsimd(n: i32, grad: usize, clip: f32): void {
  clipValue(true, n, grad, clip);
}

/** Scalar twin of `f32_clip_value__wasmsimd`, same signature. */
export function f32_clip_value__scalar(n: i32, grad: usize, clip: f32): void {
  clipValue(false, n, grad, clip);
}
