import type { Core } from '../core.js';
import { ArgNames, checkImpl, type Impl, type KnownArgs } from '../validate.js';
import {
  SEQUENCE_BACKWARD_ARGS, SEQUENCE_FORWARD_ARGS, bytesFromAbi, checkFlag,
  checkSequenceBackward, checkSequenceForward, sequenceWorkspaceBytes, withScratch,
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
  f32_rnn_forward__wasmsimd: RnnForwardKernel;
  f32_rnn_forward__scalar: RnnForwardKernel;
  f32_rnn_backward__wasmsimd: RnnBackwardKernel;
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

/** Bytes of the workspace an RNN forward saves for its backward: (T + 1)·B·H floats. */
export function rnnWorkspaceBytes(core: Core, T: number, B: number, I: number, H: number): number {
  return sequenceWorkspaceBytes('rnnWorkspaceBytes', core.exports.f32_rnn_workspace_bytes, T, B, I, H);
}

/**
 * Elman RNN forward over a whole sequence, one layer and direction (torch.nn.RNN):
 *
 *   hₜ = φ(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh),   φ = tanh or ReLU
 *
 * With `ws` it saves what `rnnBackward` needs. Scratch comes from the arena.
 */
export function rnnForward(core: Core, args: RnnForwardArgs, impl: Impl = 'simd'): void {
  const op = 'rnnForward';
  checkImpl(op, impl);
  const abi = core.exports;
  const a = checkSequenceForward(core, op, args, FORWARD_ARGS, 1, abi.f32_rnn_workspace_bytes);
  const relu = checkFlag(op, 'relu', args.relu);
  const { T, B, I, H } = a;
  const kernel = impl === 'simd' ? abi.f32_rnn_forward__wasmsimd : abi.f32_rnn_forward__scalar;
  withScratch(core, bytesFromAbi(op, abi.f32_rnn_forward_scratch_bytes, a), (work) =>
    kernel(T, B, I, H, a.reverse, relu, a.x, a.wIh, a.wHh, a.bIh, a.bHh, a.lengths, a.h0, a.out, a.ldo, a.hT, a.ws, work),
  );
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
  const op = 'rnnBackward';
  checkImpl(op, impl);
  const abi = core.exports;
  const a = checkSequenceBackward(core, op, args, BACKWARD_ARGS, 1, abi.f32_rnn_workspace_bytes);
  const relu = checkFlag(op, 'relu', args.relu);
  const { T, B, I, H } = a;
  const kernel = impl === 'simd' ? abi.f32_rnn_backward__wasmsimd : abi.f32_rnn_backward__scalar;
  withScratch(core, bytesFromAbi(op, abi.f32_rnn_backward_scratch_bytes, a), (work) =>
    kernel(T, B, I, H, a.reverse, relu, a.x, a.wIh, a.wHh, a.lengths, a.ws, a.dout, a.lddo, a.dhT,
      a.dx, a.dh0, a.dwIh, a.dwHh, a.dbIh, a.dbHh, work),
  );
}
