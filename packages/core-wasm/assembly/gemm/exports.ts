import { sgemm, sgemmWorkspaceBytes } from "./sgemm";
import { sgemmReference } from "./reference";

/** Bytes of workspace `f32_gemm_4x8__wasmsimd` needs for an m×n×k product (packed panels). */
export function f32_gemm_workspace_bytes(m: i32, n: i32, k: i32): usize {
  return sgemmWorkspaceBytes(m, n, k);
}

/** C = α·op(A)·op(B) + β·C. transA/transB are 0/1; `work` holds packed panels. */
export function f32_gemm_4x8__wasmsimd(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  sgemm(true, transA != 0, transB != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
}

/** Scalar twin of `f32_gemm_4x8__wasmsimd`, same signature; `work` is unused. */
export function f32_gemm__scalar(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  sgemmReference(transA != 0, transB != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
