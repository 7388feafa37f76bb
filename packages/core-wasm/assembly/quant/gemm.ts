// The int8 product for inference (sampling at batch 1 is bound by reading the weights: int8 reads a
// quarter of the bytes of f32). Weights W [n, k] are int8 rows with one scale each (`quantizeRows`,
// XNNPACK's "qc8w": channelwise 8-bit weights); the activations A [m, k] are quantized per call, one
// scale per row ("qd8": dynamically quantized), into `work`. Then, exactly in integers,
//
//     acc[i, j] = Σₚ qa[i, p] · qw[j, p]                 (|acc| ≤ 127² · k: no i32 overflow for k < 133 000)
//     c[i, j] = (accumulate ? c[i, j] : 0) + (f32(acc) · (saᵢ · swⱼ) + bias[j])   (bias 0: none)
//
// The SIMD body widens int8 to i16x8 as it loads them and multiplies pairs with i32x4.dot_i16x8_s (exact); the
// scalar twin sums the same products one by one. Integer sums are exact in any order and the
// epilogue is one function, so the twins give the same bits.
import { quantizeRows, quantStride } from "./quantize";

/** Bytes of `work` for m activation rows of k: the int8 rows, then m scales. */
export function qd8WorkBytes(m: i32, k: i32): usize {
  return <usize>m * <usize>quantStride(k) + (<usize>m << 2);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/**
 * acc += the products of 16 int8 weights at w with the activations aLo, aHi (widened to i16), as
 * four i32 lanes. `v128.load8x8_s` loads and widens 8 int8 in one instruction (x86: pmovsxbw from
 * memory), which is cheaper than a 16-byte load and two extends; dot_i16x8_s is pmaddwd.
 */
// @ts-ignore: decorator
@inline function dot16(acc: v128, aLo: v128, aHi: v128, w: usize): v128 {
  acc = i32x4.add(acc, i32x4.dot_i16x8_s(aLo, v128.load8x8_s(w)));
  return i32x4.add(acc, i32x4.dot_i16x8_s(aHi, v128.load8x8_s(w, 8)));
}

/** Writes one output element from its integer sum (the one epilogue both twins use). */
// @ts-ignore: decorator
@inline function finish(acc: i32, scale: f32, bias: usize, j: i32, accumulate: bool, cp: usize): void {
  let y = <f32>acc * scale;
  if (bias != 0) y = y + load<f32>(bias + (<usize>j << 2));
  store<f32>(cp, accumulate ? load<f32>(cp) + y : y);
}

/** Σₚ a[p]·w[p] over `ldq` int8 (one at a time: the scalar twin). */
function dotScalar(a: usize, w: usize, ldq: usize): i32 {
  let acc = 0;
  for (let p: usize = 0; p < ldq; p++) acc += <i32>load<i8>(a + p) * <i32>load<i8>(w + p);
  return acc;
}

/**
 * c (m×n, row stride ldc) ← A·Ŵᵀ as above: A f32 [m, k] (row stride lda), Ŵ int8 rows
 * `quantStride(k)` bytes apart at `qw` with n scales at `scales`, bias f32 [n] or 0.
 */
export function qd8Gemm(
  simd: bool, m: i32, n: i32, k: i32, a: usize, lda: i32, qw: usize, scales: usize, bias: usize,
  accumulate: bool, c: usize, ldc: i32, work: usize,
): void {
  const ldq = <usize>quantStride(k);
  const qa = work;
  const sa = work + <usize>m * ldq;
  quantizeRows(simd, m, k, a, lda, qa, sa);
  const cStep = <usize>ldc << 2;
  let j = 0;
  if (simd) {
    // Four weight rows at a time share each load of the activations; the rows of A (a few KB at
    // most) stay in cache while the weights stream through once.
    for (; j + 4 <= n; j += 4) {
      const w0 = qw + <usize>j * ldq;
      const w1 = w0 + ldq, w2 = w1 + ldq, w3 = w2 + ldq;
      const s0 = load<f32>(scales + (<usize>j << 2));
      const s1 = load<f32>(scales + (<usize>j << 2), 4);
      const s2 = load<f32>(scales + (<usize>j << 2), 8);
      const s3 = load<f32>(scales + (<usize>j << 2), 12);
      for (let i = 0; i < m; i++) {
        const ai = qa + <usize>i * ldq;
        let x0 = i32x4.splat(0), x1 = i32x4.splat(0), x2 = i32x4.splat(0), x3 = i32x4.splat(0);
        for (let p: usize = 0; p < ldq; p += 16) {
          const aLo = v128.load8x8_s(ai + p);
          const aHi = v128.load8x8_s(ai + p, 8);
          x0 = dot16(x0, aLo, aHi, w0 + p);
          x1 = dot16(x1, aLo, aHi, w1 + p);
          x2 = dot16(x2, aLo, aHi, w2 + p);
          x3 = dot16(x3, aLo, aHi, w3 + p);
        }
        const si = load<f32>(sa + (<usize>i << 2));
        const cp = c + <usize>i * cStep + (<usize>j << 2);
        finish(hsum(x0), si * s0, bias, j, accumulate, cp);
        finish(hsum(x1), si * s1, bias, j + 1, accumulate, cp + 4);
        finish(hsum(x2), si * s2, bias, j + 2, accumulate, cp + 8);
        finish(hsum(x3), si * s3, bias, j + 3, accumulate, cp + 12);
      }
    }
    for (; j < n; j++) {
      const w0 = qw + <usize>j * ldq;
      const sj = load<f32>(scales + (<usize>j << 2));
      for (let i = 0; i < m; i++) {
        const ai = qa + <usize>i * ldq;
        let x0 = i32x4.splat(0);
        for (let p: usize = 0; p < ldq; p += 16) {
          x0 = dot16(x0, v128.load8x8_s(ai + p), v128.load8x8_s(ai + p, 8), w0 + p);
        }
        finish(hsum(x0), load<f32>(sa + (<usize>i << 2)) * sj, bias, j, accumulate, c + <usize>i * cStep + (<usize>j << 2));
      }
    }
    return;
  }
  for (; j < n; j++) {
    const wj = qw + <usize>j * ldq;
    const sj = load<f32>(scales + (<usize>j << 2));
    for (let i = 0; i < m; i++) {
      const acc = dotScalar(qa + <usize>i * ldq, wj, ldq);
      finish(acc, load<f32>(sa + (<usize>i << 2)) * sj, bias, j, accumulate, c + <usize>i * cStep + (<usize>j << 2));
    }
  }
}
