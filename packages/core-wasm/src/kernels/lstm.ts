import type { Core } from '../core.js';
import { ArgNames, type Impl, type KnownArgs } from '../validate.js';
import {
  SEQUENCE_BACKWARD_ARGS, SEQUENCE_FORWARD_ARGS, cellFamily, familyWorkspaceBytes, sequenceBackward, sequenceForward,
  type SequenceBackwardArgs, type SequenceForwardArgs,
} from './sequence.js';

type LstmForwardKernel = (
  T: number, B: number, I: number, H: number, reverse: number,
  x: number, wIh: number, wHh: number, bIh: number, bHh: number, lengths: number,
  h0: number, c0: number, out: number, ldo: number, hT: number, cT: number, ws: number, work: number,
) => void;

type LstmBackwardKernel = (
  T: number, B: number, I: number, H: number, reverse: number,
  x: number, wIh: number, wHh: number, lengths: number, ws: number,
  dout: number, lddo: number, dhT: number, dcT: number,
  dx: number, dh0: number, dc0: number, dwIh: number, dwHh: number, dbIh: number, dbHh: number, work: number,
) => void;

/** Raw exports of the fused LSTM (assembly/recurrent/exports-lstm-rnn.ts). */
export interface LstmExports {
  f32_lstm_workspace_bytes(T: number, B: number, I: number, H: number): number;
  f32_lstm_forward_scratch_bytes(T: number, B: number, I: number, H: number): number;
  f32_lstm_backward_scratch_bytes(T: number, B: number, I: number, H: number): number;
  /** In the plain and debug builds; the relaxed build names it `f32_lstm_forward__wasmrelaxedsimd` (see dispatch.ts). */
  f32_lstm_forward__wasmsimd?: LstmForwardKernel;
  f32_lstm_forward__wasmrelaxedsimd?: LstmForwardKernel;
  f32_lstm_forward__scalar: LstmForwardKernel;
  /** In the plain and debug builds; the relaxed build names it `f32_lstm_backward__wasmrelaxedsimd` (see dispatch.ts). */
  f32_lstm_backward__wasmsimd?: LstmBackwardKernel;
  f32_lstm_backward__wasmrelaxedsimd?: LstmBackwardKernel;
  f32_lstm_backward__scalar: LstmBackwardKernel;
}

/** Pointers are byte offsets into the core's memory; an optional pointer absent or 0 = not given. */
export interface LstmForwardArgs extends SequenceForwardArgs {
  /** Initial cell state [B, H]; absent = zeros. */
  c0?: number;
  /** Final cell state [B, H]; may alias c0. */
  cT?: number;
}

export interface LstmBackwardArgs extends SequenceBackwardArgs {
  /** ∂L/∂cT [B, H]; absent = none. */
  dcT?: number;
  /** ∂L/∂c0 [B, H], overwritten; may alias dcT. */
  dc0?: number;
}

const FORWARD_ARGS = new ArgNames({ ...SEQUENCE_FORWARD_ARGS, c0: true, cT: true } satisfies KnownArgs<LstmForwardArgs>);
const BACKWARD_ARGS = new ArgNames({ ...SEQUENCE_BACKWARD_ARGS, dcT: true, dc0: true } satisfies KnownArgs<LstmBackwardArgs>);

/** The LSTM as the shared recurrent wrappers see it. */
const LSTM = cellFamily('lstm', {
  gates: 4, hasCell: true, flags: [], minHidden: 0, forwardArgs: FORWARD_ARGS, backwardArgs: BACKWARD_ARGS,
});

/** Bytes of the workspace an LSTM forward saves for its backward: (7T + 2)·B·H floats. */
export function lstmWorkspaceBytes(core: Core, T: number, B: number, I: number, H: number): number {
  return familyWorkspaceBytes(core, LSTM, T, B, I, H);
}

/**
 * LSTM forward over a whole sequence, one layer and direction (PyTorch's torch.nn.LSTM cell, gates
 * i|f|g|o):
 *
 *   iₜ = σ(W_ii xₜ + b_ii + W_hi hₜ₋₁ + b_hi)   fₜ = σ(W_if xₜ + b_if + W_hf hₜ₋₁ + b_hf)
 *   gₜ = tanh(W_ig xₜ + b_ig + W_hg hₜ₋₁ + b_hg) oₜ = σ(W_io xₜ + b_io + W_ho hₜ₋₁ + b_ho)
 *   cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ                      hₜ = oₜ ⊙ tanh(cₜ)
 *
 * With `ws` it saves what `lstmBackward` needs. Scratch comes from the arena.
 */
export function lstmForward(core: Core, args: LstmForwardArgs, impl: Impl = 'simd'): void {
  sequenceForward(core, LSTM, args, impl);
}

/**
 * Backpropagation through time for `lstmForward`, in one call, from its workspace. With
 * δhₜ = ∂L/∂outₜ + (gradient from step t+1) and δcₜ = δc + δhₜ ⊙ oₜ ⊙ (1 − tanh²cₜ):
 *
 *   ∂aᵢ = δcₜ⊙gₜ⊙iₜ(1−iₜ)   ∂a_f = δcₜ⊙cₜ₋₁⊙fₜ(1−fₜ)   ∂a_g = δcₜ⊙iₜ⊙(1−gₜ²)   ∂aₒ = δhₜ⊙tanh(cₜ)⊙oₜ(1−oₜ)
 *   ∂hₜ₋₁ = ∂aₜ·W_hh   ∂cₜ₋₁ = δcₜ ⊙ fₜ   ∂xₜ = ∂aₜ·W_ih
 *   ∂W_ih += Σₜ ∂aₜᵀxₜ   ∂W_hh += Σₜ ∂aₜᵀhₜ₋₁   ∂b_ih, ∂b_hh += Σₜ ∂aₜ
 *
 * Padding steps contribute nothing and pass ∂h, ∂c through. dx, dh0, dc0 are overwritten; the
 * weight and bias gradients are accumulated.
 */
export function lstmBackward(core: Core, args: LstmBackwardArgs, impl: Impl = 'simd'): void {
  sequenceBackward(core, LSTM, args, impl);
}
