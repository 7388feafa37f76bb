// The m = 1 products (sampling with batch 1, a single row through a Linear layer): c = α·a·op(B) + β·c.
// With one row of A, packing is pure overhead (it reads and writes as much memory as the product
// itself), so these read A in place and B either in place or from panels packed once by `packB`.
// Each keeps 8 independent accumulators (32 columns) so that the adds do not wait on each other.
import { madd, storeFromTile, storeRow8 } from "./kernel";

/**
 * c[0:n] ← α·Σₚ a[p·incA]·B̂(p, :) + β·c over B̂ packed in panels of 8 columns (`panelBytes`
 * apart, rows 32 bytes apart, zero-padded past n).
 */
export function gemvPanels(
  k: i32, alpha: f32, a: usize, incA: i32, panels: usize, panelBytes: usize, n: i32,
  beta: f32, c: usize, tile: usize,
): void {
  const aStep = <usize>incA << 2;
  let j = 0;
  for (; j + 24 < n; j += 32) {
    const b0 = panels + <usize>(j >> 3) * panelBytes;
    const b1 = b0 + panelBytes;
    const b2 = b1 + panelBytes;
    const b3 = b2 + panelBytes;
    let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
    let x4 = f32x4.splat(0), x5 = f32x4.splat(0), x6 = f32x4.splat(0), x7 = f32x4.splat(0);
    let ap = a;
    for (let o: usize = 0, end = <usize>k << 5; o < end; o += 32) {
      const s = v128.load32_splat(ap);
      x0 = madd(s, v128.load(b0 + o), x0);
      x1 = madd(s, v128.load(b0 + o, 16), x1);
      x2 = madd(s, v128.load(b1 + o), x2);
      x3 = madd(s, v128.load(b1 + o, 16), x3);
      x4 = madd(s, v128.load(b2 + o), x4);
      x5 = madd(s, v128.load(b2 + o, 16), x5);
      x6 = madd(s, v128.load(b3 + o), x6);
      x7 = madd(s, v128.load(b3 + o, 16), x7);
      ap += aStep;
    }
    const cj = c + (<usize>j << 2);
    storeRow8(cj, 8, x0, x1, alpha, beta, tile);
    storeRow8(cj + 32, 8, x2, x3, alpha, beta, tile);
    storeRow8(cj + 64, 8, x4, x5, alpha, beta, tile);
    storeRow8(cj + 96, min(8, n - j - 24), x6, x7, alpha, beta, tile);
  }
  for (; j < n; j += 8) {
    const b0 = panels + <usize>(j >> 3) * panelBytes;
    let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
    let ap = a;
    let p = 0;
    // Two k steps per iteration into separate accumulators, to halve the dependency chain.
    for (; p + 1 < k; p += 2) {
      const o = <usize>p << 5;
      const s0 = v128.load32_splat(ap);
      const s1 = v128.load32_splat(ap + aStep);
      x0 = madd(s0, v128.load(b0 + o), x0);
      x1 = madd(s0, v128.load(b0 + o, 16), x1);
      x2 = madd(s1, v128.load(b0 + o, 32), x2);
      x3 = madd(s1, v128.load(b0 + o, 48), x3);
      ap += aStep << 1;
    }
    if (p < k) {
      const o = <usize>p << 5;
      const s0 = v128.load32_splat(ap);
      x0 = madd(s0, v128.load(b0 + o), x0);
      x1 = madd(s0, v128.load(b0 + o, 16), x1);
    }
    storeRow8(c + (<usize>j << 2), min(8, n - j), f32x4.add(x0, x2), f32x4.add(x1, x3), alpha, beta, tile);
  }
}

