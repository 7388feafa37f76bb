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
  stepIsValid, stepProduct, stepProductColumns, sumBiases, timeOfStep, weightGradients,
} from "./sequence";
import { runTeam, setTaskWord, teamBarrier, teamSize, teamStart } from "../gemm/parallel";
import { RNN_BACKWARD, RNN_FORWARD } from "../threads/team";

export function rnnWorkspaceBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 1) ? clampBytes(<u64>(T + 1) * <u64>B * <u64>H * 4) : clampBytes(U64.MAX_VALUE);
}

// Forward scratch: W_hhᵀ packed | b_ih + b_hh | GEMM scratch | (inference only) two slots of h [B, H]
// that the steps alternate between (a split step reads every unit of h while its threads write theirs).
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
  return off + align16(<u64>B * <u64>H * 8);
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
  const last = train ? <usize>lastSlot * stateBytes : <usize>(T & 1) * stateBytes;
  copyOrZero(hs + first, h0, BH);

  if (T > 0 && BH > 0) {
    sumBiases(bias, bIh, bHh, H);
    const packed = packRecurrentWeight(T, true, H, H, wHh, work + <usize>forwardScratchRegion(FW_PACKED, T, B, I, H));
    inputProjection(simd, T * B, H, I, x, wIh, out, ldo, gemmWork);
    const size = teamSize(simd, B, H, H, H);
    if (size > 1) {
      // The task block (threads/team.ts reads it back in this order).
      setTaskWord(0, RNN_FORWARD); setTaskWord(1, T); setTaskWord(2, B); setTaskWord(3, H);
      setTaskWord(4, reverse ? 1 : 0); setTaskWord(5, lengths); setTaskWord(6, train ? 1 : 0); setTaskWord(7, relu ? 1 : 0);
      setTaskWord(8, hs); setTaskWord(9, out); setTaskWord(10, ldo); setTaskWord(11, bias);
      setTaskWord(12, packed); setTaskWord(13, wHh);
      runTeam(size, gemmWork);
    } else {
      rnnForwardLoop(simd, T, B, H, reverse, lengths, train, relu, hs, out, ldo, bias, packed, wHh, 0, 0, 1, gemmWork);
    }
  }
  if (hT != 0 && hT != hs + last) memory.copy(hT, hs + last, stateBytes);
}

/**
 * Thread `thread`'s share of the forward time loop on a team of `size` (1: all of it): per step its
 * hidden units' columns of h·W_hhᵀ, their update, then the team's one barrier of the step.
 */
export function rnnForwardLoop(
  simd: bool, T: i32, B: i32, H: i32, reverse: bool, lengths: usize, train: bool, relu: bool,
  hs: usize, out: usize, ldo: i32, bias: usize, packed: usize, wHh: usize,
  ctrl: usize, thread: i32, size: i32, gemmWork: usize,
): void {
  const stateBytes = <usize>(B * H) << 2;
  const j0 = size > 1 ? teamStart(thread, size, H) : 0;
  const j1 = size > 1 ? teamStart(thread + 1, size, H) : H;
  const anyUntil = maxLength(lengths, B, T);
  for (let s = 0; s < T; s++) {
    const t = timeOfStep(s, T, reverse);
    const before = train ? <usize>slotBefore(t, reverse) * stateBytes : <usize>(s & 1) * stateBytes;
    const after = train ? <usize>slotAfter(t, reverse) * stateBytes : <usize>((s + 1) & 1) * stateBytes;
    const outT = rowAt(out, t * B, ldo);
    const anyValid = t < anyUntil;
    if (anyValid && size == 1) stepProduct(simd, B, H, H, hs + before, H, packed, true, wHh, 1, outT, ldo, gemmWork);
    else if (anyValid) stepProductColumns(simd, B, j0, j1 - j0, H, hs + before, H, packed, true, wHh, H, 1, outT, ldo, gemmWork);
    rnnForwardStep(simd, B, H, j0, j1, t, lengths, anyValid, relu, outT, ldo, bias, hs + before, hs + after);
    if (s + 1 < T) teamBarrier(ctrl, thread, size);
  }
}

/**
 * The fused pass of one step for hidden units j0 … j1 − 1 (j0 a multiple of 4): `out` rows hold x·W_ihᵀ + h·W_hhᵀ and become h' = φ(· + b); padding
 * elements get a zero row and carry their state.
 * NOTE: ReLU uses f32.max, which propagates NaN (as torch.relu) in both twins.
 */
