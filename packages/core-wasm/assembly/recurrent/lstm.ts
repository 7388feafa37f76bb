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
  minLength, packedGateBlocksBytes, packedRecurrentWeightBytes, packGateBlocks, packRecurrentWeight, rowAt,
  sizesFit, slotAfter, slotBefore, stepIsValid, stepProduct, stepProductColumns, sumBiases, timeOfStep,
  weightGradients,
} from "./sequence";
import { packedBBytes } from "../gemm/sgemm";
import { runTeam, setTaskWord, teamBarrier, teamSize, teamStart } from "../gemm/parallel";
import { LSTM_BACKWARD, LSTM_FORWARD } from "../threads/team";

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

// Forward scratch: W_hhᵀ packed (whole, or gate block by gate block for a split time loop) | b_ih + b_hh |
// GEMM scratch | (inference only) the gate pre-activations [T, B, 4H] and two slots [B, H] each of
// h and c that the steps alternate between (a split step reads every unit of h while its threads
// write their units of the next).
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
  off += align16(max(packedRecurrentWeightBytes(T, G, H), packedGateBlocksBytes(T, 4, H)));
  if (region == FW_BIAS) return off;
  off += align16(<u64>G * 4);
  if (region == FW_GEMM) return off;
  off += align16(forwardGemmWorkspaceBytes(T, B, I, H, G));
  if (region == FW_GATES) return off;
  off += align16(<u64>T * <u64>B * <u64>G * 4);
  if (region == FW_H) return off;
  off += align16(<u64>B * <u64>H * 8);
  if (region == FW_C) return off;
  return off + align16(<u64>B * <u64>H * 8);
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
  // Training keeps every state in its ws slot; inference alternates between two slots of h and c.
  const gates = train ? ws : work + <usize>forwardScratchRegion(FW_GATES, T, B, I, H);
  const tanhC = train ? ws + <usize>wsRegion(WS_TANHC, T, B, H) : 0;
  const hs = train ? ws + <usize>wsRegion(WS_HS, T, B, H) : work + <usize>forwardScratchRegion(FW_H, T, B, I, H);
  const cs = train ? ws + <usize>wsRegion(WS_CS, T, B, H) : work + <usize>forwardScratchRegion(FW_C, T, B, I, H);
  // State slots of h0 and hT (sequence.ts): 0 and T forwards, T and 0 in reverse.
  const firstSlot: i32 = reverse ? T : 0;
  const lastSlot: i32 = reverse ? 0 : T;
  const first = train ? <usize>firstSlot * stateBytes : 0;
  const last = train ? <usize>lastSlot * stateBytes : <usize>(T & 1) * stateBytes;
  copyOrZero(hs + first, h0, BH);
  copyOrZero(cs + first, c0, BH);

  if (T > 0 && BH > 0) {
    sumBiases(bias, bIh, bHh, G);
    const size = teamSize(simd, B, H, G, H);
    const packedAt = work + <usize>forwardScratchRegion(FW_PACKED, T, B, I, H);
    const packed = size > 1 ? packGateBlocks(T, 4, H, wHh, packedAt) : packRecurrentWeight(T, true, G, H, wHh, packedAt);
    // The input projection of all T steps at once; the biases are added in the fused pass.
    inputProjection(simd, T * B, G, I, x, wIh, gates, G, gemmWork);
    if (size > 1) {
      // The task block (threads/team.ts reads it back in this order).
      setTaskWord(0, LSTM_FORWARD); setTaskWord(1, T); setTaskWord(2, B); setTaskWord(3, H);
      setTaskWord(4, reverse ? 1 : 0); setTaskWord(5, lengths); setTaskWord(6, train ? 1 : 0); setTaskWord(7, gates);
      setTaskWord(8, tanhC); setTaskWord(9, hs); setTaskWord(10, cs); setTaskWord(11, bias);
      setTaskWord(12, packed); setTaskWord(13, wHh); setTaskWord(14, out); setTaskWord(15, ldo);
      runTeam(size, gemmWork);
    } else {
      lstmForwardLoop(simd, T, B, H, reverse, lengths, train, gates, tanhC, hs, cs, bias, packed, wHh, out, ldo, 0, 0, 1, gemmWork);
    }
  }
  if (hT != 0 && hT != hs + last) memory.copy(hT, hs + last, stateBytes);
  if (cT != 0 && cT != cs + last) memory.copy(cT, cs + last, stateBytes);
}

