import { checkOptions, fail, optionKeys } from './backend.js';
import { noGrad, scope } from './scope.js';
import { Tensor } from './tensor.js';

export interface GradcheckOptions {
  /** Perturbation of each input element. Default 1e-3 (see the note on `gradcheck`). */
  eps?: number;
  /** Absolute tolerance. Default 1e-3. */
  atol?: number;
  /** Relative tolerance. Default 1e-2. */
  rtol?: number;
}

const GRADCHECK_OPTIONS = optionKeys<GradcheckOptions>({ eps: true, atol: true, rtol: true });

export interface GradcheckMismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  /** Every element satisfied |analytic − numeric| ≤ atol + rtol·|numeric|. */
  ok: boolean;
  /** Largest |analytic − numeric| / (atol + rtol·|numeric|) (≤ 1 when ok). */
  worst: number;
  /** Up to 10 failing elements, for the test's message. */
  mismatches: GradcheckMismatch[];
}

/**
 * Compares the tape's gradient of `fn` with central differences, for every element of every input
 * that requires grad. A non-scalar output y is reduced to L = Σᵢ wᵢ·yᵢ with fixed pseudo-random
 * weights w (so every output element is checked, with no cancellation by symmetry); the analytic
 * side is backward(w).
 *
 *   ∂L/∂xⱼ ≈ (L(x + ε eⱼ) − L(x − ε eⱼ)) / (x⁺ⱼ − x⁻ⱼ)
 *
 * NOTE: fn runs in float32 (the core has no float64 kernels), so the choice of ε is a trade-off:
 * the truncation error of central differences is O(ε²·f‴) ≈ 1e-6 at ε = 1e-3, while float32
 * rounding of L (relative ~6e-8 per term, summed in float64 here) divided by 2ε gives ≈ 1e-4·|L|.
 * Hence ε = 1e-3 with atol 1e-3 and rtol 1e-2. The denominator is the difference of the perturbed
 * values actually stored (x ± ε rounded to float32), not 2ε, which removes the rounding of the
 * step itself. fn must be deterministic (no dropout in training mode) and smooth at the inputs
 * (keep relu / max / abs away from their kinks).
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  checkOptions('gradcheck', options, GRADCHECK_OPTIONS);
  const eps = positive('eps', options.eps ?? 1e-3);
  const atol = positive('atol', options.atol ?? 1e-3, true);
  const rtol = positive('rtol', options.rtol ?? 1e-2, true);
  if (!inputs.every((t) => t instanceof Tensor)) throw fail('E_ARGUMENT', 'gradcheck: inputs must be tensors');
  const checked = inputs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (checked.length === 0) throw fail('E_ARGUMENT', 'gradcheck: no input requires grad');

  // Analytic: backward of Σ w·y.
  const saved = inputs.map((t) => t.grad);
  for (const i of checked) inputs[i].grad = null;
  let weights!: Float32Array;
  const analytic = scope(() => {
    const y = fn(...inputs);
    if (!(y instanceof Tensor)) throw fail('E_ARGUMENT', 'gradcheck: fn must return a Tensor');
    weights = projection(y.size);
    y.backward(new Tensor(y.core, y.core.arena.fromF32(weights), y.shape));
    return checked.map((i) => inputs[i].grad?.toFloat32Array() ?? new Float32Array(inputs[i].size));
  });
  for (const i of checked) {
    inputs[i].grad?.dispose();
    inputs[i].grad = saved[i];
  }

  const objective = (): number =>
    noGrad(() =>
      scope(() => {
        const v = fn(...inputs).toFloat32Array();
        let s = 0;
        for (let i = 0; i < v.length; i++) s += weights[i] * v[i];
        return s;
      }),
    );

  let worst = 0;
  const mismatches: GradcheckMismatch[] = [];
  checked.forEach((inputIndex, c) => {
    const x = inputs[inputIndex];
    for (let j = 0; j < x.size; j++) {
      const at = (x.ptr >>> 2) + j;
      const f32 = () => x.core.arena.f32;
      const orig = f32()[at];
      f32()[at] = orig + eps;
      const xp = f32()[at];
      const lp = objective();
      f32()[at] = orig - eps;
      const xm = f32()[at];
      const lm = objective();
      f32()[at] = orig;
      const numeric = (lp - lm) / (xp - xm);
      const a = analytic[c][j];
      const err = Math.abs(a - numeric) / (atol + rtol * Math.abs(numeric));
      if (!(err <= 1)) {
        if (mismatches.length < 10) mismatches.push({ input: inputIndex, index: j, analytic: a, numeric });
      }
      worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
    }
  });
  return { ok: mismatches.length === 0, worst, mismatches };
}

function positive(name: string, v: number, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw fail('E_ARGUMENT', `gradcheck: ${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${String(v)}`);
  }
  return v;
}

/** Fixed weights in [0.5, 1.5) with random signs (a small LCG: independent of the global RNG). */
function projection(n: number): Float32Array {
  const w = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 4294967296;
    w[i] = (u < 0.5 ? -1 : 1) * (0.5 + 2 * Math.abs(u - 0.5));
  }
  return w;
}
