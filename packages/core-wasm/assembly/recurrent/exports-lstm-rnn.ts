// Raw exports of the fused LSTM and Elman RNN sequence kernels (layouts and semantics in
// lstm.ts, rnn.ts and sequence.ts). Pointers are byte offsets, 0 = absent where documented; flags
// are i32 0/1; ldo / lddo are row strides in elements. Each SIMD kernel has a scalar twin.
import { lstmBackward, lstmBackwardScratchBytes, lstmForward, lstmForwardScratchBytes, lstmWorkspaceBytes } from "./lstm";
import { rnnBackward, rnnBackwardScratchBytes, rnnForward, rnnForwardScratchBytes, rnnWorkspaceBytes } from "./rnn";

/** Bytes of `ws` the LSTM forward saves for its backward: (7T + 2)·B·H floats. */
export function f32_lstm_workspace_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return lstmWorkspaceBytes(T, B, I, H);
}

/** Bytes of `work` scratch one LSTM forward call needs (either twin, training or inference). */
export function f32_lstm_forward_scratch_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return lstmForwardScratchBytes(T, B, I, H);
}

/** Bytes of `work` scratch one LSTM backward call needs (either twin). */
export function f32_lstm_backward_scratch_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return lstmBackwardScratchBytes(T, B, I, H);
}

/**
 * LSTM forward over x [T, B, I]: out [T, B, ·] (row stride ldo), hT, cT [B, H]; ws = 0 for
 * inference. b_ih, b_hh, lengths, h0, c0, hT, cT may be 0; w_ih = 0: x holds X·W_ihᵀ (I = 4H).
 */
export function f32_lstm_forward__wasmsimd(
  T: i32, B: i32, I: i32, H: i32, reverse: i32,
  x: usize, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize, lengths: usize,
  h0: usize, c0: usize, out: usize, ldo: i32, hT: usize, cT: usize, ws: usize, work: usize,
): void {
  lstmForward(true, T, B, I, H, reverse != 0, x, w_ih, w_hh, b_ih, b_hh, lengths, h0, c0, out, ldo, hT, cT, ws, work);
}

/** Scalar twin of `f32_lstm_forward__wasmsimd`, same signature. */
export function f32_lstm_forward__scalar(
  T: i32, B: i32, I: i32, H: i32, reverse: i32,
  x: usize, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize, lengths: usize,
  h0: usize, c0: usize, out: usize, ldo: i32, hT: usize, cT: usize, ws: usize, work: usize,
): void {
  lstmForward(false, T, B, I, H, reverse != 0, x, w_ih, w_hh, b_ih, b_hh, lengths, h0, c0, out, ldo, hT, cT, ws, work);
}

/**
 * LSTM backward from the forward's ws: dx [T, B, I], dh0, dc0 [B, H] overwritten; dw_ih, dw_hh,
 * db_ih, db_hh accumulated. dout (stride lddo), dhT, dcT and every output may be 0.
 */
export function f32_lstm_backward__wasmsimd(
  T: i32, B: i32, I: i32, H: i32, reverse: i32,
  x: usize, w_ih: usize, w_hh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize, dcT: usize,
  dx: usize, dh0: usize, dc0: usize, dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, work: usize,
): void {
  lstmBackward(true, T, B, I, H, reverse != 0, x, w_ih, w_hh, lengths, ws, dout, lddo, dhT, dcT,
    dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh, work);
}

/** Scalar twin of `f32_lstm_backward__wasmsimd`, same signature. */
export function f32_lstm_backward__scalar(
  T: i32, B: i32, I: i32, H: i32, reverse: i32,
  x: usize, w_ih: usize, w_hh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize, dcT: usize,
  dx: usize, dh0: usize, dc0: usize, dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, work: usize,
): void {
  lstmBackward(false, T, B, I, H, reverse != 0, x, w_ih, w_hh, lengths, ws, dout, lddo, dhT, dcT,
    dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh, work);
}

/** Bytes of `ws` the Elman RNN forward saves for its backward: (T + 1)·B·H floats. */
export function f32_rnn_workspace_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return rnnWorkspaceBytes(T, B, I, H);
}

/** Bytes of `work` scratch one RNN forward call needs (either twin, training or inference). */
export function f32_rnn_forward_scratch_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return rnnForwardScratchBytes(T, B, I, H);
}

/** Bytes of `work` scratch one RNN backward call needs (either twin). */
export function f32_rnn_backward_scratch_bytes(T: i32, B: i32, I: i32, H: i32): usize {
  return rnnBackwardScratchBytes(T, B, I, H);
}

/**
 * Elman RNN forward (relu = 0: tanh, 1: ReLU) over x [T, B, I]: out [T, B, ·] (row stride ldo),
 * hT [B, H]; ws = 0 for inference. b_ih, b_hh, lengths, h0, hT may be 0; w_ih = 0: x holds X·W_ihᵀ (I = H).
 */
export function f32_rnn_forward__wasmsimd(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, relu: i32,
  x: usize, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize, lengths: usize,
  h0: usize, out: usize, ldo: i32, hT: usize, ws: usize, work: usize,
): void {
  rnnForward(true, T, B, I, H, reverse != 0, relu != 0, x, w_ih, w_hh, b_ih, b_hh, lengths, h0, out, ldo, hT, ws, work);
}

/** Scalar twin of `f32_rnn_forward__wasmsimd`, same signature. */
export function f32_rnn_forward__scalar(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, relu: i32,
  x: usize, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize, lengths: usize,
  h0: usize, out: usize, ldo: i32, hT: usize, ws: usize, work: usize,
): void {
  rnnForward(false, T, B, I, H, reverse != 0, relu != 0, x, w_ih, w_hh, b_ih, b_hh, lengths, h0, out, ldo, hT, ws, work);
}

/**
 * Elman RNN backward from the forward's ws: dx [T, B, I], dh0 [B, H] overwritten; dw_ih, dw_hh,
 * db_ih, db_hh accumulated. dout (stride lddo), dhT and every output may be 0.
 */
export function f32_rnn_backward__wasmsimd(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, relu: i32,
  x: usize, w_ih: usize, w_hh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize,
  dx: usize, dh0: usize, dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, work: usize,
): void {
  rnnBackward(true, T, B, I, H, reverse != 0, relu != 0, x, w_ih, w_hh, lengths, ws, dout, lddo, dhT,
    dx, dh0, dw_ih, dw_hh, db_ih, db_hh, work);
}

/** Scalar twin of `f32_rnn_backward__wasmsimd`, same signature. */
export function f32_rnn_backward__scalar(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, relu: i32,
  x: usize, w_ih: usize, w_hh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize,
  dx: usize, dh0: usize, dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, work: usize,
): void {
  rnnBackward(false, T, B, I, H, reverse != 0, relu != 0, x, w_ih, w_hh, lengths, ws, dout, lddo, dhT,
    dx, dh0, dw_ih, dw_hh, db_ih, db_hh, work);
}
