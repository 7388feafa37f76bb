import type { Core } from '../core.js';
import { ArgNames, type Impl, type KnownArgs } from '../validate.js';
import {
  SEQUENCE_BACKWARD_ARGS, SEQUENCE_FORWARD_ARGS, cellFamily, familyWorkspaceBytes, sequenceBackward, sequenceForward,
  type SequenceBackwardArgs, type SequenceForwardArgs,
} from './sequence.js';

type GruForwardKernel = (
  T: number, B: number, I: number, H: number, reverse: number, resetBefore: number,
  x: number, wIh: number, wHh: number, bIh: number, bHh: number, lengths: number, h0: number,
  out: number, ldo: number, hT: number, ws: number, work: number,
) => void;

type GruBackwardKernel = (
  T: number, B: number, I: number, H: number, reverse: number, resetBefore: number,
  x: number, wIh: number, wHh: number, lengths: number, ws: number,
  dout: number, lddo: number, dhT: number, dx: number, dh0: number,
  dwIh: number, dwHh: number, dbIh: number, dbHh: number, work: number,
) => void;

/** Raw exports of the fused GRU (assembly/recurrent/exports-gru.ts). */
export interface GruExports {
  f32_gru_workspace_bytes(T: number, B: number, I: number, H: number): number;
  f32_gru_forward_scratch_bytes(T: number, B: number, I: number, H: number): number;
  f32_gru_backward_scratch_bytes(T: number, B: number, I: number, H: number): number;
  /** In the plain and debug builds; the relaxed build names it `f32_gru_forward__wasmrelaxedsimd` (see dispatch.ts). */
  f32_gru_forward__wasmsimd?: GruForwardKernel;
  f32_gru_forward__wasmrelaxedsimd?: GruForwardKernel;
  f32_gru_forward__scalar: GruForwardKernel;
  /** In the plain and debug builds; the relaxed build names it `f32_gru_backward__wasmrelaxedsimd` (see dispatch.ts). */
  f32_gru_backward__wasmsimd?: GruBackwardKernel;
  f32_gru_backward__wasmrelaxedsimd?: GruBackwardKernel;
  f32_gru_backward__scalar: GruBackwardKernel;
}

/** Pointers are byte offsets into the core's memory; an optional pointer absent or 0 = not given. */
export interface GruForwardArgs extends SequenceForwardArgs {
  /**
   * false (default): PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));
   * true: Cho et al. (2014), n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
   */
  resetBefore?: boolean;
}

export interface GruBackwardArgs extends SequenceBackwardArgs {
  /** As given to the forward. */
  resetBefore?: boolean;
}

const FORWARD_ARGS = new ArgNames({ ...SEQUENCE_FORWARD_ARGS, resetBefore: true } satisfies KnownArgs<GruForwardArgs>);
const BACKWARD_ARGS = new ArgNames({ ...SEQUENCE_BACKWARD_ARGS, resetBefore: true } satisfies KnownArgs<GruBackwardArgs>);

/** The GRU as the shared recurrent wrappers see it. */
const GRU = cellFamily('gru', {
  gates: 3, hasCell: false, flags: ['resetBefore'], minHidden: 1, forwardArgs: FORWARD_ARGS, backwardArgs: BACKWARD_ARGS,
});

/**
 * Bytes of the workspace a GRU forward saves for its backward: 5·T·B·H floats (activated gates
 * r|z|n [T, B, 3H], the state entering each step [T, B, H], and W_hn h + b_hn or r ⊙ h [T, B, H],
 * all by time index). The caller owns it; it must live until the backward.
 */
export function gruWorkspaceBytes(core: Core, T: number, B: number, I: number, H: number): number {
  return familyWorkspaceBytes(core, GRU, T, B, I, H);
}

/**
 * GRU forward over a whole sequence in one call (one layer, one direction):
 *
 *   r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr),  z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz),
 *   n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))   (resetBefore: W_hn (r_t ⊙ h_{t−1}) + b_hn),
 *   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}.
 *
 * Packed sequences as PyTorch: for element b, steps t ≥ lengths[b] write zero output rows and keep
 * the state; hT is the state after the last valid step; in reverse each element starts at
 * t = lengths[b] − 1 from h0. With `ws` the values the backward needs are saved there.
 * Outputs must not overlap inputs. Scratch comes from the arena inside a scope.
 */
export function gruForward(core: Core, args: GruForwardArgs, impl: Impl = 'simd'): void {
  sequenceForward(core, GRU, args, impl);
}

/**
 * GRU backpropagation through time over the whole sequence in one call, through the forward that
 * filled `ws` (same sizes, flags, x, weights and lengths; h0 and the biases are not needed). With
 * dh′ = ∂L/∂h_t (from dout and the later steps), per step:
 *
 *   dn = dh′ ⊙ (1 − z), dz = dh′ ⊙ (h_{t−1} − n), dâ_n = dn ⊙ (1 − n²), dâ_z = dz ⊙ z(1 − z),
 *   dâ_r = dâ_n ⊙ (W_hn h_{t−1} + b_hn) ⊙ r(1 − r)     (resetBefore: (W_hnᵀ dâ_n) ⊙ h_{t−1} ⊙ r(1 − r)),
 *
 * then dx = dG·W_ih, dW_ih += dGᵀ·X, dW_hh += dG_hᵀ·H_prev, db += column sums (the hidden side of
 * the n gate is dâ_n ⊙ r in PyTorch's form). dx and dh0 are overwritten; the weight and bias
 * gradients are accumulated (+=). Padding steps pass ∂L/∂h through unchanged.
 */
export function gruBackward(core: Core, args: GruBackwardArgs, impl: Impl = 'simd'): void {
  sequenceBackward(core, GRU, args, impl);
}

