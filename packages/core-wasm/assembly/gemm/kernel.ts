// The 4×8 register-blocked micro-kernel (XNNPACK's f32_gemm_4x8__wasmsimd_splat over BLIS-style
// packed panels): 8 f32x4 accumulators hold a 4×8 tile of C; per k step it loads one row of the
// B panel (2 vectors) and splats 4 values of the A panel. 8 accumulators + 2 B + 1 A = 11 of the
// 16 vector registers V8 has on x64; larger tiles spilled and were slower (a 6×8 tile, 12
// accumulators, measured 22 % slower on every shape). Measured variants:
// splatting A from one v128 load by shuffles was ≈ 20 % slower than v128.load32_splat (one
// broadcast load), and unrolling k by 2 was ≈ 6 % slower. Reading a non-transposed A in place
// (four row pointers, no A packing) was 4–7 % slower on every shape, per-step products included,
// than packing it (same process, cores alternated: packing is cheaper than the extra streams).

/** Rows of a tile (A panel width). */
export const MR = 4;
/** Columns of a tile (B panel width). */
export const NR = 8;
/** Bytes of the scratch tile that edge stores spill through. */
export const TILE_BYTES: usize = 32;

/** acc + x·y; the relaxed build fuses it (one rounding, per-hardware results). */
@inline
export function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(f32x4.mul(x, y), acc);
}

/**
 * Writes one row of a tile: C[0:nr] ← α·(x0|x1)[0:nr] + β·C[0:nr]. A full row (nr = 8) goes
 * through vectors; a partial one spills to `tile` and touches only its nr elements of C.
 * NOTE: β = 0 must not read C: it may hold NaN, and 0·NaN = NaN.
 */
@inline
export function storeRow8(c: usize, nr: i32, x0: v128, x1: v128, alpha: f32, beta: f32, tile: usize): void {
  if (nr == 8) {
    const va = f32x4.splat(alpha);
    let r0 = f32x4.mul(va, x0);
    let r1 = f32x4.mul(va, x1);
    if (beta != 0) {
      const vb = f32x4.splat(beta);
      r0 = f32x4.add(r0, f32x4.mul(vb, v128.load(c)));
      r1 = f32x4.add(r1, f32x4.mul(vb, v128.load(c, 16)));
    }
    v128.store(c, r0);
    v128.store(c, r1, 16);
  } else {
    v128.store(tile, x0);
    v128.store(tile, x1, 16);
    storeFromTile(c, nr, tile, alpha, beta);
  }
}

/** C[0:n] ← α·tile[0:n] + β·C[0:n] (scalar, for edges); β = 0 never reads C. */
export function storeFromTile(c: usize, n: i32, tile: usize, alpha: f32, beta: f32): void {
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    let v = alpha * load<f32>(tile + o);
    if (beta != 0) v += beta * load<f32>(c + o);
    store<f32>(c + o, v);
  }
}

/**
 * C[0:mr, 0:nr] ← α·Â·B̂ + β·C for one tile: Â is a packed A panel (kc rows of 4 floats), B̂ a
 * packed B panel (kc rows of 8 floats). Only the mr×nr corner of C is read or written, so edge
 * tiles stay inside C; the padding rows/columns of the panels are zeros and are computed, not stored.
 */
export function kernel4x8(
  kc: i32, ap: usize, bp: usize,
  alpha: f32, beta: f32, c: usize, ldc: i32, mr: i32, nr: i32, tile: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  const rowBytes = <usize>ldc << 2;
  storeRow8(c, nr, c00, c01, alpha, beta, tile);
  if (mr > 1) storeRow8(c + rowBytes, nr, c10, c11, alpha, beta, tile);
  if (mr > 2) storeRow8(c + 2 * rowBytes, nr, c20, c21, alpha, beta, tile);
  if (mr > 3) storeRow8(c + 3 * rowBytes, nr, c30, c31, alpha, beta, tile);
}
