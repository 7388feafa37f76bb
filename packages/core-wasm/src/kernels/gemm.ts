import type { Core } from '../core.js';
import { chooseImpl, kernelFor } from '../dispatch.js';
import { EddyError, describe } from '../errors.js';
import {
  ArgNames, checkArgs, checkDim, checkFinite, checkFlag, checkImpl, checkMatrix, checkPointer, checkStride, type Impl, type KnownArgs,
} from '../validate.js';

type GemmKernel = (
  transA: number, transB: number, m: number, n: number, k: number,
  alpha: number, a: number, lda: number, b: number, ldb: number,
  beta: number, c: number, ldc: number, work: number,
) => void;

type GemmPackedKernel = (
  transA: number, m: number, n: number, k: number,
  alpha: number, a: number, lda: number, packed: number,
  beta: number, c: number, ldc: number, work: number,
) => void;

/**
 * The raw GEMM ABI (assembly/gemm/exports.ts). Pointers are byte offsets, strides are in elements,
 * flags are 0/1; `work` must hold the bytes the matching `…_workspace_bytes` export asks for.
 */
export interface GemmExports {
  f32_gemm_workspace_bytes(m: number, n: number, k: number): number;
  /** In the plain and debug builds; the relaxed build names it `f32_gemm_4x8__wasmrelaxedsimd` (see dispatch.ts). */
  f32_gemm_4x8__wasmsimd?: GemmKernel;
  f32_gemm_4x8__wasmrelaxedsimd?: GemmKernel;
  f32_gemm__scalar: GemmKernel;
  f32_gemm_packed_b_bytes(n: number, k: number): number;
  f32_gemm_pack_b(transB: number, n: number, k: number, b: number, ldb: number, dst: number): void;
  f32_gemm_packed_b_workspace_bytes(m: number, k: number): number;
  /** In the plain and debug builds; the relaxed build names it `f32_gemm_packed_b_4x8__wasmrelaxedsimd` (see dispatch.ts). */
  f32_gemm_packed_b_4x8__wasmsimd?: GemmPackedKernel;
  f32_gemm_packed_b_4x8__wasmrelaxedsimd?: GemmPackedKernel;
  f32_gemm_packed_b__scalar: GemmPackedKernel;
  /** Threads builds: split large GEMMs over the pool whose control block is at `ctrl` (0: stop); a no-op elsewhere. */
  threads_configure(ctrl: number): void;
  /** Threads builds: a pool worker's loop (src/threads/worker-body.ts calls it). */
  threads_worker(ctrl: number, index: number, generation: number): void;
  /** Threads builds: one split call with no work, for the barrier benchmark. */
  threads_barrier(): void;
}

/** The arguments of `sgemm`; pointers are byte offsets into the core's memory. */
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

const SGEMM_ARGS = new ArgNames({
  transA: true, transB: true, m: true, n: true, k: true, alpha: true, beta: true,
  a: true, lda: true, b: true, ldb: true, c: true, ldc: true,
} satisfies KnownArgs<SgemmArgs>);

/** Validates op(A) (m×k), α, β and C (m×n): what `sgemm` and `sgemmPacked` share. */
function checkLeftAndC(core: Core, op: string, args: SgemmArgs | SgemmPackedArgs) {
  const transA = checkFlag(op, 'transA', args.transA ?? false);
  const m = checkDim(op, 'm', args.m);
  const n = checkDim(op, 'n', args.n);
  const k = checkDim(op, 'k', args.k);
  const alpha = checkFinite(op, 'alpha', args.alpha ?? 1);
  const beta = checkFinite(op, 'beta', args.beta ?? 0);
  // Two ternaries, not a destructured pair: this runs on every product, and tiny ones are common.
  const aRows = transA ? k : m, aCols = transA ? m : k;
  const lda = checkStride(op, 'lda', args.lda ?? Math.max(aCols, 1), aCols);
  const ldc = checkStride(op, 'ldc', args.ldc ?? Math.max(n, 1), n);
  const a = checkMatrix(core, op, 'a', args.a, aRows, aCols, lda);
  const c = checkMatrix(core, op, 'c', args.c, m, n, ldc);
  return { transA, m, n, k, alpha, beta, a, lda, c, ldc };
}

/**
 * C ← α·op(A)·op(B) + β·C for row-major float32 matrices in the core's memory, op(X) = X or Xᵀ:
 * op(A) is m×k, op(B) is k×n, C is m×n. The SIMD kernel packs panels into arena scratch space.
 * With β = 0, C is overwritten and never read. `impl` forces one twin (tests, benchmarks); by
 * default the dispatch table chooses: products of at most 4096 multiply-adds run the scalar twin,
 * which needs no packing (a recursive net's 5×5 weights), larger ones the SIMD kernel.
 */
