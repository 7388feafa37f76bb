// The Tree-LSTM memory-cell update (Tai et al. 2015) of M nodes, forward and backward, one pass
// over each row. Gate pre-activations come row-major [M, G·H], G = K + 3 blocks of H in the order
// i, f_1 … f_K, o, u (K forget gates: the children whose cells are carried; 0 at leaves):
//   i, f_k, o = σ(pre + b),  u = tanh(pre + b)
//   c = i ⊙ u + Σ_k f_k ⊙ c_k (+ kept),   h = o ⊙ tanh(c)
// The forward saves the activated gates `act` [M, G·H] and tanh(c) for the backward, which then
// evaluates no transcendental. Every operation is exactly rounded (no FMA), so the SIMD body and
// the scalar twin agree but for sigmoid/tanh's last bits (math/lanes.ts).
import { add, lanes, mul, splat, sigmoid, sub, tanh } from "../math/lanes";

function forwardRange<T>(
  from: i32, H: i32, K: i32, pre: usize, bias: usize, cc: usize, kept: usize, act: usize, c: usize, tc: usize, h: usize,
): i32 {
  const w = lanes<T>();
  const hb = <usize>H << 2;
  const oBlock = <usize>(K + 1) * hb;
  const uBlock = <usize>(K + 2) * hb;
  let j = from;
  for (; j + w <= H; j += w) {
    const o = <usize>j << 2;
    const si = sigmoid<T>(add<T>(load<T>(pre + o), load<T>(bias + o)));
    const so = sigmoid<T>(add<T>(load<T>(pre + oBlock + o), load<T>(bias + oBlock + o)));
    const tu = tanh<T>(add<T>(load<T>(pre + uBlock + o), load<T>(bias + uBlock + o)));
    store<T>(act + o, si);
    store<T>(act + oBlock + o, so);
    store<T>(act + uBlock + o, tu);
    let v = mul<T>(si, tu);
    for (let k = 0; k < K; k++) {
      const fb = <usize>(k + 1) * hb + o;
      const sf = sigmoid<T>(add<T>(load<T>(pre + fb), load<T>(bias + fb)));
      store<T>(act + fb, sf);
      v = add<T>(v, mul<T>(sf, load<T>(cc + <usize>k * hb + o)));
    }
    if (kept != 0) v = add<T>(v, load<T>(kept + o));
    const t = tanh<T>(v);
    store<T>(c + o, v);
    store<T>(tc + o, t);
    store<T>(h + o, mul<T>(so, t));
  }
  return j;
}

/**
 * Forward of M nodes: `pre` [M, G·H] gate pre-activations (without bias), `bias` [G·H], `cc`
 * [M, K·H] the children's cells (0 when K = 0), `kept` [M, H] added to c (0: none). Writes `act`
 * [M, G·H] (the activated gates; may alias `pre`), c, tanh(c) and h [M, H].
 */
export function treeLstmCellForward(
  simd: bool, M: i32, H: i32, K: i32, pre: usize, bias: usize, cc: usize, kept: usize, act: usize, c: usize, tc: usize, h: usize,
): void {
  const gh = <usize>(K + 3) * <usize>H << 2;
  const hb = <usize>H << 2;
  for (let r = 0; r < M; r++) {
    const g = <usize>r * gh, s = <usize>r * hb, ks = <usize>r * <usize>K * hb;
    const rowCc: usize = cc == 0 ? 0 : cc + ks;
    const rowKept: usize = kept == 0 ? 0 : kept + s;
    const tail = simd ? forwardRange<v128>(0, H, K, pre + g, bias, rowCc, rowKept, act + g, c + s, tc + s, h + s) : 0;
    forwardRange<f32>(tail, H, K, pre + g, bias, rowCc, rowKept, act + g, c + s, tc + s, h + s);
  }
}