/** c[0:n] ← α·Σₚ a[p·incA]·B[p·ldb + j] + β·c: rows of B are contiguous along n (op(B) = B). */
export function gemvRows(
  k: i32, alpha: f32, a: usize, incA: i32, b: usize, ldb: i32, n: i32,
  beta: f32, c: usize, tile: usize,
): void {
  const aStep = <usize>incA << 2;
  const bStep = <usize>ldb << 2;
  let j = 0;
  for (; j + 32 <= n; j += 32) {
    let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
    let x4 = f32x4.splat(0), x5 = f32x4.splat(0), x6 = f32x4.splat(0), x7 = f32x4.splat(0);
    let ap = a;
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      const s = v128.load32_splat(ap);
      x0 = madd(s, v128.load(bp), x0);
      x1 = madd(s, v128.load(bp, 16), x1);
      x2 = madd(s, v128.load(bp, 32), x2);
      x3 = madd(s, v128.load(bp, 48), x3);
      x4 = madd(s, v128.load(bp, 64), x4);
      x5 = madd(s, v128.load(bp, 80), x5);
      x6 = madd(s, v128.load(bp, 96), x6);
      x7 = madd(s, v128.load(bp, 112), x7);
      ap += aStep;
      bp += bStep;
    }
    const cj = c + (<usize>j << 2);
    storeRow8(cj, 8, x0, x1, alpha, beta, tile);
    storeRow8(cj + 32, 8, x2, x3, alpha, beta, tile);
    storeRow8(cj + 64, 8, x4, x5, alpha, beta, tile);
    storeRow8(cj + 96, 8, x6, x7, alpha, beta, tile);
  }
  for (; j + 8 <= n; j += 8) {
    let x0 = f32x4.splat(0), x1 = f32x4.splat(0);
    let ap = a;
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      const s = v128.load32_splat(ap);
      x0 = madd(s, v128.load(bp), x0);
      x1 = madd(s, v128.load(bp, 16), x1);
      ap += aStep;
      bp += bStep;
    }
    storeRow8(c + (<usize>j << 2), 8, x0, x1, alpha, beta, tile);
  }
  // The last n mod 8 columns one at a time: a vector load there could run past the end of B.
  for (; j < n; j++) {
    let acc: f32 = 0;
    for (let p = 0; p < k; p++) {
      acc += load<f32>(a + <usize>p * aStep) * load<f32>(b + ((<usize>p * <usize>ldb + <usize>j) << 2));
    }
    store<f32>(tile, acc);
    storeFromTile(c + (<usize>j << 2), 1, tile, alpha, beta);
  }
}

/** a[p·incA] for p, p+1, p+2, p+3 as one vector (a gather when A is read down a column). */
@inline
function loadA4(a: usize, p: i32, incA: i32): v128 {
  if (incA == 1) return v128.load(a + (<usize>p << 2));
  const s = <usize>incA << 2;
  const ap = a + <usize>p * s;
  let v = v128.load32_zero(ap);
  v = f32x4.replace_lane(v, 1, load<f32>(ap + s));
  v = f32x4.replace_lane(v, 2, load<f32>(ap + 2 * s));
  return f32x4.replace_lane(v, 3, load<f32>(ap + 3 * s));
}

/** c[0:n] ← α·Σₚ a[p·incA]·B[j·ldb + p] + β·c: rows of B are contiguous along k (op(B) = Bᵀ). */
export function gemvDots(
  k: i32, alpha: f32, a: usize, incA: i32, b: usize, ldb: i32, n: i32,
  beta: f32, c: usize, tile: usize,
): void {
  const bStep = <usize>ldb << 2;
  const k4 = k & ~3;
  let j = 0;
  for (; j < n; j += 4) {
    const cols = min(4, n - j);
    const r0 = b + <usize>j * bStep;
    // Rows past n repeat the last one: their sums are computed and dropped, never read out of B.
    const r1 = cols > 1 ? r0 + bStep : r0;
    const r2 = cols > 2 ? r1 + bStep : r1;
    const r3 = cols > 3 ? r2 + bStep : r2;
    let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
    for (let p = 0; p < k4; p += 4) {
      const va = loadA4(a, p, incA);
      const o = <usize>p << 2;
      x0 = madd(va, v128.load(r0 + o), x0);
      x1 = madd(va, v128.load(r1 + o), x1);
      x2 = madd(va, v128.load(r2 + o), x2);
      x3 = madd(va, v128.load(r3 + o), x3);
    }
    // Horizontal sums of the 4 accumulators, transposed into one vector [Σx0, Σx1, Σx2, Σx3].
    const t0 = f32x4.add(i32x4.shuffle(x0, x1, 0, 4, 1, 5), i32x4.shuffle(x0, x1, 2, 6, 3, 7));
    const t1 = f32x4.add(i32x4.shuffle(x2, x3, 0, 4, 1, 5), i32x4.shuffle(x2, x3, 2, 6, 3, 7));
    v128.store(tile, f32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7)));
    for (let p = k4; p < k; p++) {
      const av = load<f32>(a + ((<usize>p * <usize>incA) << 2));
      const o = <usize>p << 2;
      store<f32>(tile, load<f32>(tile) + av * load<f32>(r0 + o));
      store<f32>(tile, load<f32>(tile, 4) + av * load<f32>(r1 + o), 4);
      store<f32>(tile, load<f32>(tile, 8) + av * load<f32>(r2 + o), 8);
      store<f32>(tile, load<f32>(tile, 12) + av * load<f32>(r3 + o), 12);
    }
    storeFromTile(c + (<usize>j << 2), cols, tile, alpha, beta);
  }
}
