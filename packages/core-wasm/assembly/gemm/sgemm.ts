// The GEMM API the other kernel families call (recurrent cells, losses). The exports in
// exports.ts are thin shells over these. `simd` picks the SIMD path or its scalar twin.
import { sgemmReference } from "./reference";

/** Bytes of scratch `sgemm` needs for an m×n×k product. */
export function sgemmWorkspaceBytes(m: i32, n: i32, k: i32): usize {
  return 0;
}

/** C = α·op(A)·op(B) + β·C (row-major, strides in elements); β = 0 never reads C. */
export function sgemm(
  simd: bool, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  sgemmReference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** Bytes needed to hold op(B) (k×n) packed for `sgemmPackedB`. */
export function packedBBytes(n: i32, k: i32): usize {
  return <usize>n * <usize>k * 4;
}

/**
 * Packs op(B) (k×n; B is n×k when transB) into `dst` once, for products that reuse the same
 * right operand many times (the recurrent weight W_hhᵀ at every time step).
 */
export function packB(transB: bool, n: i32, k: i32, b: usize, ldb: i32, dst: usize): void {
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) {
      const v = load<f32>(b + (<usize>(transB ? j * ldb + p : p * ldb + j) << 2));
      store<f32>(dst + (<usize>(p * n + j) << 2), v);
    }
  }
}

/** Bytes of scratch `sgemmPackedB` needs for an m×k left operand. */
export function sgemmPackedBWorkspaceBytes(m: i32, k: i32): usize {
  return 0;
}

/** C = α·op(A)·B̂ + β·C where B̂ was made by `packB` with the same n, k. */
export function sgemmPackedB(
  simd: bool, transA: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, packed: usize,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  sgemmReference(transA, false, m, n, k, alpha, a, lda, packed, n, beta, c, ldc);
}
