import type { Core } from '../core.js';
import { ArgNames, type Impl, type KnownArgs } from '../validate.js';
import {
  SEQUENCE_BACKWARD_ARGS, SEQUENCE_FORWARD_ARGS, cellFamily, familyWorkspaceBytes, sequenceBackward, sequenceForward,
  type SequenceBackwardArgs, type SequenceForwardArgs,
} from './sequence.js';

type RnnForwardKernel = (
  T: number, B: number, I: number, H: number, reverse: number, relu: number,
  x: number, wIh: number, wHh: number, bIh: number, bHh: number, lengths: number,
  h0: number, out: number, ldo: number, hT: number, ws: number, work: number,
) => void;

type RnnBackwardKernel = (
  T: number, B: number, I: number, H: number, reverse: number, relu: number,
  x: number, wIh: number, wHh: number, lengths: number, ws: number,
  dout: number, lddo: number, dhT: number,
  dx: number, dh0: number, dwIh: number, dwHh: number, dbIh: number, dbHh: number, work: number,
) => void;

/** Raw exports of the fused Elman RNN (assembly/recurrent/exports-lstm-rnn.ts). */
export interface RnnExports {
  f32_rnn_workspace_bytes(T: number, B: number, I: number, H: number): number;
  f32_rnn_forward_scratch_bytes(T: number, B: number, I: number, H: number): number;
  f32_rnn_backward_scratch_bytes(T: number, B: number, I: number, H: number): number;
  /** In the plain and debug builds; the relaxed build names it `f32_rnn_forward__wasmrelaxedsimd` (see dispatch.ts). */
  f32_rnn_forward__wasmsimd?: RnnForwardKernel;
  f32_rnn_forward__wasmrelaxedsimd?: RnnForwardKernel;
  f32_rnn_forward__scalar: RnnForwardKernel;
  /** In the plain and debug builds; the relaxed build names it `f32_rnn_backward__wasmrelaxedsimd` (see dispatch.ts). */
  f32_rnn_backward__wasmsimd?: RnnBackwardKernel;
  f32_rnn_backward__wasmrelaxedsimd?: RnnBackwardKernel;
  f32_rnn_backward__scalar: RnnBackwardKernel;
}

/** Pointers are byte offsets into the core's memory; an optional pointer absent or 0 = not given. */
export interface RnnForwardArgs extends SequenceForwardArgs {
  /** φ = ReLU instead of tanh (torch.nn.RNN's nonlinearity='relu'). Default false. */
  relu?: boolean;
}

export interface RnnBackwardArgs extends SequenceBackwardArgs {
  /** As given to the forward. */
  relu?: boolean;
}

const FORWARD_ARGS = new ArgNames({ ...SEQUENCE_FORWARD_ARGS, relu: true } satisfies KnownArgs<RnnForwardArgs>);
const BACKWARD_ARGS = new ArgNames({ ...SEQUENCE_BACKWARD_ARGS, relu: true } satisfies KnownArgs<RnnBackwardArgs>);

/** The RNN as the shared recurrent wrappers see it. */
const RNN = cellFamily('rnn', {
  gates: 1, hasCell: false, flags: ['relu'], minHidden: 0, forwardArgs: FORWARD_ARGS, backwardArgs: BACKWARD_ARGS,
});

/** Bytes of the workspace an RNN forward saves for its backward: (T + 1)·B·H floats. */
export function rnnWorkspaceBytes(core: Core, T: number, B: number, I: number, H: number): number {
  return familyWorkspaceBytes(core, RNN, T, B, I, H);
}

/**
 * Elman RNN forward over a whole sequence, one layer and direction (torch.nn.RNN):
 *
 *   hₜ = φ(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh),   φ = tanh or ReLU
 *
 * With `ws` it saves what `rnnBackward` needs. Scratch comes from the arena.
 */
export function rnnForward(core: Core, args: RnnForwardArgs, impl: Impl = 'simd'): void {
  sequenceForward(core, RNN, args, impl);
}

/**
 * Backpropagation through time for `rnnForward`, in one call, from its workspace. With
 * δhₜ = ∂L/∂outₜ + (gradient from step t+1):
 *
 *   ∂aₜ = δhₜ ⊙ φ'(aₜ)  (tanh: 1 − hₜ²; ReLU: [hₜ > 0])   ∂hₜ₋₁ = ∂aₜ·W_hh   ∂xₜ = ∂aₜ·W_ih
 *   ∂W_ih += Σₜ ∂aₜᵀxₜ   ∂W_hh += Σₜ ∂aₜᵀhₜ₋₁   ∂b_ih, ∂b_hh += Σₜ ∂aₜ
 *
 * Padding steps contribute nothing and pass ∂h through. dx and dh0 are overwritten; the weight and
 * bias gradients are accumulated.
 */
export function rnnBackward(core: Core, args: RnnBackwardArgs, impl: Impl = 'simd'): void {
  sequenceBackward(core, RNN, args, impl);
}