export function sgemm(core: Core, args: SgemmArgs, impl?: Impl): void {
  const op = 'sgemm';
  checkArgs(op, args, SGEMM_ARGS);
  if (impl !== undefined) checkImpl(op, impl);
  const { transA, m, n, k, alpha, beta, a, lda, c, ldc } = checkLeftAndC(core, op, args);
  const transB = checkFlag(op, 'transB', args.transB ?? false);
  const bRows = transB ? n : k, bCols = transB ? k : n;
  const ldb = checkStride(op, 'ldb', args.ldb ?? Math.max(bCols, 1), bCols);
  const b = checkMatrix(core, op, 'b', args.b, bRows, bCols, ldb);
  if (m === 0 || n === 0) return;
  const twin = chooseImpl('gemm', impl, m * n * k);
  const x = core.exports;
  const work = twin === 'simd' ? core.scratch(x.f32_gemm_workspace_bytes(m, n, k) >>> 0) : 0;
  kernelFor(core, 'gemm', twin)(+transA, +transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
  core.pool?.check();
}

/** A right operand op(B) packed once by `packB` for many `sgemmPacked` products. */
export interface PackedB {
  /** Byte offset of the packed panels in the core's memory (owned by the caller's arena scope). */
  readonly ptr: number;
  /** Columns of op(B). */
  readonly n: number;
  /** Rows of op(B) (the inner dimension of the product). */
  readonly k: number;
}

/** The arguments of `packB`. */
export interface PackBArgs {
  /** Use Bᵀ: B is stored n×k (a weight W stored out×in, used as Wᵀ). */
  transB?: boolean;
  n: number;
  k: number;
  b: number;
  /** Row stride of B as stored; default its row length. */
  ldb?: number;
}

const PACK_B_ARGS = new ArgNames({ transB: true, n: true, k: true, b: true, ldb: true } satisfies KnownArgs<PackBArgs>);

/**
 * Packs op(B) (k×n) into zero-padded 8-column panels, allocated from `core.arena` in the current
 * scope (the caller owns it: it lives until that scope ends). Pack a weight once per optimizer
 * step and reuse it for every time step's `sgemmPacked`. The layout is internal to the core.
 */
export function packB(core: Core, args: PackBArgs): PackedB {
  const op = 'packB';
  checkArgs(op, args, PACK_B_ARGS);
  const transB = checkFlag(op, 'transB', args.transB ?? false);
  const n = checkDim(op, 'n', args.n);
  const k = checkDim(op, 'k', args.k);
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const ldb = checkStride(op, 'ldb', args.ldb ?? Math.max(bCols, 1), bCols);
  const b = checkMatrix(core, op, 'b', args.b, bRows, bCols, ldb);
  const x = core.exports;
  // `>>> 0`: a usize comes back through an i32 result, negative from 2 GiB up.
  const ptr = core.arena.alloc(x.f32_gemm_packed_b_bytes(n, k) >>> 0);
  if (n > 0 && k > 0) x.f32_gemm_pack_b(+transB, n, k, b, ldb, ptr);
  return { ptr, n, k };
}

/** The arguments of `sgemmPacked`: those of `sgemm` with `packed` in place of B. */
export interface SgemmPackedArgs extends Omit<SgemmArgs, 'transB' | 'b' | 'ldb'> {
  /** op(B) from `packB`; its n and k must equal the product's. */
  packed: PackedB;
}

const SGEMM_PACKED_ARGS = new ArgNames({
  transA: true, m: true, n: true, k: true, alpha: true, beta: true, a: true, lda: true, c: true, ldc: true, packed: true,
} satisfies KnownArgs<SgemmPackedArgs>);

/**
 * C ← α·op(A)·B̂ + β·C where B̂ = op(B) was packed by `packB`: op(A) is m×k, C is m×n. For
 * m = 1 (batch 1) A is read in place, without packing.
 */
export function sgemmPacked(core: Core, args: SgemmPackedArgs, impl: Impl = 'simd'): void {
  const op = 'sgemmPacked';
  checkArgs(op, args, SGEMM_PACKED_ARGS);
  checkImpl(op, impl);
  const { transA, m, n, k, alpha, beta, a, lda, c, ldc } = checkLeftAndC(core, op, args);
  const packed = args.packed as PackedB | undefined;
  if (typeof packed !== 'object' || packed === null) {
    throw new EddyError('E_ARGUMENT', `${op}: packed must be the result of packB, got ${describe(packed)}`);
  }
  if (packed.n !== n || packed.k !== k) {
    throw new EddyError(
      'E_SHAPE',
      `${op}: packed holds a ${packed.k}×${packed.n} op(B) but the product needs k×n = ${k}×${n}`,
    );
  }
  const x = core.exports;
  const p = checkPointer(core, op, 'packed.ptr', packed.ptr, x.f32_gemm_packed_b_bytes(n, k) >>> 0);
  if (m === 0 || n === 0) return;
  const work = impl === 'simd' ? core.scratch(x.f32_gemm_packed_b_workspace_bytes(m, k) >>> 0) : 0;
  kernelFor(core, 'gemm_packed_b', impl)(+transA, m, n, k, alpha, a, lda, p, beta, c, ldc, work);
  core.pool?.check();
}
