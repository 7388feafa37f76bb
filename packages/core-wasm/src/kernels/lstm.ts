import type { Core } from '../core.js';
import { EddyError } from '../errors.js';
import { checkImpl, checkMatrix, checkPointer, type Impl } from '../validate.js';
import {
  bytesFromAbi, checkFlag, checkLengths, checkOptionalMatrix, checkRowStride, checkSequenceSizes,
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
  f32_lstm_forward__wasmsimd: LstmForwardKernel;
  f32_lstm_forward__scalar: LstmForwardKernel;
  f32_lstm_backward__wasmsimd: LstmBackwardKernel;
  f32_lstm_backward__scalar: LstmBackwardKernel;
}

/** Pointers are byte offsets into the core's memory; an optional pointer absent or 0 = not given. */
export interface LstmForwardArgs {
  /** Steps. */
  T: number;
  /** Batch. */
  B: number;
  /** Input width. */
  I: number;
  /** Hidden width. */
  H: number;
  /** Process t = T−1 … 0 (the backward direction of a bidirectional layer). Default false. */
  reverse?: boolean;
  /** Input [T, B, I], time-major. */
  x: number;
  /** weight_ih [4H, I], gates i|f|g|o. */
  wIh: number;
  /** weight_hh [4H, H]. */
  wHh: number;
  /** bias_ih [4H]. */
  bIh?: number;
  /** bias_hh [4H]. */
  bHh?: number;
  /** int32[B] sequence lengths in [0, T]; steps t ≥ len_b are padding. Absent = all T. */
  lengths?: number;
  /** Initial state [B, H]; absent = zeros. */
  h0?: number;
  c0?: number;
  /** Output h_t [T, B, ·] with row stride `ldo`; zero rows at padding steps. */
  out: number;
  /** Row stride of `out` in elements, ≥ H (2H for a half of a bidirectional output). Default H. */
  ldo?: number;
  /** Final state [B, H] (after each element's last valid step); may alias h0 / c0. */
  hT?: number;
  cT?: number;
  /** Workspace of `lstmWorkspaceBytes` bytes the backward needs; absent = inference. */
  ws?: number;
}

export interface LstmBackwardArgs {
  /** T, B, I, H, reverse, x, wIh, wHh, lengths and ws exactly as given to the forward. */
  T: number;
  B: number;
  I: number;
  H: number;
  reverse?: boolean;
  x: number;
  wIh: number;
  wHh: number;
  lengths?: number;
  ws: number;
  /** ∂L/∂out [T, B, ·] with row stride `lddo` (default H); absent = none. */
  dout?: number;
  lddo?: number;
  /** ∂L/∂hT, ∂L/∂cT [B, H]; absent = none. */
  dhT?: number;
  dcT?: number;
  /** ∂L/∂x [T, B, I], overwritten. */
  dx?: number;
  /** ∂L/∂h0, ∂L/∂c0 [B, H], overwritten; may alias dhT / dcT. */
  dh0?: number;
  dc0?: number;
  /** Weight and bias gradients, ACCUMULATED (+=): [4H, I], [4H, H], [4H], [4H]. */
  dwIh?: number;
  dwHh?: number;
  dbIh?: number;
  dbHh?: number;
}

