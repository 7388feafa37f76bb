// Raw ABI of the fused GRU (layout, equations and ws layout in gru.ts). Pointers are byte
// offsets (0 = absent where noted), sizes and strides in elements, flags i32 0/1.
import { gruBackward, gruBackwardScratchBytes, gruForward, gruForwardScratchBytes, gruWorkspaceBytes } from "./gru";

/** Bytes of the ws the forward fills for the backward: 5·T·B·H floats. */
export function f32_gru_workspace_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return gruWorkspaceBytes(T, B, I, H);
}

/** Bytes of `work` scratch one forward call needs (either flag, either twin). */
export function f32_gru_forward_scratch_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return gruForwardScratchBytes(T, B, I, H);
}

/** Bytes of `work` scratch one backward call needs (either flag, either twin). */
export function f32_gru_backward_scratch_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return gruBackwardScratchBytes(T, B, I, H);
}

/**
 * GRU over a whole sequence. x [T, B, I]; w_ih (3H × I; 0 = x holds X·W_ihᵀ, I = 3H), w_hh (3H × H), b_ih, b_hh [3H] (0 = none);
 * lengths int32[B] (0 = all T); h0 [B, H] (0 = zeros); out rows of H at stride ldo (padding rows
 * zero); hT [B, H] (0 = not wanted); ws (0 = inference); work: forward_scratch_bytes.
 */
export function f32_gru_forward__wasmsimd(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, resetBefore: i32,
  x: usize, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize, lengths: usize, h0: usize,
  out: usize, ldo: i32, hT: usize, ws: usize, work: usize,
): void {
  gruForward(true, T, B, I, H, reverse != 0, resetBefore != 0, x, w_ih, w_hh, b_ih, b_hh, lengths, h0, out, ldo, hT, ws, work);
}

/** Scalar twin of `f32_gru_forward__wasmsimd`, same signature. */
export function f32_gru_forward__scalar(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, resetBefore: i32,
  x: usize, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize, lengths: usize, h0: usize,
  out: usize, ldo: i32, hT: usize, ws: usize, work: usize,
): void {
  gruForward(false, T, B, I, H, reverse != 0, resetBefore != 0, x, w_ih, w_hh, b_ih, b_hh, lengths, h0, out, ldo, hT, ws, work);
}

/**
 * BPTT through the forward that filled ws (same T, B, I, H, reverse, resetBefore, x, weights,
 * lengths). dout rows of H at stride lddo (0 = none); dhT [B, H] (0 = none). Overwrites dx [T, B, I]
 * and dh0 [B, H] (0 = not wanted); ADDS into dw_ih, dw_hh, db_ih, db_hh (bias 0 = skip).
 */
export function f32_gru_backward__wasmsimd(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, resetBefore: i32,
  x: usize, w_ih: usize, w_hh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize, dx: usize, dh0: usize,
  dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, work: usize,
): void {
  gruBackward(true, T, B, I, H, reverse != 0, resetBefore != 0, x, w_ih, w_hh, lengths, ws,
    dout, lddo, dhT, dx, dh0, dw_ih, dw_hh, db_ih, db_hh, work);
}

/** Scalar twin of `f32_gru_backward__wasmsimd`, same signature. */
export function f32_gru_backward__scalar(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, resetBefore: i32,
  x: usize, w_ih: usize, w_hh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize, dx: usize, dh0: usize,
  dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, work: usize,
): void {
  gruBackward(false, T, B, I, H, reverse != 0, resetBefore != 0, x, w_ih, w_hh, lengths, ws,
    dout, lddo, dhT, dx, dh0, dw_ih, dw_hh, db_ih, db_hh, work);
}
