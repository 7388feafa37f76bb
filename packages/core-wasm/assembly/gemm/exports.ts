import {
  packB, packedBBytes, sgemm, sgemmPackedB, sgemmPackedBWorkspaceBytes, sgemmWorkspaceBytes,
} from "./sgemm";
import { gemm, gemmPackedB, threadsBarrier, threadsConfigure, threadsWorker } from "./parallel";

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
  gemm(true, transA != 0, transB != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
}

/** Scalar twin of `f32_gemm_4x8__wasmsimd`, same signature; `work` is unused. */
export function f32_gemm__scalar(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  sgemm(false, transA != 0, transB != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
}

/** Bytes of a packed right operand op(B) (k×n) for `f32_gemm_pack_b`. */
export function f32_gemm_packed_b_bytes(n: i32, k: i32): usize {
  return packedBBytes(n, k);
}

/** Packs op(B) (k×n; B is stored n×k when transB = 1) into `dst` (`f32_gemm_packed_b_bytes`). */
export function f32_gemm_pack_b(transB: i32, n: i32, k: i32, b: usize, ldb: i32, dst: usize): void {
  packB(transB != 0, n, k, b, ldb, dst);
}

/** Bytes of workspace `f32_gemm_packed_b_4x8__wasmsimd` needs for an m×k left operand. */
export function f32_gemm_packed_b_workspace_bytes(m: i32, k: i32): usize {
  return sgemmPackedBWorkspaceBytes(m, k);
}

/** C = α·op(A)·B̂ + β·C where `packed` holds B̂ = op(B) from `f32_gemm_pack_b` with the same n, k. */
export function f32_gemm_packed_b_4x8__wasmsimd(
  transA: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, packed: usize,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  gemmPackedB(true, transA != 0, m, n, k, alpha, a, lda, packed, beta, c, ldc, work);
}

/** Scalar twin of `f32_gemm_packed_b_4x8__wasmsimd`, same signature; `work` is unused. */
export function f32_gemm_packed_b__scalar(
  transA: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, packed: usize,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  sgemmPackedB(false, transA != 0, m, n, k, alpha, a, lda, packed, beta, c, ldc, work);
}

/**
 * Threads builds: makes this instance split large GEMMs over the pool whose control block (written
 * by src/threads/pool.ts) is at `ctrl`; 0 stops splitting. A no-op in the one-thread builds.
 */
export function threads_configure(ctrl: usize): void {
  threadsConfigure(ctrl);
}

/** Threads builds: a pool worker's loop over the jobs of the control block at `ctrl` (see gemm/parallel.ts). */
export function threads_worker(ctrl: usize, index: i32, generation: i32): void {
  threadsWorker(ctrl, index, generation);
}

/** Threads builds: one split call with no work (the barrier's cost, for the bench). */
export function threads_barrier(): void {
  threadsBarrier();
}