/** Bytes of the workspace an LSTM forward saves for its backward: (7T + 2)·B·H floats. */
export function lstmWorkspaceBytes(core: Core, T: number, B: number, I: number, H: number): number {
  const s = checkSequenceSizes('lstmWorkspaceBytes', { T, B, I, H });
  return bytesFromAbi(core.exports.f32_lstm_workspace_bytes(s.T, s.B, s.I, s.H));
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
  const op = 'lstmForward';
  checkImpl(op, impl);
  const { T, B, I, H } = checkSequenceSizes(op, args);
  const G = 4 * H;
  const reverse = checkFlag(op, 'reverse', args.reverse);
  const x = checkMatrix(core, op, 'x', args.x, T * B, I, I);
  const wIh = checkMatrix(core, op, 'wIh', args.wIh, G, I, I);
  const wHh = checkMatrix(core, op, 'wHh', args.wHh, G, H, H);
  const bIh = checkOptionalMatrix(core, op, 'bIh', args.bIh, 1, G);
  const bHh = checkOptionalMatrix(core, op, 'bHh', args.bHh, 1, G);
  const lengths = checkLengths(core, op, args.lengths, B, T);
  const h0 = checkOptionalMatrix(core, op, 'h0', args.h0, B, H);
  const c0 = checkOptionalMatrix(core, op, 'c0', args.c0, B, H);
  const ldo = checkRowStride(op, 'ldo', args.ldo, H);
  const out = checkMatrix(core, op, 'out', args.out, T * B, H, ldo);
  const hT = checkOptionalMatrix(core, op, 'hT', args.hT, B, H);
  const cT = checkOptionalMatrix(core, op, 'cT', args.cT, B, H);
  const abi = core.exports;
  const ws = args.ws === undefined || args.ws === 0
    ? 0
    : checkPointer(core, op, 'ws', args.ws, bytesFromAbi(abi.f32_lstm_workspace_bytes(T, B, I, H)));
  const kernel = impl === 'simd' ? abi.f32_lstm_forward__wasmsimd : abi.f32_lstm_forward__scalar;
  core.arena.scope(() => {
    const work = core.arena.alloc(bytesFromAbi(abi.f32_lstm_forward_scratch_bytes(T, B, I, H)));
    kernel(T, B, I, H, reverse, x, wIh, wHh, bIh, bHh, lengths, h0, c0, out, ldo, hT, cT, ws, work);
  });
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
  const op = 'lstmBackward';
  checkImpl(op, impl);
  const { T, B, I, H } = checkSequenceSizes(op, args);
  const G = 4 * H;
  const reverse = checkFlag(op, 'reverse', args.reverse);
  const x = checkMatrix(core, op, 'x', args.x, T * B, I, I);
  const wIh = checkMatrix(core, op, 'wIh', args.wIh, G, I, I);
  const wHh = checkMatrix(core, op, 'wHh', args.wHh, G, H, H);
  const lengths = checkLengths(core, op, args.lengths, B, T);
  const abi = core.exports;
  if (args.ws === undefined || args.ws === 0) {
    throw new EddyError('E_ARGUMENT', `${op}: ws must be the workspace the forward filled, got ${String(args.ws)}`);
  }
  const ws = checkPointer(core, op, 'ws', args.ws, bytesFromAbi(abi.f32_lstm_workspace_bytes(T, B, I, H)));
  const lddo = checkRowStride(op, 'lddo', args.lddo, H);
  const dout = checkOptionalMatrix(core, op, 'dout', args.dout, T * B, H, lddo);
  const dhT = checkOptionalMatrix(core, op, 'dhT', args.dhT, B, H);
  const dcT = checkOptionalMatrix(core, op, 'dcT', args.dcT, B, H);
  const dx = checkOptionalMatrix(core, op, 'dx', args.dx, T * B, I);
  const dh0 = checkOptionalMatrix(core, op, 'dh0', args.dh0, B, H);
  const dc0 = checkOptionalMatrix(core, op, 'dc0', args.dc0, B, H);
  const dwIh = checkOptionalMatrix(core, op, 'dwIh', args.dwIh, G, I);
  const dwHh = checkOptionalMatrix(core, op, 'dwHh', args.dwHh, G, H);
  const dbIh = checkOptionalMatrix(core, op, 'dbIh', args.dbIh, 1, G);
  const dbHh = checkOptionalMatrix(core, op, 'dbHh', args.dbHh, 1, G);
  const kernel = impl === 'simd' ? abi.f32_lstm_backward__wasmsimd : abi.f32_lstm_backward__scalar;
  core.arena.scope(() => {
    const work = core.arena.alloc(bytesFromAbi(abi.f32_lstm_backward_scratch_bytes(T, B, I, H)));
    kernel(T, B, I, H, reverse, x, wIh, wHh, lengths, ws, dout, lddo, dhT, dcT,
      dx, dh0, dc0, dwIh, dwHh, dbIh, dbHh, work);
  });
}
