import { fail } from '../backend.js';
import { defaultGenerator } from '../rng.js';
import { checkFloat, coreOf, empty, type Tensor } from '../tensor.js';
import { mul } from './elementwise.js';

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 − p), so evaluation (`training` false) is the identity. The mask comes from the
 * seeded RNG (`manualSeed`), one uniform draw per element in row-major order; the gradient is the
 * same mask (the Function is `mul` by a constant).
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  const core = coreOf('dropout', x);
  checkFloat('dropout', x);
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p >= 1) {
    throw fail('E_ARGUMENT', `dropout: p must be a finite number in [0, 1), got ${String(p)}`);
  }
  if (typeof training !== 'boolean') throw fail('E_ARGUMENT', 'dropout: training must be a boolean');
  if (!training || p === 0) return x;
  const mask = empty(core, x.shape);
  const values = new Float32Array(x.size);
  const scale = 1 / (1 - p);
  for (let i = 0; i < values.length; i++) values[i] = defaultGenerator.nextUniform() < p ? 0 : scale;
  core.arena.f32.set(values, mask.ptr >>> 2);
  return mul(x, mask);
}