/**
 * Thread `thread`'s share of the forward time loop on a team of `size` (1: all of it, `packed` then
 * from `packRecurrentWeight`; more: from `packGateBlocks`, team control block `ctrl`): per step, the
 * four gate blocks' columns of its hidden units in h·W_hhᵀ, then those units' update, then the
 * team's one barrier of the step (the next product reads every unit of h).
 */
export function lstmForwardLoop(
  simd: bool, T: i32, B: i32, H: i32, reverse: bool, lengths: usize, train: bool,
  gates: usize, tanhC: usize, hs: usize, cs: usize, bias: usize, packed: usize, wHh: usize, out: usize, ldo: i32,
  ctrl: usize, thread: i32, size: i32, gemmWork: usize,
): void {
  const G = 4 * H;
  const stateBytes = <usize>(B * H) << 2;
  const j0 = size > 1 ? teamStart(thread, size, H) : 0;
  const j1 = size > 1 ? teamStart(thread + 1, size, H) : H;
  const blockBytes = packed != 0 ? packedBBytes(H, H) : 0;
  const anyUntil = maxLength(lengths, B, T);
  for (let s = 0; s < T; s++) {
    const t = timeOfStep(s, T, reverse);
    const before = train ? <usize>slotBefore(t, reverse) * stateBytes : <usize>(s & 1) * stateBytes;
    const after = train ? <usize>slotAfter(t, reverse) * stateBytes : <usize>((s + 1) & 1) * stateBytes;
    const gT = rowAt(gates, t * B, G);
    const anyValid = t < anyUntil;
    if (anyValid && size == 1) stepProduct(simd, B, G, H, hs + before, H, packed, true, wHh, 1, gT, G, gemmWork);
    else if (anyValid) {
      for (let q = 0; q < 4; q++) {
        const blockW = wHh + (<usize>q * <usize>H * <usize>H << 2);
        stepProductColumns(
          simd, B, j0, j1 - j0, H, hs + before, H, packed != 0 ? packed + <usize>q * blockBytes : 0, true, blockW, H,
          1, gT + (<usize>(q * H) << 2), G, gemmWork,
        );
      }
    }
    lstmForwardStep(
      simd, B, H, j0, j1, t, lengths, anyValid, gT, bias, hs + before, cs + before, hs + after, cs + after,
      train ? rowAt(tanhC, t * B, H) : 0, rowAt(out, t * B, ldo), ldo,
    );
    if (s + 1 < T) teamBarrier(ctrl, thread, size);
  }
}

/**
 * The fused pass of one step for hidden units j0 … j1 − 1 (j0 a multiple of 4): gate activations,
 * cell update and output for every element b.
 * `g` holds x·W_ihᵀ + h·W_hhᵀ (biases still to add); when `tanhC` ≠ 0 (training) the activated gates
 * overwrite it and tanh(c') is saved. Padding elements get a zero output row and carry their state.
 */
