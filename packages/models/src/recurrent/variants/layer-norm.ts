import type { Tensor } from '@eddy/autograd';
import type { ExtraParameter } from '../runner.js';

/** PyTorch's LayerNorm ε: keeps 1/√(σ² + ε) finite when a block is constant (h₀ = 0). */
export const LAYER_NORM_EPS = 1e-5;

/**
 * Layer normalisation (Ba et al. 2016) of each block of `size` features of a [N, G·size] tensor
 * separately, times the gain γ [G·size] (the shift is the caller's bias):
 *
 *     LN(a) = γ ⊙ (a − μ) / √(σ² + ε),   μ, σ² the mean and (biased) variance over the block
 *
 * NOTE: autograd has no sqrt; 1/√v is computed as exp(−½ log v), within a few float32 ulps for
 * v ≥ ε, where log v ≥ −11.5.
 */
export function layerNormBlocks(a: Tensor, size: number, gain: Tensor | null): Tensor {
  const [n, width] = a.shape;
  const blocks = width / size;
  const x = a.reshape([n, blocks, size]);
  const centred = x.sub(x.mean(2, true));
  const variance = centred.mul(centred).mean(2, true);
  let y = centred.mul(variance.add(LAYER_NORM_EPS).log().mul(-0.5).exp());
  if (gain !== null) y = y.mul(gain.reshape([blocks, size]));
  return y.reshape([n, width]);
}

/**
 * The gains of a layer-norm cell's gate blocks, per layer and direction: `weight_ln_ih` and
 * `weight_ln_hh` [G·H], initialised to 1 (the shifts are the biases b_ih and b_hh).
 */
export function layerNormGains(gates: number, hidden: number): ExtraParameter[] {
  return [
    { name: 'weight_ln_ih', size: gates * hidden, fill: 1 },
    { name: 'weight_ln_hh', size: gates * hidden, fill: 1 },
  ];
}
