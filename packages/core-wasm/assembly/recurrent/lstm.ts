// Fused LSTM over a whole sequence, one layer and direction per call, PyTorch's cell:
//   i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(W_if x + b_if + W_hf h + b_hf)
//   g = tanh(W_ig x + b_ig + W_hg h + b_hg) o = σ(W_io x + b_io + W_ho h + b_ho)
//   c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')
// Gate order i|f|g|o: W_ih is 4H × I, W_hh is 4H × H, b_ih and b_hh 4H.
//
// Workspace `ws` the forward fills for the backward (f32, contiguous, regions in this order):
//   gates [T, B, 4H]   activated i|f|g|o at time t (row (t, b))
//   tanhC [T, B, H]    tanh(c_t), so the backward evaluates no transcendental
//   hs    [T+1, B, H]  h state slots, in time order (sequence.ts, slotBefore / slotAfter)
//   cs    [T+1, B, H]  c state slots, same order
// Rows of padding steps (t ≥ len_b) in gates and tanhC are unspecified (the backward never reads
// them); their state slots repeat the state carried through. Total (7T + 2)·B·H floats.
import { sigmoid4, sigmoidS, tanh4, tanhS } from "../math/transcendental";
import {
  align16, backwardScratchRegion, BW_DC, BW_DG, BW_DH, BW_END, BW_GEMM, BW_PACKED, BW_SUMS,
  clampBytes, copyOrZero, firstSlotBefore, forwardGemmWorkspaceBytes, inputProjection, maxLength,
  minLength, packedRecurrentWeightBytes, packRecurrentWeight, rowAt, sizesFit, slotAfter,
  slotBefore, stepIsValid, stepProduct, sumBiases, timeOfStep, weightGradients,
} from "./sequence";

const WS_GATES = 0;
const WS_TANHC = 1;
const WS_HS = 2;
const WS_CS = 3;
const WS_END = 4;

/** Byte offset of a region of the workspace (the layout above); WS_END gives its size. */
function wsRegion(region: i32, T: i32, B: i32, H: i32): u64 {
  const bh = <u64>B * <u64>H * 4;
  let off: u64 = 0;
  if (region == WS_GATES) return off;
  off += <u64>T * bh * 4;
  if (region == WS_TANHC) return off;
  off += <u64>T * bh;
  if (region == WS_HS) return off;
  off += <u64>(T + 1) * bh;
  if (region == WS_CS) return off;
  return off + <u64>(T + 1) * bh;
}

export function lstmWorkspaceBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 4) ? clampBytes(wsRegion(WS_END, T, B, H)) : clampBytes(U64.MAX_VALUE);
}

// Forward scratch: W_hhᵀ packed | b_ih + b_hh | GEMM scratch | (inference only) the gate
// pre-activations [T, B, 4H] and the states h, c [B, H] updated in place.
const FW_PACKED = 0;
const FW_BIAS = 1;
const FW_GEMM = 2;
const FW_GATES = 3;
const FW_H = 4;
const FW_C = 5;
const FW_END = 6;

function forwardScratchRegion(region: i32, T: i32, B: i32, I: i32, H: i32): u64 {
  const G = 4 * H;
  let off: u64 = 0;
  if (region == FW_PACKED) return off;
  off += align16(packedRecurrentWeightBytes(T, G, H));
  if (region == FW_BIAS) return off;
  off += align16(<u64>G * 4);
  if (region == FW_GEMM) return off;
  off += align16(forwardGemmWorkspaceBytes(T, B, I, H, G));
  if (region == FW_GATES) return off;
  off += align16(<u64>T * <u64>B * <u64>G * 4);
  if (region == FW_H) return off;
  off += align16(<u64>B * <u64>H * 4);
  if (region == FW_C) return off;
  return off + align16(<u64>B * <u64>H * 4);
}

export function lstmForwardScratchBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 4) ? clampBytes(forwardScratchRegion(FW_END, T, B, I, H)) : clampBytes(U64.MAX_VALUE);
}

export function lstmBackwardScratchBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 4) ? clampBytes(backwardScratchRegion(BW_END, T, B, I, H, 4, true)) : clampBytes(U64.MAX_VALUE);
}

/**
 * Forward over the whole sequence. `ws` = 0 runs inference (nothing saved). hT may alias h0 and
 * cT may alias c0 (a sampler keeps its state in place).
 */
