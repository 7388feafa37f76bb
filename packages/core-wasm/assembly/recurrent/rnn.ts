// Fused Elman RNN over a whole sequence, one layer and direction per call (torch.nn.RNN):
//   h' = φ(W_ih x + b_ih + W_hh h + b_hh),  φ = tanh, or ReLU when `relu`
// W_ih is H × I, W_hh is H × H, b_ih and b_hh H.
//
// Workspace `ws` the forward fills for the backward (f32):
//   hs [T+1, B, H]  h state slots in time order (sequence.ts, slotBefore / slotAfter). The state
//                   leaving a valid step is h_t = φ(a_t), all the backward needs for φ'
//                   (tanh' = 1 − h², ReLU' = [h > 0]); padding steps repeat the carried state.
// The input projection of all steps goes straight into `out` (rows then overwritten by h_t), so
// the forward needs no [T, B, H] scratch of its own.
import { tanh4, tanhS } from "../math/transcendental";
import {
  align16, backwardScratchRegion, BW_DG, BW_DH, BW_END, BW_GEMM, BW_PACKED, BW_SUMS, clampBytes,
  copyOrZero, firstSlotBefore, forwardGemmWorkspaceBytes, inputProjection, maxLength, minLength,
  packedRecurrentWeightBytes, packRecurrentWeight, rowAt, sizesFit, slotAfter, slotBefore,
  stepIsValid, stepProduct, sumBiases, timeOfStep, weightGradients,
} from "./sequence";

export function rnnWorkspaceBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 1) ? clampBytes(<u64>(T + 1) * <u64>B * <u64>H * 4) : clampBytes(U64.MAX_VALUE);
}

// Forward scratch: W_hhᵀ packed | b_ih + b_hh | GEMM scratch | (inference only) h [B, H].
const FW_PACKED = 0;
const FW_BIAS = 1;
const FW_GEMM = 2;
const FW_H = 3;
const FW_END = 4;

function forwardScratchRegion(region: i32, T: i32, B: i32, I: i32, H: i32): u64 {
  let off: u64 = 0;
  if (region == FW_PACKED) return off;
  off += align16(packedRecurrentWeightBytes(T, H, H));
  if (region == FW_BIAS) return off;
  off += align16(<u64>H * 4);
  if (region == FW_GEMM) return off;
  off += align16(forwardGemmWorkspaceBytes(T, B, I, H, H));
  if (region == FW_H) return off;
  return off + align16(<u64>B * <u64>H * 4);
}

export function rnnForwardScratchBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 1) ? clampBytes(forwardScratchRegion(FW_END, T, B, I, H)) : clampBytes(U64.MAX_VALUE);
}

export function rnnBackwardScratchBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 1) ? clampBytes(backwardScratchRegion(BW_END, T, B, I, H, 1, false)) : clampBytes(U64.MAX_VALUE);
}

