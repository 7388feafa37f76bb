// Raw exports of the fused Tree-LSTM cell update (layouts and semantics in cell.ts) and of the
// transpose that stacks a tree's levels for their weight gradient (transpose.ts). Pointers are byte
// offsets, 0 = absent where documented. Each SIMD kernel has a scalar twin.
import { treeLstmCellBackward, treeLstmCellForward } from "./cell";
import { transpose } from "./transpose";

/** Tree-LSTM cell forward of M nodes with K forget gates (cell.ts). */
export function f32_tree_lstm_cell_forward__wasmsimd(
  M: i32, H: i32, K: i32, pre: usize, bias: usize, cc: usize, kept: usize, act: usize, c: usize, tc: usize, h: usize,
): void {
  treeLstmCellForward(true, M, H, K, pre, bias, cc, kept, act, c, tc, h);
}

/** Scalar twin of `f32_tree_lstm_cell_forward__wasmsimd`, same signature. */
export function f32_tree_lstm_cell_forward__scalar(
  M: i32, H: i32, K: i32, pre: usize, bias: usize, cc: usize, kept: usize, act: usize, c: usize, tc: usize, h: usize,
): void {
  treeLstmCellForward(false, M, H, K, pre, bias, cc, kept, act, c, tc, h);
}

/** Tree-LSTM cell backward (cell.ts): dpre, dcc, dc_total overwritten, db accumulated. */
export function f32_tree_lstm_cell_backward__wasmsimd(
  M: i32, H: i32, K: i32, act: usize, tc: usize, cc: usize, dh: usize, dc: usize,
  dpre: usize, db: usize, dcc: usize, dc_total: usize,
): void {
  treeLstmCellBackward(true, M, H, K, act, tc, cc, dh, dc, dpre, db, dcc, dc_total);
}

/** Scalar twin of `f32_tree_lstm_cell_backward__wasmsimd`, same signature. */
export function f32_tree_lstm_cell_backward__scalar(
  M: i32, H: i32, K: i32, act: usize, tc: usize, cc: usize, dh: usize, dc: usize,
  dpre: usize, db: usize, dcc: usize, dc_total: usize,
): void {
  treeLstmCellBackward(false, M, H, K, act, tc, cc, dh, dc, dpre, db, dcc, dc_total);
}

/** dst (cols×rows, row stride ldDst) = srcᵀ (rows×cols, row stride ldSrc) (transpose.ts). */
export function f32_transpose__wasmsimd(rows: i32, cols: i32, src: usize, ldSrc: i32, dst: usize, ldDst: i32): void {
  transpose(true, rows, cols, src, ldSrc, dst, ldDst);
}

/** Scalar twin of `f32_transpose__wasmsimd`, same signature. */
export function f32_transpose__scalar(rows: i32, cols: i32, src: usize, ldSrc: i32, dst: usize, ldDst: i32): void {
  transpose(false, rows, cols, src, ldSrc, dst, ldDst);
}