export function lstmForward(
  simd: bool, T: i32, B: i32, I: i32, H: i32, reverse: bool,
  x: usize, wIh: usize, wHh: usize, bIh: usize, bHh: usize, lengths: usize,
  h0: usize, c0: usize, out: usize, ldo: i32, hT: usize, cT: usize, ws: usize, work: usize,
): void {
  const G = 4 * H;
  const BH = B * H;
  const stateBytes = <usize>BH << 2;
  const train = ws != 0;
  const bias = work + <usize>forwardScratchRegion(FW_BIAS, T, B, I, H);
  const gemmWork = work + <usize>forwardScratchRegion(FW_GEMM, T, B, I, H);
  // Training keeps every state in its ws slot; inference updates one h and one c in place.
  const gates = train ? ws : work + <usize>forwardScratchRegion(FW_GATES, T, B, I, H);
  const tanhC = train ? ws + <usize>wsRegion(WS_TANHC, T, B, H) : 0;
  const hs = train ? ws + <usize>wsRegion(WS_HS, T, B, H) : work + <usize>forwardScratchRegion(FW_H, T, B, I, H);
  const cs = train ? ws + <usize>wsRegion(WS_CS, T, B, H) : work + <usize>forwardScratchRegion(FW_C, T, B, I, H);
  // State slots of h0 and hT (sequence.ts): 0 and T forwards, T and 0 in reverse.
  const firstSlot: i32 = reverse ? T : 0;
  const lastSlot: i32 = reverse ? 0 : T;
  const first = train ? <usize>firstSlot * stateBytes : 0;
  const last = train ? <usize>lastSlot * stateBytes : 0;
  copyOrZero(hs + first, h0, BH);
  copyOrZero(cs + first, c0, BH);

  if (T > 0 && BH > 0) {
    sumBiases(bias, bIh, bHh, G);
    const packed = packRecurrentWeight(T, true, G, H, wHh, work + <usize>forwardScratchRegion(FW_PACKED, T, B, I, H));
    // The input projection of all T steps at once; the biases are added in the fused pass.
    inputProjection(simd, T * B, G, I, x, wIh, gates, G, gemmWork);
    const anyUntil = maxLength(lengths, B, T);
    for (let s = 0; s < T; s++) {
      const t = timeOfStep(s, T, reverse);
      const before = train ? <usize>slotBefore(t, reverse) * stateBytes : 0;
      const after = train ? <usize>slotAfter(t, reverse) * stateBytes : 0;
      const gT = rowAt(gates, t * B, G);
      const anyValid = t < anyUntil;
      if (anyValid) stepProduct(simd, B, G, H, hs + before, H, packed, true, wHh, 1, gT, G, gemmWork);
      lstmForwardStep(
        simd, B, H, t, lengths, anyValid, gT, bias, hs + before, cs + before, hs + after, cs + after,
        train ? rowAt(tanhC, t * B, H) : 0, rowAt(out, t * B, ldo), ldo,
      );
    }
  }
  if (hT != 0 && hT != hs + last) memory.copy(hT, hs + last, stateBytes);
  if (cT != 0 && cT != cs + last) memory.copy(cT, cs + last, stateBytes);
}

/**
 * The fused pass of one step: gate activations, cell update and output for every element b.
 * `g` holds x·W_ihᵀ + h·W_hhᵀ (biases still to add); when `tanhC` ≠ 0 (training) the activated gates
 * overwrite it and tanh(c') is saved. Padding elements get a zero output row and carry their state.
 */