function backwardRange<T>(
  from: i32, H: i32, K: i32, act: usize, tc: usize, cc: usize, dh: usize, dc: usize, dpre: usize, dcc: usize, dcTotal: usize,
): i32 {
  const w = lanes<T>();
  const hb = <usize>H << 2;
  const oBlock = <usize>(K + 1) * hb;
  const uBlock = <usize>(K + 2) * hb;
  const one = splat<T>(1);
  let j = from;
  for (; j + w <= H; j += w) {
    const o = <usize>j << 2;
    const si = load<T>(act + o), so = load<T>(act + oBlock + o), tu = load<T>(act + uBlock + o);
    let d = dc == 0 ? splat<T>(0) : load<T>(dc + o);
    if (dh != 0) {
      const gh = load<T>(dh + o), t = load<T>(tc + o);
      // dc += dh·o·(1 − tanh²c);  do = dh·tanh(c)·o(1 − o)
      d = add<T>(d, mul<T>(mul<T>(gh, so), sub<T>(one, mul<T>(t, t))));
      store<T>(dpre + oBlock + o, mul<T>(mul<T>(gh, t), mul<T>(so, sub<T>(one, so))));
    } else store<T>(dpre + oBlock + o, splat<T>(0));
    if (dcTotal != 0) store<T>(dcTotal + o, d);
    store<T>(dpre + o, mul<T>(mul<T>(d, tu), mul<T>(si, sub<T>(one, si))));
    store<T>(dpre + uBlock + o, mul<T>(mul<T>(d, si), sub<T>(one, mul<T>(tu, tu))));
    for (let k = 0; k < K; k++) {
      const fb = <usize>(k + 1) * hb + o, ck = <usize>k * hb + o;
      const sf = load<T>(act + fb);
      store<T>(dpre + fb, mul<T>(mul<T>(d, load<T>(cc + ck)), mul<T>(sf, sub<T>(one, sf))));
      if (dcc != 0) store<T>(dcc + ck, mul<T>(d, sf));
    }
  }
  return j;
}

function biasRange<T>(from: i32, n: i32, M: i32, dpre: usize, db: usize): i32 {
  const w = lanes<T>();
  const rowBytes = <usize>n << 2;
  let q = from;
  for (; q + w <= n; q += w) {
    const o = <usize>q << 2;
    let sum = load<T>(db + o);
    for (let r = 0; r < M; r++) sum = add<T>(sum, load<T>(dpre + <usize>r * rowBytes + o));
    store<T>(db + o, sum);
  }
  return q;
}

/**
 * Backward of `treeLstmCellForward` from its `act` and `tc` and the children's cells `cc`: dh, dc
 * [M, H] (either 0: no gradient) give `dpre` [M, G·H] (overwritten), `db` [G·H] (accumulated: the
 * column sums of dpre; 0 = not wanted), `dcc` [M, K·H] (overwritten, 0 = not wanted) and `dcTotal`
 * [M, H], the gradient of c (overwritten, 0 = not wanted; it is also that of `kept`).
 */
export function treeLstmCellBackward(
  simd: bool, M: i32, H: i32, K: i32, act: usize, tc: usize, cc: usize, dh: usize, dc: usize,
  dpre: usize, db: usize, dcc: usize, dcTotal: usize,
): void {
  const gh = <usize>(K + 3) * <usize>H << 2;
  const hb = <usize>H << 2;
  for (let r = 0; r < M; r++) {
    const g = <usize>r * gh, s = <usize>r * hb, ks = <usize>r * <usize>K * hb;
    const rowCc: usize = cc == 0 ? 0 : cc + ks;
    const rowDcc: usize = dcc == 0 ? 0 : dcc + ks;
    const rowDh: usize = dh == 0 ? 0 : dh + s;
    const rowDc: usize = dc == 0 ? 0 : dc + s;
    const rowTotal: usize = dcTotal == 0 ? 0 : dcTotal + s;
    const tail = simd ? backwardRange<v128>(0, H, K, act + g, tc + s, rowCc, rowDh, rowDc, dpre + g, rowDcc, rowTotal) : 0;
    backwardRange<f32>(tail, H, K, act + g, tc + s, rowCc, rowDh, rowDc, dpre + g, rowDcc, rowTotal);
  }
  if (db != 0) {
    const n = (K + 3) * H;
    const tail = simd ? biasRange<v128>(0, n, M, dpre, db) : 0;
    biasRange<f32>(tail, n, M, dpre, db);
  }
}
