import { gruBackward, gruForward, gruWorkspaceBytes } from '../../backend.js';
import type { Tensor } from '../../tensor.js';
import { checkBool, type RecurrentWeights } from './check.js';
import { runCell, runSequence, type Family } from './fused.js';
import { SEQUENCE_KEYS, WEIGHT_KEYS, checkOptions, type SequenceOptions } from './options.js';

// GRU (torch.nn.GRU / GRUCell, gates r|z|n) in both published forms: a whole sequence in one fused
// call, or one step.

export interface GruForm {
  /**
   * false (default, PyTorch / cuDNN): nₜ = tanh(W_in xₜ + b_in + rₜ ⊙ (W_hn hₜ₋₁ + b_hn));
   * true (Cho et al. 2014):          nₜ = tanh(W_in xₜ + b_in + W_hn (rₜ ⊙ hₜ₋₁) + b_hn).
   * Same parameters either way.
   */
  resetBefore?: boolean;
}

export interface GruSequenceOptions extends SequenceOptions, GruForm {}

const GRU_SEQUENCE_KEYS = [...SEQUENCE_KEYS, 'resetBefore'];
const GRU_CELL_KEYS = [...WEIGHT_KEYS, 'resetBefore'];

/** The GRU as the shared fused Function sees it: three gates, its form as the kernels' flag. */
const GRU: Family = {
  name: 'gru', gates: 3, hasCell: false,
  flags: (op, o: GruForm) => ({ resetBefore: checkBool(op, 'resetBefore', o.resetBefore) }),
  workspaceBytes: gruWorkspaceBytes,
  forward: gruForward,
  backward: gruBackward,
};

export interface GruSequenceResult {
  /** h_t for every step [T, B, H] (zero rows at padding steps). */
  output: Tensor;
  /** Final hidden state [B, H]. */
  h: Tensor;
}

/**
 * A GRU layer over a whole time-major sequence x [T, B, I], one direction, as one fused kernel
 * call and ONE tape node:
 *
 *   rₜ = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr)    zₜ = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz)
 *   nₜ = tanh(W_in xₜ + b_in + rₜ ⊙ (W_hn hₜ₋₁ + b_hn))     (see `resetBefore` for the other form)
 *   hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁
 *
 * Weights: wIh [3H, I], wHh [3H, H], biases [3H] (rows r|z|n).
 */
export function gruSequence(x: Tensor, options: GruSequenceOptions): GruSequenceResult {
  const op = 'gruSequence';
  checkOptions(op, options, GRU_SEQUENCE_KEYS);
  const [output, h] = runSequence(GRU, op, x, options);
  return { output, h };
}

/**
 * One GRU step (torch.nn.GRUCell): x [B, I] and h [B, H] (null = zeros) give the next h [B, H].
 * The same fused Function as `gruSequence` with T = 1.
 */
export function gruCell(x: Tensor, h: Tensor | null | undefined, weights: RecurrentWeights & GruForm): Tensor {
  const op = 'gruCell';
  checkOptions(op, weights, GRU_CELL_KEYS);
  return runCell(GRU, op, x, weights, h)[0];
}