/** Forward over the whole sequence; `ws` = 0 runs inference. hT may alias h0. */
export function rnnForward(
  simd: bool, T: i32, B: i32, I: i32, H: i32, reverse: bool, relu: bool,
  x: usize, wIh: usize, wHh: usize, bIh: usize, bHh: usize, lengths: usize,
  h0: usize, out: usize, ldo: i32, hT: usize, ws: usize, work: usize,
): void {
  const BH = B * H;
  const stateBytes = <usize>BH << 2;
  const train = ws != 0;
  const bias = work + <usize>forwardScratchRegion(FW_BIAS, T, B, I, H);
  const gemmWork = work + <usize>forwardScratchRegion(FW_GEMM, T, B, I, H);
  const hs = train ? ws : work + <usize>forwardScratchRegion(FW_H, T, B, I, H);
  const firstSlot: i32 = reverse ? T : 0;
  const lastSlot: i32 = reverse ? 0 : T;
  const first = train ? <usize>firstSlot * stateBytes : 0;
  const last = train ? <usize>lastSlot * stateBytes : 0;
  copyOrZero(hs + first, h0, BH);

  if (T > 0 && BH > 0) {
    sumBiases(bias, bIh, bHh, H);
    const packed = packRecurrentWeight(T, true, H, H, wHh, work + <usize>forwardScratchRegion(FW_PACKED, T, B, I, H));
    inputProjection(simd, T * B, H, I, x, wIh, out, ldo, gemmWork);
    const anyUntil = maxLength(lengths, B, T);
    for (let s = 0; s < T; s++) {
      const t = timeOfStep(s, T, reverse);
      const before = train ? <usize>slotBefore(t, reverse) * stateBytes : 0;
      const after = train ? <usize>slotAfter(t, reverse) * stateBytes : 0;
      const outT = rowAt(out, t * B, ldo);
      const anyValid = t < anyUntil;
      if (anyValid) stepProduct(simd, B, H, H, hs + before, H, packed, true, wHh, 1, outT, ldo, gemmWork);
      rnnForwardStep(simd, B, H, t, lengths, anyValid, relu, outT, ldo, bias, hs + before, hs + after);
    }
  }
  if (hT != 0 && hT != hs + last) memory.copy(hT, hs + last, stateBytes);
}

/**
 * The fused pass of one step: `out` rows hold x·W_ihᵀ + h·W_hhᵀ and become h' = φ(· + b); padding
 * elements get a zero row and carry their state.
 * NOTE: ReLU uses f32.max, which propagates NaN (as torch.relu) in both twins.
 */
function rnnForwardStep(
  simd: bool, B: i32, H: i32, t: i32, lengths: usize, anyValid: bool, relu: bool,
  out: usize, ldo: i32, bias: usize, hPrev: usize, hNext: usize,
): void {
  const rowBytes = <usize>H << 2;
  const h4 = simd ? H & ~3 : 0;
  for (let b = 0; b < B; b++) {
    const orow = rowAt(out, b, ldo);
    const hp = rowAt(hPrev, b, H);
    const hn = rowAt(hNext, b, H);
    if (!anyValid || !stepIsValid(lengths, b, t)) {
      memory.fill(orow, 0, rowBytes);
      if (hn != hp) memory.copy(hn, hp, rowBytes);
      continue;
    }
    for (let j = 0; j < h4; j += 4) {
      const o = <usize>j << 2;
      const a = f32x4.add(v128.load(orow + o), v128.load(bias + o));
      const hv = relu ? f32x4.max(a, f32x4.splat(0)) : tanh4(a);
      v128.store(orow + o, hv);
      v128.store(hn + o, hv);
    }
    for (let j = h4; j < H; j++) {
      const o = <usize>j << 2;
      const a = load<f32>(orow + o) + load<f32>(bias + o);
      const hS = relu ? max<f32>(a, 0) : tanhS(a);
      store<f32>(orow + o, hS);
      store<f32>(hn + o, hS);
    }
  }
}

/**
 * Backward through the whole sequence from the forward's `ws` (h0 is not needed: slot it). dx
 * and dh0 are overwritten; dW_ih, dW_hh, db_ih, db_hh are accumulated (+=); any of them 0 = not
 * wanted. dh0 may alias dhT.
 */
