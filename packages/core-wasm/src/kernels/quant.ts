import type { Core } from '../core.js';
import { kernelFor } from '../dispatch.js';
import { EddyError } from '../errors.js';
import {
  ArgNames, checkArgs, checkDim, checkDisjoint, checkFlag, checkImpl, checkMatrix, checkPointer, checkStride, checkVector,
  matrixBytes, type Impl, type KnownArgs,
} from '../validate.js';

// int8 weights with a scale per row, for inference (assembly/quant): `quantizeInt8` once per weight,
// `gemmInt8` per call. Both kernels are integer arithmetic plus the same f32 epilogue, so the SIMD
// kernel and its scalar twin give the same bits in every build (plain, relaxed, threads).

type QuantizeKernel = (r: number, c: number, x: number, ldx: number, q: number, scales: number) => void;
type QGemmKernel = (
  m: number, n: number, k: number, a: number, lda: number, q: number, scales: number, bias: number,
  accumulate: number, c: number, ldc: number, work: number,
) => void;

/** The raw ABI of assembly/quant/exports.ts. */
export interface QuantExports {
  qc8_row_stride(c: number): number;
  f32_qc8_quantize__wasmsimd: QuantizeKernel;
  f32_qc8_quantize__scalar: QuantizeKernel;
  qd8_f32_qc8w_gemm_workspace_bytes(m: number, k: number): number;
  qd8_f32_qc8w_gemm__wasmsimd: QGemmKernel;
  qd8_f32_qc8w_gemm__scalar: QGemmKernel;
}

/**
 * The largest inner dimension `gemmInt8` takes: its i32 sums of k products of at most 127² stay
 * exact below 2³¹ / 127² ≈ 133 000.
 */
export const INT8_MAX_K = 131072;

/** Bytes between the int8 rows of a matrix of `cols` columns: cols rounded up to 16, the rest zeros. */
export function int8RowStride(core: Core, cols: number): number {
  return core.exports.qc8_row_stride(checkDim('int8RowStride', 'cols', cols));
}

export interface QuantizeInt8Args {
  /** Rows (R): one scale each. */
  rows: number;
  /** Columns (C). */
  cols: number;
  /** The float32 matrix, rows×cols. */
  x: number;
  /** Row stride of x in elements; default cols. */
  ldx?: number;
  /** Where the int8 rows go: rows × `int8RowStride(cols)` bytes; must not overlap x or scales. */
  q: number;
  /** Where the row scales go: rows float32. */
  scales: number;
}

const QUANTIZE_ARGS = new ArgNames({
  rows: true, cols: true, x: true, ldx: true, q: true, scales: true,
} satisfies KnownArgs<QuantizeInt8Args>);

/**
 * Symmetric int8 quantization with one scale per row: sᵣ = max |x[r, :]| / 127 and
 * q[r, c] = round(x[r, c] / sᵣ), rounding half to even, so q ∈ [−127, 127] and
 * |x − q·s| ≤ s/2. A row of zeros gets s = 0. Non-finite values make the row's scale NaN or ∞ and its
 * products NaN (never a trap).
 */
export function quantizeInt8(core: Core, args: QuantizeInt8Args, impl: Impl = 'simd'): void {
  const op = 'quantizeInt8';
  checkArgs(op, args, QUANTIZE_ARGS);
  checkImpl(op, impl);
  const rows = checkDim(op, 'rows', args.rows);
  const cols = checkDim(op, 'cols', args.cols);
  const ldx = checkStride(op, 'ldx', args.ldx ?? Math.max(cols, 1), cols);
  const x = checkMatrix(core, op, 'x', args.x, rows, cols, ldx);
  const qBytes = rows * core.exports.qc8_row_stride(cols);
  const q = checkPointer(core, op, 'q', args.q, qBytes, 1);
  const scales = checkVector(core, op, 'scales', args.scales, rows);
  const xBytes = matrixBytes(rows, cols, ldx);
  checkDisjoint(op, 'q', q, qBytes, 'x', x, xBytes);
  checkDisjoint(op, 'q', q, qBytes, 'scales', scales, 4 * rows);
  checkDisjoint(op, 'scales', scales, 4 * rows, 'x', x, xBytes);
  kernelFor(core, 'quantize_int8', impl)(rows, cols, x, ldx, q, scales);
}