function lstmForwardStep(
  simd: bool, B: i32, H: i32, t: i32, lengths: usize, anyValid: bool, g: usize, bias: usize,
  hPrev: usize, cPrev: usize, hNext: usize, cNext: usize, tanhC: usize, out: usize, ldo: i32,
): void {
  const G = 4 * H;
  const rowBytes = <usize>H << 2;
  const h4 = simd ? H & ~3 : 0;
  const save = tanhC != 0;
  // Byte distances between the gate blocks of one row.
  const bf = rowBytes;
  const bg = rowBytes * 2;
  const bo = rowBytes * 3;
  for (let b = 0; b < B; b++) {
    const gr = rowAt(g, b, G);
    const hp = rowAt(hPrev, b, H);
    const cp = rowAt(cPrev, b, H);
    const hn = rowAt(hNext, b, H);
    const cn = rowAt(cNext, b, H);
    const orow = rowAt(out, b, ldo);
    if (!anyValid || !stepIsValid(lengths, b, t)) {
      memory.fill(orow, 0, rowBytes);
      if (hn != hp) {
        memory.copy(hn, hp, rowBytes);
        memory.copy(cn, cp, rowBytes);
      }
      continue;
    }
    const tc = save ? rowAt(tanhC, b, H) : 0;
    for (let j = 0; j < h4; j += 4) {
      const o = <usize>j << 2;
      const p = gr + o;
      const q = bias + o;
      const i4 = sigmoid4(f32x4.add(v128.load(p), v128.load(q)));
      const f4 = sigmoid4(f32x4.add(v128.load(p + bf), v128.load(q + bf)));
      const g4 = tanh4(f32x4.add(v128.load(p + bg), v128.load(q + bg)));
      const o4 = sigmoid4(f32x4.add(v128.load(p + bo), v128.load(q + bo)));
      const c4 = f32x4.add(f32x4.mul(f4, v128.load(cp + o)), f32x4.mul(i4, g4));
      const t4 = tanh4(c4);
      const hv = f32x4.mul(o4, t4);
      if (save) {
        v128.store(p, i4);
        v128.store(p + bf, f4);
        v128.store(p + bg, g4);
        v128.store(p + bo, o4);
        v128.store(tc + o, t4);
      }
      v128.store(cn + o, c4);
      v128.store(hn + o, hv);
      v128.store(orow + o, hv);
    }
    for (let j = h4; j < H; j++) {
      const o = <usize>j << 2;
      const p = gr + o;
      const q = bias + o;
      const iS = sigmoidS(load<f32>(p) + load<f32>(q));
      const fS = sigmoidS(load<f32>(p + bf) + load<f32>(q + bf));
      const gS = tanhS(load<f32>(p + bg) + load<f32>(q + bg));
      const oS = sigmoidS(load<f32>(p + bo) + load<f32>(q + bo));
      const cS = fS * load<f32>(cp + o) + iS * gS;
      const tS = tanhS(cS);
      const hS = oS * tS;
      if (save) {
        store<f32>(p, iS);
        store<f32>(p + bf, fS);
        store<f32>(p + bg, gS);
        store<f32>(p + bo, oS);
        store<f32>(tc + o, tS);
      }
      store<f32>(cn + o, cS);
      store<f32>(hn + o, hS);
      store<f32>(orow + o, hS);
    }
  }
}

/**
 * Backward through the whole sequence from the forward's `ws` (h0 and c0 are not needed: the slots
 * hold them). dx, dh0, dc0 are overwritten; dW_ih, dW_hh, db_ih, db_hh are accumulated (+=); any of
 * them 0 = not wanted. dh0 may alias dhT and dc0 may alias dcT.
 */
export function lstmBackward(
  simd: bool, T: i32, B: i32, I: i32, H: i32, reverse: bool,
  x: usize, wIh: usize, wHh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize, dcT: usize,
  dx: usize, dh0: usize, dc0: usize, dwIh: usize, dwHh: usize, dbIh: usize, dbHh: usize, work: usize,
): void {
  const G = 4 * H;
  const BH = B * H;
  const rows = T * B;
  const dG = work + <usize>backwardScratchRegion(BW_DG, T, B, I, H, 4, true);
  const dh = work + <usize>backwardScratchRegion(BW_DH, T, B, I, H, 4, true);
  const dc = work + <usize>backwardScratchRegion(BW_DC, T, B, I, H, 4, true);
  const gemmWork = work + <usize>backwardScratchRegion(BW_GEMM, T, B, I, H, 4, true);
  copyOrZero(dh, dhT, BH);
  copyOrZero(dc, dcT, BH);
  const hs = ws + <usize>wsRegion(WS_HS, T, B, H);

  if (T > 0 && BH > 0) {
    const gates = ws;
    const tanhC = ws + <usize>wsRegion(WS_TANHC, T, B, H);
    const cs = ws + <usize>wsRegion(WS_CS, T, B, H);
    const packed = packRecurrentWeight(T, false, H, G, wHh, work + <usize>backwardScratchRegion(BW_PACKED, T, B, I, H, 4, true));
    const allUntil = minLength(lengths, B, T);
    const anyUntil = maxLength(lengths, B, T);
    for (let s = T - 1; s >= 0; s--) {
      const t = timeOfStep(s, T, reverse);
      const allValid = t < allUntil;
      const anyValid = t < anyUntil;
      const dGt = rowAt(dG, t * B, G);
      lstmBackwardStep(
        simd, B, H, t, lengths, anyValid, !allValid,
        rowAt(gates, t * B, G), rowAt(tanhC, t * B, H), rowAt(cs, slotBefore(t, reverse) * B, H),
        dout != 0 ? rowAt(dout, t * B, lddo) : 0, lddo, dh, dc, dGt,
      );
      // dh_prev = dG_t·W_hh. Rows of padding elements have dG = 0 and keep their dh: then the
      // fused pass zeroed the valid rows of dh and the product accumulates (β = 1).
      if (anyValid) stepProduct(simd, B, H, G, dGt, G, packed, false, wHh, allValid ? 0 : 1, dh, H, gemmWork);
    }
  }
  // With H = 0 this still overwrites dx with zeros (a k = 0 product); T·B = 0 does nothing.
  weightGradients(
    simd, rows, I, H, G, dG, x, wIh, rowAt(hs, firstSlotBefore(reverse) * B, H), dx, dwIh, dwHh, dbIh, dbHh,
    work + <usize>backwardScratchRegion(BW_SUMS, T, B, I, H, 4, true), gemmWork,
  );
  if (dh0 != 0) memory.copy(dh0, dh, <usize>BH << 2);
  if (dc0 != 0) memory.copy(dc0, dc, <usize>BH << 2);
}

