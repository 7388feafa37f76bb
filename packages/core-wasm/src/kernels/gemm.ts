import type { Core } from '../core.js';
import { EddyError } from '../errors.js';
import { checkDim, checkFinite, checkImpl, checkMatrix, checkStride, type Impl } from '../validate.js';

type GemmKernel = (
  transA: number, transB: number, m: number, n: number, k: number,
  alpha: number, a: number, lda: number, b: number, ldb: number,
  beta: number, c: number, ldc: number, work: number,
) => void;

export interface GemmExports {
  f32_gemm_workspace_bytes(m: number, n: number, k: number): number;
  f32_gemm_4x8__wasmsimd: GemmKernel;
  f32_gemm__scalar: GemmKernel;
}

export interface SgemmArgs {
  /** Use Aᵀ: A is stored k×m. */
  transA?: boolean;
  /** Use Bᵀ: B is stored n×k. */
  transB?: boolean;
  m: number;
  n: number;
  k: number;
  /** Default 1. */
  alpha?: number;
  /** Default 0: C is overwritten and never read (it may hold NaN). */
  beta?: number;
  a: number;
  /** Row stride of A as stored; default its row length. */
  lda?: number;
  b: number;
  ldb?: number;
  c: number;
  ldc?: number;
}

/**
 * C ← α·op(A)·op(B) + β·C for row-major float32 matrices in the core's memory, op(X) = X or Xᵀ:
 * op(A) is m×k, op(B) is k×n, C is m×n. The SIMD kernel packs panels into arena scratch space.
 */
export function sgemm(core: Core, args: SgemmArgs, impl: Impl = 'simd'): void {
  const op = 'sgemm';
  checkImpl(op, impl);
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  if (typeof transA !== 'boolean' || typeof transB !== 'boolean') {
    throw new EddyError('E_ARGUMENT', `${op}: transA and transB must be booleans`);
  }
  const m = checkDim(op, 'm', args.m);
  const n = checkDim(op, 'n', args.n);
  const k = checkDim(op, 'k', args.k);
  const alpha = checkFinite(op, 'alpha', args.alpha ?? 1);
  const beta = checkFinite(op, 'beta', args.beta ?? 0);
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const lda = checkStride(op, 'lda', args.lda ?? aCols, aCols);
  const ldb = checkStride(op, 'ldb', args.ldb ?? bCols, bCols);
  const ldc = checkStride(op, 'ldc', args.ldc ?? n, n);
  const a = checkMatrix(core, op, 'a', args.a, aRows, aCols, lda);
  const b = checkMatrix(core, op, 'b', args.b, bRows, bCols, ldb);
  const c = checkMatrix(core, op, 'c', args.c, m, n, ldc);
  if (m === 0 || n === 0) return;
  const x = core.exports;
  core.arena.scope(() => {
    const work = impl === 'simd' ? core.arena.alloc(x.f32_gemm_workspace_bytes(m, n, k)) : 0;
    const kernel = impl === 'simd' ? x.f32_gemm_4x8__wasmsimd : x.f32_gemm__scalar;
    kernel(+transA, +transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
  });
}
