import { checkOptions as checkKeys, fail, lstmBackward, lstmForward, lstmWorkspaceBytes } from '../../backend.js';
import type { Tensor } from '../../tensor.js';
import type { RecurrentWeights } from './check.js';
import { runCell, runSequence, type Family } from './fused.js';
import { SEQUENCE_KEYS, WEIGHT_KEYS, checkOptions, type SequenceOptions } from './options.js';

// LSTM (torch.nn.LSTM / LSTMCell, gates i|f|g|o): a whole sequence in one fused call, or one step.

const NO_FLAGS = Object.freeze({});

/** The LSTM as the shared fused Function sees it: four gates, a cell state, no flags of its own. */
const LSTM: Family = {
  name: 'lstm', gates: 4, hasCell: true,
  flags: () => NO_FLAGS,
  workspaceBytes: lstmWorkspaceBytes,
  forward: lstmForward,
  backward: lstmBackward,
};

export interface LstmSequenceOptions extends SequenceOptions {
  /** Initial cell state [B, H]; absent = zeros. */
  c0?: Tensor | null;
}

const LSTM_SEQUENCE_KEYS = [...SEQUENCE_KEYS, 'c0'];
const STATE_KEYS = ['h', 'c'];

export interface LstmSequenceResult {
  /** h_t for every step [T, B, H] (zero rows at padding steps). */
  output: Tensor;
  /** Final hidden state [B, H] (after each element's last valid step). */
  h: Tensor;
  /** Final cell state [B, H]. */
  c: Tensor;
}

/** An LSTM state: hidden h and cell c, each [B, H]. */
export interface LstmState {
  h: Tensor;
  c: Tensor;
}

/**
 * An LSTM layer over a whole time-major sequence x [T, B, I], one direction, as one fused kernel
 * call and ONE tape node (backpropagation through time is one fused call too):
 *
 *   iₜ = σ(W_ii xₜ + b_ii + W_hi hₜ₋₁ + b_hi)    fₜ = σ(W_if xₜ + b_if + W_hf hₜ₋₁ + b_hf)
 *   gₜ = tanh(W_ig xₜ + b_ig + W_hg hₜ₋₁ + b_hg)  oₜ = σ(W_io xₜ + b_io + W_ho hₜ₋₁ + b_ho)
 *   cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ                       hₜ = oₜ ⊙ tanh(cₜ)
 *
 * Weights as PyTorch's: wIh [4H, I], wHh [4H, H], biases [4H] (rows i|f|g|o). Gradients flow to
 * x, every weight and bias given, h0 and c0, from any of output, h and c.
 *
 * @example
 * const { output, h, c } = lstmSequence(x, { wIh, wHh, bIh, bHh, lengths });
 */
export function lstmSequence(x: Tensor, options: LstmSequenceOptions): LstmSequenceResult {
  const op = 'lstmSequence';
  checkOptions(op, options, LSTM_SEQUENCE_KEYS);
  const [output, h, c] = runSequence(LSTM, op, x, options);
  return { output, h, c };
}

/**
 * One LSTM step (torch.nn.LSTMCell) for decoders that feed each output back in: x [B, I] and the
 * state { h, c } (null = zeros) give the next state. The same fused Function as `lstmSequence`
 * with T = 1, so the numbers are the same as one step of the sequence.
 */
export function lstmCell(x: Tensor, state: LstmState | null | undefined, weights: RecurrentWeights): LstmState {
  const op = 'lstmCell';
  checkOptions(op, weights, WEIGHT_KEYS);
  if (state !== null && state !== undefined) {
    if (typeof state !== 'object') throw fail('E_ARGUMENT', `${op}: state must be { h, c } or null, got ${typeof state}`);
    checkKeys(op, state, STATE_KEYS);
  }
  const [h, c] = runCell(LSTM, op, x, weights, state?.h, state?.c);
  return { h, c };
}