/**
 * The fused pass of one backward step for every element b, with δh = dh + dout_t:
 *   δc = dc + δh ⊙ o ⊙ (1 − tanh²c_t)      dc ← δc ⊙ f
 *   dG = [δc⊙g⊙i(1−i), δc⊙c_{t−1}⊙f(1−f), δc⊙i⊙(1−g²), δh⊙tanh c_t⊙o(1−o)]
 * Padding elements get dG = 0 and keep dh, dc. With `clearDh` the valid rows of dh are zeroed
 * for the accumulating product that follows.
 */
function lstmBackwardStep(
  simd: bool, B: i32, H: i32, t: i32, lengths: usize, anyValid: bool, clearDh: bool,
  gates: usize, tanhC: usize, cPrev: usize, dout: usize, lddo: i32, dh: usize, dc: usize, dG: usize,
): void {
  const G = 4 * H;
  const rowBytes = <usize>H << 2;
  const h4 = simd ? H & ~3 : 0;
  const bf = rowBytes;
  const bg = rowBytes * 2;
  const bo = rowBytes * 3;
  for (let b = 0; b < B; b++) {
    const dgr = rowAt(dG, b, G);
    if (!anyValid || !stepIsValid(lengths, b, t)) {
      memory.fill(dgr, 0, rowBytes * 4);
      continue;
    }
    const gr = rowAt(gates, b, G);
    const tc = rowAt(tanhC, b, H);
    const cp = rowAt(cPrev, b, H);
    const dhr = rowAt(dh, b, H);
    const dcr = rowAt(dc, b, H);
    const dor = dout != 0 ? rowAt(dout, b, lddo) : 0;
    for (let j = 0; j < h4; j += 4) {
      const one = f32x4.splat(1);
      const o = <usize>j << 2;
      const p = gr + o;
      let dh4 = v128.load(dhr + o);
      if (dor != 0) dh4 = f32x4.add(dh4, v128.load(dor + o));
      const i4 = v128.load(p);
      const f4 = v128.load(p + bf);
      const g4 = v128.load(p + bg);
      const o4 = v128.load(p + bo);
      const t4 = v128.load(tc + o);
      const dc4 = f32x4.add(v128.load(dcr + o), f32x4.mul(f32x4.mul(dh4, o4), f32x4.sub(one, f32x4.mul(t4, t4))));
      v128.store(dcr + o, f32x4.mul(dc4, f4));
      v128.store(dgr + o, f32x4.mul(f32x4.mul(dc4, g4), f32x4.mul(i4, f32x4.sub(one, i4))));
      v128.store(dgr + o + bf, f32x4.mul(f32x4.mul(dc4, v128.load(cp + o)), f32x4.mul(f4, f32x4.sub(one, f4))));
      v128.store(dgr + o + bg, f32x4.mul(f32x4.mul(dc4, i4), f32x4.sub(one, f32x4.mul(g4, g4))));
      v128.store(dgr + o + bo, f32x4.mul(f32x4.mul(dh4, t4), f32x4.mul(o4, f32x4.sub(one, o4))));
      if (clearDh) v128.store(dhr + o, f32x4.splat(0));
    }
    for (let j = h4; j < H; j++) {
      const o = <usize>j << 2;
      const p = gr + o;
      let dhS = load<f32>(dhr + o);
      if (dor != 0) dhS += load<f32>(dor + o);
      const iS = load<f32>(p);
      const fS = load<f32>(p + bf);
      const gS = load<f32>(p + bg);
      const oS = load<f32>(p + bo);
      const tS = load<f32>(tc + o);
      const dcS = load<f32>(dcr + o) + dhS * oS * (1 - tS * tS);
      store<f32>(dcr + o, dcS * fS);
      store<f32>(dgr + o, dcS * gS * (iS * (1 - iS)));
      store<f32>(dgr + o + bf, dcS * load<f32>(cp + o) * (fS * (1 - fS)));
      store<f32>(dgr + o + bg, dcS * iS * (1 - gS * gS));
      store<f32>(dgr + o + bo, dhS * tS * (oS * (1 - oS)));
      if (clearDh) store<f32>(dhr + o, 0);
    }
  }
}
