import type { Core } from '../core.js';
import { EddyError, describe } from '../errors.js';
import { checkDim, checkImpl, checkMatrix, checkPointer, checkStride, checkVector, type Impl } from '../validate.js';

type GruForwardKernel = (
  T: number, B: number, I: number, H: number, reverse: number, resetBefore: number,
  x: number, wIh: number, wHh: number, bIh: number, bHh: number, lengths: number, h0: number,
  out: number, ldo: number, hT: number, ws: number, work: number,
) => void;

type GruBackwardKernel = (
  T: number, B: number, I: number, H: number, reverse: number, resetBefore: number,
  x: number, wIh: number, wHh: number, lengths: number, ws: number,
  dout: number, lddo: number, dhT: number, dx: number, dh0: number,
  dWih: number, dWhh: number, dbIh: number, dbHh: number, work: number,
) => void;

/** Raw exports of the fused GRU (assembly/recurrent/exports-gru.ts). */
export interface GruExports {
  f32_gru_workspace_bytes(T: number, B: number, I: number, H: number): number;
  f32_gru_forward_scratch_bytes(T: number, B: number, I: number, H: number): number;
  f32_gru_backward_scratch_bytes(T: number, B: number, I: number, H: number): number;
  f32_gru_forward__wasmsimd: GruForwardKernel;
  f32_gru_forward__scalar: GruForwardKernel;
  f32_gru_backward__wasmsimd: GruBackwardKernel;
  f32_gru_backward__scalar: GruBackwardKernel;
}

/** Sizes and flags shared by the forward and the backward of one GRU layer and direction. */
export interface GruShape {
  /** Time steps. */
  T: number;
  /** Batch size. */
  B: number;
  /** Input features. */
  I: number;
  /** Hidden size (≥ 1). */
  H: number;
  /** Process t = T−1 … 0 (the backward direction of a bidirectional layer). Default false. */
  reverse?: boolean;
  /**
   * false (default): PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));
   * true: Cho et al. (2014), n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
   */
  resetBefore?: boolean;
}

/** Pointers (byte offsets into the core's memory) of a GRU forward call. */
export interface GruForwardArgs extends GruShape {
  /** Input [T, B, I], time-major, contiguous. */
  x: number;
  /** W_ih (3H × I), rows r | z | n. */
  wIh: number;
  /** W_hh (3H × H), rows r | z | n. */
  wHh: number;
  /** b_ih [3H]; 0 or absent = no bias. */
  bIh?: number;
  /** b_hh [3H]; 0 or absent = no bias. */
  bHh?: number;
  /** int32[B] sequence lengths in [0, T]; 0 or absent = all T. */
  lengths?: number;
  /** Initial state [B, H]; 0 or absent = zeros. */
  h0?: number;
  /** Output [T, B, ·]: row (t, b) holds h_t in its first H elements; padding rows are zero. */
  out: number;
  /** Row stride of `out` in elements (≥ H); default H. */
  ldo?: number;
  /** Final state [B, H] (after each element's last valid step); 0 or absent = not wanted. */
  hT?: number;
  /** Workspace of `gruWorkspaceBytes(T, B, I, H)` bytes saved for the backward; 0 or absent = inference. */
  ws?: number;
}

/** Pointers of a GRU backward call: the forward's inputs, its ws, and the gradients. */
export interface GruBackwardArgs extends GruShape {
  /** The forward's input [T, B, I]. */
  x: number;
  /** The forward's W_ih (3H × I). */
  wIh: number;
  /** The forward's W_hh (3H × H). */
  wHh: number;
  /** The forward's lengths (int32[B]); 0 or absent = all T. */
  lengths?: number;
  /** The ws the forward filled (required). */
  ws: number;
  /** ∂L/∂out, rows of H at stride `lddo`; 0 or absent = none. */
  dout?: number;
  /** Row stride of `dout` (≥ H); default H. */
  lddo?: number;
  /** ∂L/∂hT [B, H]; 0 or absent = none. */
  dhT?: number;
  /** ∂L/∂x [T, B, I], overwritten; 0 or absent = not wanted. */
  dx?: number;
  /** ∂L/∂h0 [B, H], overwritten; 0 or absent = not wanted. */
  dh0?: number;
  /** ∂L/∂W_ih (3H × I), accumulated (+=). */
  dWih: number;
  /** ∂L/∂W_hh (3H × H), accumulated (+=). */
  dWhh: number;
  /** ∂L/∂b_ih [3H], accumulated; 0 or absent = skip. */
  dbIh?: number;
  /** ∂L/∂b_hh [3H], accumulated; 0 or absent = skip. */
  dbHh?: number;
}

/**
 * Bytes of the workspace a training forward fills for the backward: 5·T·B·H float32 (activated
 * gates r|z|n [T, B, 3H], the state entering each step [T, B, H], and W_hn h + b_hn or r ⊙ h
 * [T, B, H], all by time index). The caller owns it; it must live until the backward.
 */