export function rnnBackward(
  simd: bool, T: i32, B: i32, I: i32, H: i32, reverse: bool, relu: bool,
  x: usize, wIh: usize, wHh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize,
  dx: usize, dh0: usize, dwIh: usize, dwHh: usize, dbIh: usize, dbHh: usize, work: usize,
): void {
  const BH = B * H;
  const rows = T * B;
  const dG = work + <usize>backwardScratchRegion(BW_DG, T, B, I, H, 1, false);
  const dh = work + <usize>backwardScratchRegion(BW_DH, T, B, I, H, 1, false);
  const gemmWork = work + <usize>backwardScratchRegion(BW_GEMM, T, B, I, H, 1, false);
  copyOrZero(dh, dhT, BH);
  const hs = ws;

  if (T > 0 && BH > 0) {
    const packed = packRecurrentWeight(T, false, H, H, wHh, work + <usize>backwardScratchRegion(BW_PACKED, T, B, I, H, 1, false));
    const allUntil = minLength(lengths, B, T);
    const anyUntil = maxLength(lengths, B, T);
    for (let s = T - 1; s >= 0; s--) {
      const t = timeOfStep(s, T, reverse);
      const allValid = t < allUntil;
      const anyValid = t < anyUntil;
      const dGt = rowAt(dG, t * B, H);
      rnnBackwardStep(
        simd, B, H, t, lengths, anyValid, !allValid, relu, rowAt(hs, slotAfter(t, reverse) * B, H),
        dout != 0 ? rowAt(dout, t * B, lddo) : 0, lddo, dh, dGt,
      );
      // As in the LSTM: padding rows keep dh, so then the product accumulates onto zeroed valid rows.
      if (anyValid) stepProduct(simd, B, H, H, dGt, H, packed, false, wHh, allValid ? 0 : 1, dh, H, gemmWork);
    }
  }
  // With H = 0 this still overwrites dx with zeros (a k = 0 product); T·B = 0 does nothing.
  weightGradients(
    simd, rows, I, H, H, dG, x, wIh, rowAt(hs, firstSlotBefore(reverse) * B, H), dx, dwIh, dwHh, dbIh, dbHh,
    work + <usize>backwardScratchRegion(BW_SUMS, T, B, I, H, 1, false), gemmWork,
  );
  if (dh0 != 0) memory.copy(dh0, dh, <usize>BH << 2);
}

/**
 * The fused pass of one backward step: dG = (dh + dout_t) ⊙ φ'(a_t), from h_t = φ(a_t).
 * NOTE: ReLU' is taken as [h_t > 0], so 0 at a_t = 0 and a NaN gradient is dropped where the unit
 * is off, as torch's threshold_backward.
 */
function rnnBackwardStep(
  simd: bool, B: i32, H: i32, t: i32, lengths: usize, anyValid: bool, clearDh: bool, relu: bool,
  hAfter: usize, dout: usize, lddo: i32, dh: usize, dG: usize,
): void {
  const rowBytes = <usize>H << 2;
  const h4 = simd ? H & ~3 : 0;
  for (let b = 0; b < B; b++) {
    const dgr = rowAt(dG, b, H);
    if (!anyValid || !stepIsValid(lengths, b, t)) {
      memory.fill(dgr, 0, rowBytes);
      continue;
    }
    const hr = rowAt(hAfter, b, H);
    const dhr = rowAt(dh, b, H);
    const dor = dout != 0 ? rowAt(dout, b, lddo) : 0;
    for (let j = 0; j < h4; j += 4) {
      const o = <usize>j << 2;
      let dh4 = v128.load(dhr + o);
      if (dor != 0) dh4 = f32x4.add(dh4, v128.load(dor + o));
      const h = v128.load(hr + o);
      const da = relu
        ? v128.and(dh4, f32x4.gt(h, f32x4.splat(0)))
        : f32x4.mul(dh4, f32x4.sub(f32x4.splat(1), f32x4.mul(h, h)));
      v128.store(dgr + o, da);
      if (clearDh) v128.store(dhr + o, f32x4.splat(0));
    }
    for (let j = h4; j < H; j++) {
      const o = <usize>j << 2;
      let dhS = load<f32>(dhr + o);
      if (dor != 0) dhS += load<f32>(dor + o);
      const h = load<f32>(hr + o);
      store<f32>(dgr + o, relu ? (h > 0 ? dhS : 0) : dhS * (1 - h * h));
      if (clearDh) store<f32>(dhr + o, 0);
    }
  }
}
