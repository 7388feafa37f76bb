// The GEMM API the other kernel families call (recurrent cells, losses). The exports in
// exports.ts are thin shells over these. `simd` picks the SIMD path or its scalar twin.
//
// SIMD path (BLIS loop order, Goto & van de Geijn 2008): for each nc-wide block of op(B) and each
// kc-deep slice of k, op(B) is packed into NR-column panels; for each mc-tall block of op(A),
// op(A) is packed into MR-row panels; then the 4×8 micro-kernel sweeps the tiles, B panel outer
// (it stays in L1 while the A block, sized for L2, streams under it). Every transpose case goes
// through the packers, so they all run the same micro-kernel at the same speed.
import { sgemmReference } from "./reference";
import { kernel4x8, MR, NR, TILE_BYTES } from "./kernel";
import { packPanels } from "./pack";
import { gemvDots, gemvPanels, gemvRows } from "./gemv";

// Block sizes, measured on a 2-core Xeon (48 KiB L1d, 2 MiB L2 per core) with Node 20: KC = 384…512
// beat 128 and 256 by ≈ 5 % at n ≥ 512 (fewer passes over C); MC = 64…256 and NC made no
// difference above the noise of a shared machine (square n = 64…1024 in all transpose cases and
// the recurrent shapes 32×256·256×1024, 32×512·512×2048, 1024×2048·2048×256).
/** Depth of a k slice: B panel KC·NR·4 = 16 KiB + A panel 8 KiB stay in L1 during a tile. */
const KC = 512;
/** Rows of op(A) packed at once: MC·KC·4 = 256 KiB stays in L2 while the B panels sweep it. */
const MC = 128;
/** Columns of op(B) packed at once: KC·NC·4 = 2 MiB. */
const NC = 1024;

@inline
function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/** Bytes of a packed A block for m rows of op(A) (0 when m = 1: that path reads A in place). */
function packedABlockBytes(m: i32, k: i32): usize {
  if (m <= 1) return 0;
  return <usize>roundUp(min(m, MC), MR) * <usize>min(k, KC) << 2;
}

/** Does the products with nothing to multiply: none for m or n = 0, C ← β·C for k = 0. */
function isEmptyProduct(m: i32, n: i32, k: i32, beta: f32, c: usize, ldc: i32): bool {
  if (m <= 0 || n <= 0) return true;
  if (k > 0) return false;
  scaleC(m, n, beta, c, ldc);
  return true;
}

/** C[0:m, 0:n] ← β·C; β = 0 writes zeros without reading C (it may hold NaN). */
function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 2);
    for (let j = 0; j < n; j++) {
      const o = row + (<usize>j << 2);
      store<f32>(o, beta == 0 ? 0 : beta * load<f32>(o));
    }
  }
}

/**
 * One kc-deep slice of the product over all of m and n columns of packed B panels:
 * C ← α·op(A)[:, p0:p0+kc]·B̂ + β·C. Panel q of B̂ starts at `bPanels + q·panelBytes`.
 */
function macroKernel(
  transA: bool, m: i32, n: i32, p0: i32, kc: i32,
  alpha: f32, a: usize, lda: i32, bPanels: usize, panelBytes: usize,
  beta: f32, c: usize, ldc: i32, aPack: usize, tile: usize,
): void {
  const aPanelBytes = <usize>kc * MR << 2;
  const rowBytes = <usize>ldc << 2;
  for (let ic = 0; ic < m; ic += MC) {
    const mc = min(MC, m - ic);
    packPanels(true, MR, transA, a, lda, p0, kc, ic, mc, aPack);
    const cBlock = c + <usize>ic * rowBytes;
    for (let jr = 0; jr < n; jr += NR) {
      const nr = min(NR, n - jr);
      const bp = bPanels + <usize>(jr / NR) * panelBytes;
      const cCol = cBlock + (<usize>jr << 2);
      for (let ir = 0; ir < mc; ir += MR) {
        kernel4x8(
          kc, aPack + <usize>(ir / MR) * aPanelBytes, bp,
          alpha, beta, cCol + <usize>ir * rowBytes, ldc, min(MR, mc - ir), nr, tile,
        );
      }
    }
  }
}