export function gruWorkspaceBytes(T: number, B: number, I: number, H: number): number {
  const op = 'gruWorkspaceBytes';
  checkSizes(op, { T, B, I, H });
  return T * B * H * 20;
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
  const op = 'gruForward';
  const { T, B, I, H, M, reverse, resetBefore, x, wIh, wHh, lengths } = checkCommon(core, op, args, impl);
  const ldo = checkStride(op, 'ldo', args.ldo ?? H, H);
  const bIh = optional(core, op, 'bIh', args.bIh, 3 * H * 4);
  const bHh = optional(core, op, 'bHh', args.bHh, 3 * H * 4);
  const h0 = optional(core, op, 'h0', args.h0, B * H * 4);
  const out = checkMatrix(core, op, 'out', args.out, M, H, ldo);
  const hT = optional(core, op, 'hT', args.hT, B * H * 4);
  const ws = optional(core, op, 'ws', args.ws, gruWorkspaceBytes(T, B, I, H));
  const x_ = core.exports;
  core.arena.scope(() => {
    const work = core.arena.alloc(x_.f32_gru_forward_scratch_bytes(T, B, I, H) >>> 0);
    const kernel = impl === 'simd' ? x_.f32_gru_forward__wasmsimd : x_.f32_gru_forward__scalar;
    kernel(T, B, I, H, +reverse, +resetBefore, x, wIh, wHh, bIh, bHh, lengths, h0, out, ldo, hT, ws, work);
  });
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
  const op = 'gruBackward';
  const { T, B, I, H, M, reverse, resetBefore, x, wIh, wHh, lengths } = checkCommon(core, op, args, impl);
  const lddo = checkStride(op, 'lddo', args.lddo ?? H, H);
  const ws = checkPointer(core, op, 'ws', args.ws, gruWorkspaceBytes(T, B, I, H));
  const dout = args.dout === undefined || args.dout === 0 ? 0 : checkMatrix(core, op, 'dout', args.dout, M, H, lddo);
  const dhT = optional(core, op, 'dhT', args.dhT, B * H * 4);
  const dx = optional(core, op, 'dx', args.dx, M * I * 4);
  const dh0 = optional(core, op, 'dh0', args.dh0, B * H * 4);
  const dWih = checkMatrix(core, op, 'dWih', args.dWih, 3 * H, I, I);
  const dWhh = checkMatrix(core, op, 'dWhh', args.dWhh, 3 * H, H, H);
  const dbIh = optional(core, op, 'dbIh', args.dbIh, 3 * H * 4);
  const dbHh = optional(core, op, 'dbHh', args.dbHh, 3 * H * 4);
  const x_ = core.exports;
  core.arena.scope(() => {
    const work = core.arena.alloc(x_.f32_gru_backward_scratch_bytes(T, B, I, H) >>> 0);
    const kernel = impl === 'simd' ? x_.f32_gru_backward__wasmsimd : x_.f32_gru_backward__scalar;
    kernel(T, B, I, H, +reverse, +resetBefore, x, wIh, wHh, lengths, ws, dout, lddo, dhT, dx, dh0, dWih, dWhh, dbIh, dbHh, work);
  });
}

/** Checks what the forward and the backward share: impl, sizes, flags, x, the weights, lengths. */
function checkCommon(core: Core, op: string, args: GruShape & { x: number; wIh: number; wHh: number; lengths?: number }, impl: Impl) {
  checkImpl(op, impl);
  const { T, B, I, H } = checkSizes(op, args);
  const M = T * B;
  return {
    T, B, I, H, M,
    reverse: checkFlag(op, 'reverse', args.reverse),
    resetBefore: checkFlag(op, 'resetBefore', args.resetBefore),
    x: checkMatrix(core, op, 'x', args.x, M, I, I),
    wIh: checkMatrix(core, op, 'wIh', args.wIh, 3 * H, I, I),
    wHh: checkMatrix(core, op, 'wHh', args.wHh, 3 * H, H, H),
    lengths: checkLengths(core, op, args.lengths, T, B),
  };
}

/** The kernels compute byte offsets in 32 bits. */
const MAX_BYTES = 2 ** 32;

function checkSizes(op: string, s: { T: unknown; B: unknown; I: unknown; H: unknown }) {
  const T = checkDim(op, 'T', s.T);
  const B = checkDim(op, 'B', s.B);
  const I = checkDim(op, 'I', s.I);
  const H = checkDim(op, 'H', s.H, 1);
  // ws (5·T·B·H floats) or the backward's scratch (dG, dâ_n, packed W_hh) must fit in 32 bits.
  if (T * B * Math.max(5 * H, 3 * H + I) * 4 + 3 * H * Math.max(H, I) * 8 >= MAX_BYTES) {
    throw new EddyError('E_ARGUMENT', `${op}: T·B·H = ${T}·${B}·${H} (I = ${I}) needs more than 4 GiB of memory`);
  }
  return { T, B, I, H };
}

function checkFlag(op: string, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new EddyError('E_ARGUMENT', `${op}: ${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** An optional pointer: 0 or absent means "none"; otherwise it must hold `bytes`. */
function optional(core: Core, op: string, name: string, ptr: unknown, bytes: number): number {
  if (ptr === undefined || ptr === 0) return 0;
  return checkPointer(core, op, name, ptr, bytes);
}

/** lengths: 0 / absent, or int32[B] with every value in [0, T]. */
function checkLengths(core: Core, op: string, ptr: unknown, T: number, B: number): number {
  if (ptr === undefined || ptr === 0) return 0;
  const p = checkVector(core, op, 'lengths', ptr, Math.max(B, 1));
  const view = core.arena.i32;
  for (let b = 0; b < B; b++) {
    const len = view[(p >>> 2) + b];
    if (len < 0 || len > T) {
      throw new EddyError('E_ARGUMENT', `${op}: lengths[${b}] must be in [0, T = ${T}], got ${len}`);
    }
  }
  return p;
}
