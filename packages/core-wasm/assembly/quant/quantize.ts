// Symmetric int8 quantization with one scale per row: sᵣ = max_c |x[r, c]| / 127 and
// q[r, c] = round(x[r, c] / sᵣ), round half to even (`nearest`, IEEE roundTiesToEven), so
// |x − q·s| ≤ s/2 and q ∈ [−127, 127] (−128 is never used, as in XNNPACK's and PyTorch's symmetric
// schemes, so that negation cannot overflow). A row of zeros (or of subnormals below 127 × the smallest float) gets s = 0 and q = 0.
// Rows are written `ldq` bytes apart with zeros after the last column: the int8 product then reads
// whole 16-byte vectors and the padding adds nothing to an integer sum.
// NOTE: both twins compute the same bits: max is exact in any order, the division is IEEE in
// f32x4.div and f32 alike, and nearest is exact. Non-finite input gives s = NaN or ∞ and q = 0 for
// the row (trunc_sat maps NaN to 0; the scalar twin does it explicitly), so the product's output is
// NaN there, never a trap.

/** Bytes between quantized rows of c columns: c rounded up to 16 (one v128 of int8). */
// @ts-ignore: decorator
@inline export function quantStride(c: i32): i32 {
  return (c + 15) & ~15;
}

/** max |x[0:c]| for the row at byte address x. */
function rowAbsMax(simd: bool, c: i32, x: usize): f32 {
  let m: f32 = 0;
  let i = 0;
  if (simd) {
    let v = f32x4.splat(0);
    for (; i + 4 <= c; i += 4) v = f32x4.max(v, f32x4.abs(v128.load(x + (<usize>i << 2))));
    m = max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  }
  for (; i < c; i++) m = max(m, abs(load<f32>(x + (<usize>i << 2))));
  return m;
}

/** round(v) clamped to [−127, 127], NaN → 0 (what i32x4.trunc_sat_f32x4_s does for the vector form). */
// @ts-ignore: decorator
@inline function toInt8(v: f32): i32 {
  const r = min<f32>(max<f32>(nearest<f32>(v), -127), 127);
  return r != r ? 0 : <i32>r;
}

/** The four lanes of `toInt8(v / s)` as i32 lanes. */
// @ts-ignore: decorator
@inline function toInt8x4(v: v128, s: v128): v128 {
  const r = f32x4.min(f32x4.max(f32x4.nearest(f32x4.div(v, s)), f32x4.splat(-127)), f32x4.splat(127));
  return i32x4.trunc_sat_f32x4_s(r);
}

/**
 * Quantizes r rows of c float32 (`ldx` elements apart, at x) into int8 rows `quantStride(c)` bytes
 * apart at q (padding zeroed) and the r row scales at `scales`.
 */
export function quantizeRows(simd: bool, r: i32, c: i32, x: usize, ldx: i32, q: usize, scales: usize): void {
  const ldq = <usize>quantStride(c);
  for (let row = 0; row < r; row++) {
    const xr = x + ((<usize>row * <usize>ldx) << 2);
    const qr = q + <usize>row * ldq;
    const m = rowAbsMax(simd, c, xr);
    const s: f32 = m / 127;
    store<f32>(scales + (<usize>row << 2), s);
    // s = 0 also for a row of subnormals too small to divide by 127: it quantizes to zeros.
    if (s == 0) {
      memory.fill(qr, 0, ldq);
      continue;
    }
    let i = 0;
    if (simd) {
      const vs = f32x4.splat(s);
      for (; i + 16 <= c; i += 16) {
        const p = xr + (<usize>i << 2);
        const a = toInt8x4(v128.load(p), vs);
        const b = toInt8x4(v128.load(p, 16), vs);
        const d = toInt8x4(v128.load(p, 32), vs);
        const e = toInt8x4(v128.load(p, 48), vs);
        v128.store(qr + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(d, e)));
      }
    }
    for (; i < c; i++) store<i8>(qr + <usize>i, <i8>toInt8(load<f32>(xr + (<usize>i << 2)) / s));
    for (let j = <usize>c; j < ldq; j++) store<i8>(qr + j, 0);
  }
}