/** Bytes of scratch `sgemm` needs for an m×n×k product. */
export function sgemmWorkspaceBytes(m: i32, n: i32, k: i32): usize {
  if (m <= 1) return TILE_BYTES;
  return TILE_BYTES + packedABlockBytes(m, k) + (<usize>roundUp(min(n, NC), NR) * <usize>min(k, KC) << 2);
}

/** C = α·op(A)·op(B) + β·C (row-major, strides in elements); β = 0 never reads C. */
export function sgemm(
  simd: bool, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (!simd) {
    sgemmReference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (isEmptyProduct(m, n, k, beta, c, ldc)) return;
  const tile = work;
  const incA = transA ? lda : 1;
  if (m == 1) {
    if (transB) gemvDots(k, alpha, a, incA, b, ldb, n, beta, c, tile);
    else gemvRows(k, alpha, a, incA, b, ldb, n, beta, c, tile);
    return;
  }
  const aPack = work + TILE_BYTES;
  const bPack = aPack + packedABlockBytes(m, k);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packPanels(true, NR, !transB, b, ldb, pc, kc, jc, nc, bPack);
      macroKernel(
        transA, m, nc, pc, kc, alpha, a, lda, bPack, <usize>kc * NR << 2,
        pc == 0 ? beta : 1, c + (<usize>jc << 2), ldc, aPack, tile,
      );
    }
  }
}

/** Bytes needed to hold op(B) (k×n) packed for `sgemmPackedB`: ⌈n/8⌉ panels of k×8 floats. */
export function packedBBytes(n: i32, k: i32): usize {
  return (<usize>n + NR - 1) / NR * NR * <usize>k << 2;
}

/**
 * Packs op(B) (k×n; B is n×k when transB) into `dst` once, for products that reuse the same
 * right operand many times (the recurrent weight W_hhᵀ at every time step). Layout: panel q
 * (columns 8q…8q+7, zero-padded past n) is k rows of 8 floats at dst + q·k·32 bytes.
 */
export function packB(transB: bool, n: i32, k: i32, b: usize, ldb: i32, dst: usize): void {
  packPanels(true, NR, !transB, b, ldb, 0, k, 0, n, dst);
}

/** Bytes of scratch `sgemmPackedB` needs for an m×k left operand. */
export function sgemmPackedBWorkspaceBytes(m: i32, k: i32): usize {
  return TILE_BYTES + packedABlockBytes(m, k);
}

/** C = α·op(A)·B̂ + β·C where B̂ was made by `packB` with the same n, k. */
export function sgemmPackedB(
  simd: bool, transA: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, packed: usize,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (!simd) {
    sgemmPackedBScalar(transA, m, n, k, alpha, a, lda, packed, beta, c, ldc);
    return;
  }
  if (isEmptyProduct(m, n, k, beta, c, ldc)) return;
  const tile = work;
  const panelBytes = <usize>k * NR << 2;
  if (m == 1) {
    gemvPanels(k, alpha, a, transA ? lda : 1, packed, panelBytes, n, beta, c, tile);
    return;
  }
  const aPack = work + TILE_BYTES;
  for (let pc = 0; pc < k; pc += KC) {
    macroKernel(
      transA, m, n, pc, min(KC, k - pc), alpha, a, lda, packed + (<usize>pc * NR << 2), panelBytes,
      pc == 0 ? beta : 1, c, ldc, aPack, tile,
    );
  }
}

/** Scalar twin of `sgemmPackedB`: the reference loop, reading B̂ through the panel layout. */
function sgemmPackedBScalar(
  transA: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, packed: usize,
  beta: f32, c: usize, ldc: i32,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const col = packed + ((<usize>(j / NR) * <usize>k * NR + <usize>(j % NR)) << 2);
      let acc: f32 = 0;
      for (let p = 0; p < k; p++) {
        const av = load<f32>(a + (<usize>(transA ? p * lda + i : i * lda + p) << 2));
        acc += av * load<f32>(col + (<usize>p * NR << 2));
      }
      const cp = c + (<usize>(i * ldc + j) << 2);
      store<f32>(cp, beta == 0 ? alpha * acc : alpha * acc + beta * load<f32>(cp));
    }
  }
}