export interface GemmInt8Args {
  /** Rows of A and C (the batch: 1 when sampling). */
  m: number;
  /** Rows of the int8 weight Ŵ, columns of C. */
  n: number;
  /** Columns of A and of Ŵ (at most `INT8_MAX_K`). */
  k: number;
  /** A: m×k float32, quantized per row inside the call. */
  a: number;
  /** Row stride of A; default k. */
  lda?: number;
  /** Ŵ: n int8 rows of k from `quantizeInt8` (`int8RowStride(k)` bytes apart). */
  q: number;
  /** Ŵ's n row scales. */
  scales: number;
  /** float32 [n] added to every row of C; omit for none. */
  bias?: number;
  /** Add into C instead of overwriting it (an overwrite never reads C). Default false. */
  accumulate?: boolean;
  /** C: m×n float32; must not overlap A, Ŵ, its scales or the bias. */
  c: number;
  /** Row stride of C; default n. */
  ldc?: number;
}

const GEMM_ARGS = new ArgNames({
  m: true, n: true, k: true, a: true, lda: true, q: true, scales: true, bias: true, accumulate: true, c: true, ldc: true,
} satisfies KnownArgs<GemmInt8Args>);

/**
 * C ← (accumulate ? C : 0) + A·Ŵᵀ + bias with int8 weights: each row aᵢ of A is quantized with its
 * own scale sᵢ (as `quantizeInt8` does), the products are exact integer dot products (SIMD: int8
 * widened to i16, `i32x4.dot_i16x8_s`, i32 sums), and C[i, j] = f32(Σₚ qa[i, p]·q[j, p])·(sᵢ·s_j)
 * + bias[j]. Relative to the float product, the error per element is bounded by what the two
 * roundings imply: |Δ| ≤ ½(sᵢ‖ŵⱼ‖₁ + s_j‖aᵢ‖₁) + ¼ k sᵢ s_j (a first-order bound; the tests hold it).
 */
export function gemmInt8(core: Core, args: GemmInt8Args, impl: Impl = 'simd'): void {
  const op = 'gemmInt8';
  checkArgs(op, args, GEMM_ARGS);
  checkImpl(op, impl);
  const m = checkDim(op, 'm', args.m);
  const n = checkDim(op, 'n', args.n);
  const k = checkDim(op, 'k', args.k);
  if (k > INT8_MAX_K) {
    throw new EddyError('E_ARGUMENT', `${op}: k must be at most ${INT8_MAX_K} (the i32 sums of int8 products stay exact), got ${k}`);
  }
  const lda = checkStride(op, 'lda', args.lda ?? Math.max(k, 1), k);
  const ldc = checkStride(op, 'ldc', args.ldc ?? Math.max(n, 1), n);
  const accumulate = checkFlag(op, 'accumulate', args.accumulate ?? false);
  const a = checkMatrix(core, op, 'a', args.a, m, k, lda);
  const c = checkMatrix(core, op, 'c', args.c, m, n, ldc);
  const qBytes = n * core.exports.qc8_row_stride(k);
  const q = checkPointer(core, op, 'q', args.q, qBytes, 1);
  const scales = checkVector(core, op, 'scales', args.scales, n);
  const bias = args.bias === undefined ? 0 : checkVector(core, op, 'bias', args.bias, n);
  const cBytes = matrixBytes(m, n, ldc);
  checkDisjoint(op, 'c', c, cBytes, 'a', a, matrixBytes(m, k, lda));
  checkDisjoint(op, 'c', c, cBytes, 'q', q, qBytes);
  checkDisjoint(op, 'c', c, cBytes, 'scales', scales, 4 * n);
  if (bias !== 0) checkDisjoint(op, 'c', c, cBytes, 'bias', bias, 4 * n);
  if (m === 0 || n === 0) return;
  const work = core.scratch(core.exports.qd8_f32_qc8w_gemm_workspace_bytes(m, k) >>> 0);
  kernelFor(core, 'gemm_int8', impl)(m, n, k, a, lda, q, scales, bias, +accumulate, c, ldc, work);
}
