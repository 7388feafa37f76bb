import { fail, rnnBackward, rnnForward, rnnWorkspaceBytes } from '../../backend.js';
import type { Tensor } from '../../tensor.js';
import type { RecurrentWeights } from './check.js';
import { runCell, runSequence, type Family } from './fused.js';
import { SEQUENCE_KEYS, WEIGHT_KEYS, checkOptions, type SequenceOptions } from './options.js';

// Elman RNN (torch.nn.RNN / RNNCell): a whole sequence in one fused call, or one step.

export type Nonlinearity = 'tanh' | 'relu';

export interface RnnForm {
  /** φ, default 'tanh' (torch.nn.RNN's nonlinearity). */
  nonlinearity?: Nonlinearity;
}

export interface RnnSequenceOptions extends SequenceOptions, RnnForm {}

const RNN_SEQUENCE_KEYS = [...SEQUENCE_KEYS, 'nonlinearity'];
const RNN_CELL_KEYS = [...WEIGHT_KEYS, 'nonlinearity'];

export interface RnnSequenceResult {
  /** h_t for every step [T, B, H] (zero rows at padding steps). */
  output: Tensor;
  /** Final hidden state [B, H]. */
  h: Tensor;
}

function checkRelu(op: string, v: unknown): boolean {
  if (v === undefined || v === 'tanh') return false;
  if (v === 'relu') return true;
  throw fail('E_ARGUMENT', `${op}: nonlinearity must be 'tanh' or 'relu', got ${String(v)}`);
}

/** The Elman RNN as the shared fused Function sees it: one gate, φ as the kernels' `relu` flag. */
const RNN: Family = {
  name: 'rnn', gates: 1, hasCell: false,
  flags: (op, o: RnnForm) => ({ relu: checkRelu(op, o.nonlinearity) }),
  workspaceBytes: rnnWorkspaceBytes,
  forward: rnnForward,
  backward: rnnBackward,
};

/**
 * An Elman RNN layer over a whole time-major sequence x [T, B, I], one direction, as one fused
 * kernel call and ONE tape node:
 *
 *   hₜ = φ(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh),   φ = tanh or ReLU
 *
 * Weights: wIh [H, I], wHh [H, H], biases [H].
 */
export function rnnSequence(x: Tensor, options: RnnSequenceOptions): RnnSequenceResult {
  const op = 'rnnSequence';
  checkOptions(op, options, RNN_SEQUENCE_KEYS);
  const [output, h] = runSequence(RNN, op, x, options);
  return { output, h };
}

/**
 * One Elman RNN step (torch.nn.RNNCell): x [B, I] and h [B, H] (null = zeros) give the next h.
 * The same fused Function as `rnnSequence` with T = 1.
 */
export function rnnCell(x: Tensor, h: Tensor | null | undefined, weights: RecurrentWeights & RnnForm): Tensor {
  const op = 'rnnCell';
  checkOptions(op, weights, RNN_CELL_KEYS);
  return runCell(RNN, op, x, weights, h)[0];
}
