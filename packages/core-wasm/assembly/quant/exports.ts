import { quantizeRows, quantStride } from "./quantize";
import { qd8Gemm, qd8WorkBytes } from "./gemm";

/** Bytes between the int8 rows of c columns (c rounded up to 16, zero-padded). */
export function qc8_row_stride(c: i32): i32 {
  return quantStride(c);
}

/**
 * x f32 [r, c] (row stride ldx) → q int8 [r, c] (rows `qc8_row_stride(c)` bytes apart, zero-padded)
 * and one f32 scale per row: s = max|x_r| / 127, q = round-half-even(x / s) ∈ [−127, 127].
 */
export function f32_qc8_quantize__wasmsimd(r: i32, c: i32, x: usize, ldx: i32, q: usize, scales: usize): void {
  quantizeRows(true, r, c, x, ldx, q, scales);
}

/** Scalar twin of `f32_qc8_quantize__wasmsimd`, same signature and bits. */
export function f32_qc8_quantize__scalar(r: i32, c: i32, x: usize, ldx: i32, q: usize, scales: usize): void {
  quantizeRows(false, r, c, x, ldx, q, scales);
}

/** Bytes of `work` that `qd8_f32_qc8w_gemm__wasmsimd` needs for m activation rows of k. */
export function qd8_f32_qc8w_gemm_workspace_bytes(m: i32, k: i32): usize {
  return qd8WorkBytes(m, k);
}

/**
 * c [m, n] ← (accumulate ? c : 0) + A·Ŵᵀ·scales + bias: A f32 [m, k] quantized per row into `work`,
 * Ŵ int8 [n, k] from `f32_qc8_quantize__wasmsimd` with its n scales; bias f32 [n] or 0 for none.
 */
export function qd8_f32_qc8w_gemm__wasmsimd(
  m: i32, n: i32, k: i32, a: usize, lda: i32, qw: usize, scales: usize, bias: usize,
  accumulate: i32, c: usize, ldc: i32, work: usize,
): void {
  qd8Gemm(true, m, n, k, a, lda, qw, scales, bias, accumulate != 0, c, ldc, work);
}

/** Scalar twin of `qd8_f32_qc8w_gemm__wasmsimd`, same signature and bits. */
export function qd8_f32_qc8w_gemm__scalar(
  m: i32, n: i32, k: i32, a: usize, lda: i32, qw: usize, scales: usize, bias: usize,
  accumulate: i32, c: usize, ldc: i32, work: usize,
): void {
  qd8Gemm(false, m, n, k, a, lda, qw, scales, bias, accumulate != 0, c, ldc, work);
}
