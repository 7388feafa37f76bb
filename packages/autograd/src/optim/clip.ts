import { clipValue as clipValueKernel, fail, scale, sumOfSquares } from '../backend.js';
import type { Tensor } from '../tensor.js';
import { checkHyper, checkParams, show } from './optimizer.js';

/**
 * Rescales the gradients of `params` in place so that their global norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_), treating all gradients as one vector:
 *
 *   ‖g‖ₚ = (Σ over every parameter and element |gᵢ|ᵖ)^{1/p}  (p = ∞: max |gᵢ|)
 *   c = maxNorm / (‖g‖ₚ + 10⁻⁶);  if c < 1, g ← c·g
 *
 * Returns ‖g‖ₚ before clipping. Parameters without a gradient are skipped. p = 2 uses the core's
 * float64 `sumOfSquares` per gradient and `scale` in place; other p are summed here in float64.
 * A non-finite norm (a diverged gradient) is returned as is, with the gradients scaled by c
 * (NaN if the norm is NaN, as PyTorch does), unless `errorIfNonfinite` makes it an E_ARGUMENT error.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2, errorIfNonfinite = false): number {
  const op = 'clipGradNorm';
  checkHyper(op, 'maxNorm', maxNorm, { min: 0 });
  if (typeof normType !== 'number' || Number.isNaN(normType) || normType <= 0) {
    throw fail('E_ARGUMENT', `${op}: normType must be a number > 0 (or Infinity), got ${show(normType)}`);
  }
  const grads = checkParams(op, params, true).flatMap((p) => (p.grad === null ? [] : [p.grad]));
  if (grads.length === 0) return 0;
  const core = grads[0].core;
  let total: number;
  if (normType === 2) {
    let sum = 0;
    for (const g of grads) sum += sumOfSquares(core, { n: g.size, x: g.ptr });
    total = Math.sqrt(sum);
  } else {
    const f32 = core.arena.f32;
    let acc = 0;
    for (const g of grads) {
      const start = g.ptr >>> 2;
      for (let i = start; i < start + g.size; i++) {
        const a = Math.abs(f32[i]);
        if (normType === Infinity) acc = a > acc || Number.isNaN(a) ? a : acc;
        else acc += a ** normType;
      }
    }
    total = normType === Infinity ? acc : acc ** (1 / normType);
  }
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw fail('E_ARGUMENT', `${op}: the total norm of order ${normType} of the gradients is ${total}; not clipping`);
  }
  const coef = maxNorm / (total + 1e-6);
  if (Number.isNaN(total)) {
    // NOTE: PyTorch multiplies by min(coef, 1) = NaN here, so the divergence reaches the
    // parameters and shows, instead of the step being silently skipped; the core's `scale`
    // refuses a NaN factor, so the NaN is written directly.
    for (const g of grads) core.arena.f32.fill(NaN, g.ptr >>> 2, (g.ptr >>> 2) + g.size);
  } else if (coef < 1) {
    for (const g of grads) scale(core, { n: g.size, alpha: coef, x: g.ptr, out: g.ptr });
  }
  return total;
}

/**
 * Clamps every gradient element of `params` to [−clipValue, clipValue] in place
 * (torch.nn.utils.clip_grad_value_); NaN stays NaN. Parameters without a gradient are skipped.
 */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue';
  checkHyper(op, 'clipValue', clipValue, { min: 0 });
  for (const p of checkParams(op, params, true)) {
    const g = p.grad;
    if (g !== null) clipValueKernel(g.core, { n: g.size, grad: g.ptr, clip: clipValue });
  }
}
