// One attention step for all B rows in one call (Luong et al. 2015's global attention): the
// scores, the masked softmax over the valid source positions and the context, forward and
// backward. Keys and projected keys stay time-major [S, B, ·] (the encoder's layout), so no
// transpose is ever made; row b of position s is at (s·B + b)·width.
//
//   e_{b,s} = q_b · P_{s,b}          (or given scores E [S, B] when q = 0)
//   a_b     = softmax_{s < n_b}(e_b),  a_{b,s} = 0 for s ≥ n_b
//   c_b     = Σ_{s < n_b} a_{b,s} K_{s,b}
//
// Dots and the softmax's sums go through elementwise/reduce.ts (f64 accumulation, both twins the
// same bits) and the context through elementwise/map.ts's AXPY, so the SIMD kernel and its scalar
// twin agree exactly.
import { Binary, mapBinary } from "../elementwise/map";
import { reduce, Reduce } from "../elementwise/reduce";

/** The valid positions of row b: lengths[b], or every one of the S when lengths = 0. */
// @ts-ignore: decorator
@inline function validOf(lengths: usize, b: i32, S: i32): i32 {
  return lengths == 0 ? S : load<i32>(lengths + (<usize>b << 2));
}

/** Byte address of row (s, b) of a time-major [S, B, width] tensor. */
// @ts-ignore: decorator
@inline function rowOf(base: usize, s: i32, b: i32, B: i32, width: i32): usize {
  return base + ((<usize>s * <usize>B + <usize>b) * <usize>width << 2);
}

/** Writes n zeros at p. */
// @ts-ignore: decorator
@inline function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/**
 * weights [B, S] and context [B, Hk] (both overwritten) of queries q [B, P] against proj [S, B, P]
 * (or of the scores [S, B] when q = 0) over keys [S, B, Hk], lengths int32 [B] in [1, S] or 0.
 */
export function attentionForward(
  simd: bool, B: i32, S: i32, P: i32, Hk: i32,
  q: usize, proj: usize, scores: usize, keys: usize, lengths: usize, weights: usize, context: usize,
): void {
  for (let b = 0; b < B; b++) {
    const n = validOf(lengths, b, S);
    const w = weights + (<usize>b * <usize>S << 2);
    const qb = q + (<usize>b * <usize>P << 2);
    let m: f32 = -Infinity;
    for (let s = 0; s < n; s++) {
      const e = q != 0 ? <f32>reduce(simd, Reduce.DOT, P, rowOf(proj, s, b, B, P), 0, qb) : load<f32>(scores + ((<usize>s * <usize>B + <usize>b) << 2));
      store<f32>(w + (<usize>s << 2), e);
      m = max(m, e);
    }
    const sum = reduce(simd, Reduce.EXPSUM, n, w, m, w);
    mapBinary(simd, Binary.SCALE, n, <f32>(1 / sum), w, w, w);
    zero(w + (<usize>n << 2), S - n);
    const cb = context + (<usize>b * <usize>Hk << 2);
    zero(cb, Hk);
    for (let s = 0; s < n; s++) mapBinary(simd, Binary.AXPY, Hk, load<f32>(w + (<usize>s << 2)), rowOf(keys, s, b, B, Hk), cb, cb);
  }
}

/**
 * The backward of `attentionForward` from its weights, for upstream dweights [B, S] and dcontext
 * [B, Hk] (either 0 = none). Overwrites dscores [S, B] (required: it also holds the weights'
 * gradient on the way), and, when not 0, dq [B, P], dproj [S, B, P] and dkeys [S, B, Hk]
 * (padding positions get 0):
 *
 *   g_s  = dweights_{b,s} + dcontext_b · K_{s,b}       de_s = a_s (g_s − Σ_j a_j g_j)
 *   dq_b = Σ_s de_s P_{s,b}    dP_{s,b} = de_s q_b    dK_{s,b} = a_s dcontext_b
 */
export function attentionBackward(
  simd: bool, B: i32, S: i32, P: i32, Hk: i32,
  q: usize, proj: usize, keys: usize, lengths: usize, weights: usize, dweights: usize, dcontext: usize,
  dscores: usize, dq: usize, dproj: usize, dkeys: usize,
): void {
  for (let b = 0; b < B; b++) {
    const n = validOf(lengths, b, S);
    const w = weights + (<usize>b * <usize>S << 2);
    const dc = dcontext + (<usize>b * <usize>Hk << 2);
    let dot: f64 = 0;
    for (let s = 0; s < S; s++) {
      const at = dscores + ((<usize>s * <usize>B + <usize>b) << 2);
      if (s >= n) {
        store<f32>(at, 0);
        continue;
      }
      let g: f32 = dweights != 0 ? load<f32>(dweights + ((<usize>b * <usize>S + <usize>s) << 2)) : 0;
      if (dcontext != 0) g += <f32>reduce(simd, Reduce.DOT, Hk, dc, 0, rowOf(keys, s, b, B, Hk));
      store<f32>(at, g);
      dot += <f64>g * <f64>load<f32>(w + (<usize>s << 2));
    }
    const qb = q + (<usize>b * <usize>P << 2);
    const dqb = dq + (<usize>b * <usize>P << 2);
    if (dq != 0) zero(dqb, P);
    for (let s = 0; s < S; s++) {
      const at = dscores + ((<usize>s * <usize>B + <usize>b) << 2);
      const a = load<f32>(w + (<usize>s << 2));
      const de = s < n ? a * (load<f32>(at) - <f32>dot) : 0;
      store<f32>(at, de);
      if (dkeys != 0) {
        const dk = rowOf(dkeys, s, b, B, Hk);
        if (s < n && dcontext != 0) mapBinary(simd, Binary.SCALE, Hk, a, dc, dc, dk);
        else zero(dk, Hk);
      }
      if (q == 0) continue;
      if (dq != 0 && s < n) mapBinary(simd, Binary.AXPY, P, de, rowOf(proj, s, b, B, P), dqb, dqb);
      if (dproj != 0) {
        const dp = rowOf(dproj, s, b, B, P);
        if (s < n) mapBinary(simd, Binary.SCALE, P, de, qb, qb, dp);
        else zero(dp, P);
      }
    }
  }
}