function lstmForwardStep(
  simd: bool, B: i32, H: i32, j0: i32, j1: i32, t: i32, lengths: usize, anyValid: bool, g: usize, bias: usize,
  hPrev: usize, cPrev: usize, hNext: usize, cNext: usize, tanhC: usize, out: usize, ldo: i32,
): void {
  const G = 4 * H;
  const rowBytes = <usize>H << 2;
  const h4 = simd ? H & ~3 : 0;
  const v1 = min(j1, h4);
  const s0 = max(j0, h4);
  const from = <usize>j0 << 2;
  const span = <usize>(j1 - j0) << 2;
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
      memory.fill(orow + from, 0, span);
      if (hn != hp) {
        memory.copy(hn + from, hp + from, span);
        memory.copy(cn + from, cp + from, span);
      }
      continue;
    }
    const tc = save ? rowAt(tanhC, b, H) : 0;
    for (let j = j0; j < v1; j += 4) {
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
    for (let j = s0; j < j1; j++) {
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
    const size = teamSize(simd, B, H, H, G);
    if (size > 1) {
      // The task block (threads/team.ts reads it back in this order).
      setTaskWord(0, LSTM_BACKWARD); setTaskWord(1, T); setTaskWord(2, B); setTaskWord(3, H);
      setTaskWord(4, reverse ? 1 : 0); setTaskWord(5, lengths); setTaskWord(6, gates); setTaskWord(7, tanhC);
      setTaskWord(8, cs); setTaskWord(9, dout); setTaskWord(10, lddo); setTaskWord(11, dh);
      setTaskWord(12, dc); setTaskWord(13, dG); setTaskWord(14, packed); setTaskWord(15, wHh);
      runTeam(size, gemmWork);
    } else {
      lstmBackwardLoop(simd, T, B, H, reverse, lengths, gates, tanhC, cs, dout, lddo, dh, dc, dG, packed, wHh, 0, 0, 1, gemmWork);
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
 * Thread `thread`'s share of the backward time loop on a team of `size` (1: all of it; more: team
 * control block `ctrl`): per step, the gate gradients of its hidden units (all of a unit's inputs are
 * its own: dh, dc and the saved gates), the team's one barrier of the step (dh_prev = dG_t·W_hh needs
 * every unit's dG_t), then its units' columns of dh_prev — which its next step reads, and no other thread.
 */
export function lstmBackwardLoop(
  simd: bool, T: i32, B: i32, H: i32, reverse: bool, lengths: usize, gates: usize, tanhC: usize, cs: usize,
  dout: usize, lddo: i32, dh: usize, dc: usize, dG: usize, packed: usize, wHh: usize,
  ctrl: usize, thread: i32, size: i32, gemmWork: usize,
): void {
  const G = 4 * H;
  const j0 = size > 1 ? teamStart(thread, size, H) : 0;
  const j1 = size > 1 ? teamStart(thread + 1, size, H) : H;
  const allUntil = minLength(lengths, B, T);
  const anyUntil = maxLength(lengths, B, T);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeOfStep(s, T, reverse);
    const allValid = t < allUntil;
    const anyValid = t < anyUntil;
    const dGt = rowAt(dG, t * B, G);
    lstmBackwardStep(
      simd, B, H, j0, j1, t, lengths, anyValid, !allValid,
      rowAt(gates, t * B, G), rowAt(tanhC, t * B, H), rowAt(cs, slotBefore(t, reverse) * B, H),
      dout != 0 ? rowAt(dout, t * B, lddo) : 0, lddo, dh, dc, dGt,
    );
    // dh_prev = dG_t·W_hh. Rows of padding elements have dG = 0 and keep their dh: then the
    // fused pass zeroed the valid rows of dh and the product accumulates (β = 1).
    if (!anyValid) continue;
    const beta: f32 = allValid ? 0 : 1;
    if (size == 1) stepProduct(simd, B, H, G, dGt, G, packed, false, wHh, beta, dh, H, gemmWork);
    else {
      teamBarrier(ctrl, thread, size);
      stepProductColumns(simd, B, j0, j1 - j0, G, dGt, G, packed, false, wHh, H, beta, dh, H, gemmWork);
    }
  }
}

/**
 * The fused pass of one backward step for hidden units j0 … j1 − 1 (j0 a multiple of 4) and every
 * element b, with δh = dh + dout_t:
 *   δc = dc + δh ⊙ o ⊙ (1 − tanh²c_t)      dc ← δc ⊙ f
 *   dG = [δc⊙g⊙i(1−i), δc⊙c_{t−1}⊙f(1−f), δc⊙i⊙(1−g²), δh⊙tanh c_t⊙o(1−o)]
 * Padding elements get dG = 0 and keep dh, dc. With `clearDh` the valid rows of dh are zeroed
 * for the accumulating product that follows.
 */
function lstmBackwardStep(
  simd: bool, B: i32, H: i32, j0: i32, j1: i32, t: i32, lengths: usize, anyValid: bool, clearDh: bool,
  gates: usize, tanhC: usize, cPrev: usize, dout: usize, lddo: i32, dh: usize, dc: usize, dG: usize,
): void {
  const G = 4 * H;
  const rowBytes = <usize>H << 2;
  const h4 = simd ? H & ~3 : 0;
  const bf = rowBytes;
  const bg = rowBytes * 2;
  const bo = rowBytes * 3;
  const v1 = min(j1, h4);
  const s0 = max(j0, h4);
  const from = <usize>j0 << 2;
  const span = <usize>(j1 - j0) << 2;
  for (let b = 0; b < B; b++) {
    const dgr = rowAt(dG, b, G);
    if (!anyValid || !stepIsValid(lengths, b, t)) {
      for (let q: usize = 0; q < 4; q++) memory.fill(dgr + q * rowBytes + from, 0, span);
      continue;
    }
    const gr = rowAt(gates, b, G);
    const tc = rowAt(tanhC, b, H);
    const cp = rowAt(cPrev, b, H);
    const dhr = rowAt(dh, b, H);
    const dcr = rowAt(dc, b, H);
    const dor = dout != 0 ? rowAt(dout, b, lddo) : 0;
    for (let j = j0; j < v1; j += 4) {
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
    for (let j = s0; j < j1; j++) {
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
