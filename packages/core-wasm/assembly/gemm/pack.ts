// Packing: copies a block of a GEMM operand into zero-padded panels of W columns, the layout the
// micro-kernel streams (BLIS "micro-panels"). Panel q holds columns [j0 + qW, j0 + qW + W) of the
// block as kc consecutive rows of W floats, so the kernel reads both operands with unit stride
// whatever the transposes were: all four transpose cases cost the same after packing.
//
// Both operands are packed by the same routine, seen as a k×n matrix X read in panels along n:
//   A: X(p, i) = op(A)[i, p]  (W = MR rows of op(A) per panel)
//   B: X(p, j) = op(B)[p, j]  (W = NR columns of op(B) per panel)
// `alongJ` says whether X is contiguous along the panel's width (X(p, j) = src[p·ld + j]) or
// along k (X(p, j) = src[j·ld + p], which needs a 4×4 transpose per 16 values).

/** Transposes the 4×4 block held in rows r0…r3 and stores its columns at d, d + rowBytes, … (also the tree family's `transpose`). */
@inline
export function storeTransposed4x4(r0: v128, r1: v128, r2: v128, r3: v128, d: usize, rowBytes: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(d + rowBytes, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(d + 2 * rowBytes, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(d + 3 * rowBytes, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs rows [p0, p0 + kc) and columns [j0, j0 + nj) of X into ⌈nj/W⌉ panels of kc·W floats at
 * `dst`; the columns of the last panel past nj are zeros. W is 4 or 8. Reads nothing outside X.
 */
export function packPanels(
  simd: bool, W: i32, alongJ: bool, src: usize, ld: i32,
  p0: i32, kc: i32, j0: i32, nj: i32, dst: usize,
): void {
  const rowBytes = <usize>W << 2;
  const panelBytes = <usize>kc * rowBytes;
  for (let q = 0; q < nj; q += W) {
    const j = j0 + q;
    const cols = min(W, nj - q);
    const d = dst + <usize>(q / W) * panelBytes;
    if (simd && cols == W) {
      if (alongJ) {
        for (let p = 0; p < kc; p++) {
          const s = src + ((<usize>(p0 + p) * <usize>ld + <usize>j) << 2);
          const o = d + <usize>p * rowBytes;
          for (let w: usize = 0; w < rowBytes; w += 16) v128.store(o + w, v128.load(s + w));
        }
      } else {
        for (let w = 0; w < W; w += 4) {
          const s0 = src + ((<usize>(j + w) * <usize>ld + <usize>p0) << 2);
          const s1 = s0 + (<usize>ld << 2);
          const s2 = s1 + (<usize>ld << 2);
          const s3 = s2 + (<usize>ld << 2);
          const o = d + (<usize>w << 2);
          let p = 0;
          for (; p + 4 <= kc; p += 4) {
            const off = <usize>p << 2;
            storeTransposed4x4(
              v128.load(s0 + off), v128.load(s1 + off), v128.load(s2 + off), v128.load(s3 + off),
              o + <usize>p * rowBytes, rowBytes,
            );
          }
          for (; p < kc; p++) {
            const off = <usize>p << 2;
            const o2 = o + <usize>p * rowBytes;
            store<f32>(o2, load<f32>(s0 + off));
            store<f32>(o2, load<f32>(s1 + off), 4);
            store<f32>(o2, load<f32>(s2 + off), 8);
            store<f32>(o2, load<f32>(s3 + off), 12);
          }
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const o = d + <usize>p * rowBytes;
        for (let w = 0; w < W; w++) {
          let v: f32 = 0;
          if (w < cols) {
            const idx = alongJ
              ? <usize>(p0 + p) * <usize>ld + <usize>(j + w)
              : <usize>(j + w) * <usize>ld + <usize>(p0 + p);
            v = load<f32>(src + (idx << 2));
          }
          store<f32>(o + (<usize>w << 2), v);
        }
      }
    }
  }
}