function rnnForwardStep(
  simd: bool, B: i32, H: i32, j0: i32, j1: i32, t: i32, lengths: usize, anyValid: bool, relu: bool,
  out: usize, ldo: i32, bias: usize, hPrev: usize, hNext: usize,
): void {
  const h4 = simd ? H & ~3 : 0;
  const v1 = min(j1, h4);
  const s0 = max(j0, h4);
  const from = <usize>j0 << 2;
  const span = <usize>(j1 - j0) << 2;
  for (let b = 0; b < B; b++) {
    const orow = rowAt(out, b, ldo);
    const hp = rowAt(hPrev, b, H);
    const hn = rowAt(hNext, b, H);
    if (!anyValid || !stepIsValid(lengths, b, t)) {
      memory.fill(orow + from, 0, span);
      if (hn != hp) memory.copy(hn + from, hp + from, span);
      continue;
    }
    for (let j = j0; j < v1; j += 4) {
      const o = <usize>j << 2;
      const a = f32x4.add(v128.load(orow + o), v128.load(bias + o));
      const hv = relu ? f32x4.max(a, f32x4.splat(0)) : tanh4(a);
      v128.store(orow + o, hv);
      v128.store(hn + o, hv);
    }
    for (let j = s0; j < j1; j++) {
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
    const size = teamSize(simd, B, H, H, H);
    if (size > 1) {
      // The task block (threads/team.ts reads it back in this order).
      setTaskWord(0, RNN_BACKWARD); setTaskWord(1, T); setTaskWord(2, B); setTaskWord(3, H);
      setTaskWord(4, reverse ? 1 : 0); setTaskWord(5, lengths); setTaskWord(6, relu ? 1 : 0); setTaskWord(7, hs);
      setTaskWord(8, dout); setTaskWord(9, lddo); setTaskWord(10, dh); setTaskWord(11, dG);
      setTaskWord(12, packed); setTaskWord(13, wHh);
      runTeam(size, gemmWork);
    } else {
      rnnBackwardLoop(simd, T, B, H, reverse, lengths, relu, hs, dout, lddo, dh, dG, packed, wHh, 0, 0, 1, gemmWork);
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
 * Thread `thread`'s share of the backward time loop on a team of `size` (1: all of it): per step its
 * units' dG_t, the team's one barrier (dh_prev = dG_t·W_hh needs every unit's), then its units'
 * columns of dh_prev, which only its own next step reads.
 */
export function rnnBackwardLoop(
  simd: bool, T: i32, B: i32, H: i32, reverse: bool, lengths: usize, relu: bool, hs: usize,
  dout: usize, lddo: i32, dh: usize, dG: usize, packed: usize, wHh: usize,
  ctrl: usize, thread: i32, size: i32, gemmWork: usize,
): void {
  const j0 = size > 1 ? teamStart(thread, size, H) : 0;
  const j1 = size > 1 ? teamStart(thread + 1, size, H) : H;
  const allUntil = minLength(lengths, B, T);
  const anyUntil = maxLength(lengths, B, T);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeOfStep(s, T, reverse);
    const allValid = t < allUntil;
    const anyValid = t < anyUntil;
    const dGt = rowAt(dG, t * B, H);
    rnnBackwardStep(
      simd, B, H, j0, j1, t, lengths, anyValid, !allValid, relu, rowAt(hs, slotAfter(t, reverse) * B, H),
      dout != 0 ? rowAt(dout, t * B, lddo) : 0, lddo, dh, dGt,
    );
    // As in the LSTM: padding rows keep dh, so then the product accumulates onto zeroed valid rows.
    if (!anyValid) continue;
    const beta: f32 = allValid ? 0 : 1;
    if (size == 1) stepProduct(simd, B, H, H, dGt, H, packed, false, wHh, beta, dh, H, gemmWork);
    else {
      teamBarrier(ctrl, thread, size);
      stepProductColumns(simd, B, j0, j1 - j0, H, dGt, H, packed, false, wHh, H, beta, dh, H, gemmWork);
    }
  }
}

/**
 * The fused pass of one backward step for hidden units j0 … j1 − 1 (j0 a multiple of 4): dG = (dh + dout_t) ⊙ φ'(a_t), from h_t = φ(a_t).
 * NOTE: ReLU' is taken as [h_t > 0], so 0 at a_t = 0 and a NaN gradient is dropped where the unit
 * is off, as torch's threshold_backward.
 */
function rnnBackwardStep(
  simd: bool, B: i32, H: i32, j0: i32, j1: i32, t: i32, lengths: usize, anyValid: bool, clearDh: bool, relu: bool,
  hAfter: usize, dout: usize, lddo: i32, dh: usize, dG: usize,
): void {
  const h4 = simd ? H & ~3 : 0;
  const v1 = min(j1, h4);
  const s0 = max(j0, h4);
  for (let b = 0; b < B; b++) {
    const dgr = rowAt(dG, b, H);
    if (!anyValid || !stepIsValid(lengths, b, t)) {
      memory.fill(dgr + (<usize>j0 << 2), 0, <usize>(j1 - j0) << 2);
      continue;
    }
    const hr = rowAt(hAfter, b, H);
    const dhr = rowAt(dh, b, H);
    const dor = dout != 0 ? rowAt(dout, b, lddo) : 0;
    for (let j = j0; j < v1; j += 4) {
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
    for (let j = s0; j < j1; j++) {
      const o = <usize>j << 2;
      let dhS = load<f32>(dhr + o);
      if (dor != 0) dhS += load<f32>(dor + o);
      const h = load<f32>(hr + o);
      store<f32>(dgr + o, relu ? (h > 0 ? dhS : 0) : dhS * (1 - h * h));
      if (clearDh) store<f32>(dhr + o, 0);
    }
  }
}
