// Fused whole-sequence GRU: forward over all T steps and BPTT backward, in one call each.
//
// Gates r|z|n in PyTorch's order and shapes: W_ih (3H × I), W_hh (3H × H), b_ih, b_hh (3H).
//   r = σ(W_ir x + b_ir + W_hr h + b_hr)        z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   resetBefore = 0 (PyTorch):  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//   resetBefore = 1 (Cho 2014): n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
//   h′ = (1 − z) ⊙ n + z ⊙ h, computed as n + z ⊙ (h − n) like ATen.
//
// ws layout (float32, written by the forward, read by the backward; 5·T·B·H floats, every region
// indexed by TIME t, row (t, b) at t·B + b, so weight gradients are single GEMMs over T·B rows):
//   [0,        3·TBH)  gates  [T, B, 3H]  activated r | z | n
//   [3·TBH,    4·TBH)  hprev  [T, B, H]   state entering step t (held state on padding rows)
//   [4·TBH,    5·TBH)  extra  [T, B, H]   resetBefore = 0: W_hn h + b_hn;  = 1: r ⊙ h (0 on padding)
// The backward needs neither h0 nor the biases: ws holds everything they contribute.
//
// NOTE: the backward takes σ′ = r(1 − r) and tanh′ = 1 − n² from the SAVED activations, never
// from exp of a pre-activation, so saturated gates (|pre-activation| ≫ 10) give derivatives that are
// exactly 0 in float32, which is the right limit, and never inf/NaN.
// NOTE: the weight-gradient GEMMs run over padding rows too (with dG = 0 there), so padding rows
// of x must be finite: 0 · NaN would poison dW_ih.

import { add, lanes, ld, mul, sigmoid, splat, st, sub, tanh } from "../math/lanes";
import { packedBBytes, sgemmWorkspaceBytes } from "../gemm/sgemm";
import { gemm, runTeam, setTaskWord, teamBarrier, teamSize, teamStart } from "../gemm/parallel";
import {
  align16, backwardGemmWorkspaceBytes, clampBytes, copyOrZero, forwardGemmWorkspaceBytes, inputProjection,
  packedGateBlocksBytes, packedRecurrentWeightBytes, packGateBlocks, packRecurrentWeight, rowAt, sizesFit, stepIsValid,
  stepProduct, stepProductColumns, stepProductWorkspaceBytes, sumBiases, timeOfStep, weightGradients,
} from "./sequence";
import { GRU_BACKWARD, GRU_FORWARD } from "../threads/team";

// @ts-ignore: decorator
@inline
function f32s(n: i32): usize {
  return <usize>n << 2;
}

/** Bytes of ws: 5·T·B·H floats (layout above). */
export function gruWorkspaceBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 3) ? clampBytes(<u64>T * <u64>B * <u64>H * 20) : clampBytes(U64.MAX_VALUE);
}

/**
 * The recurrent weight packed for the per-step products (sequence.ts, packRecurrentWeight): all
 * 3H gate blocks at once (PyTorch form), or the r|z blocks and the n block apart (Cho form, whose
 * n product takes r ⊙ h instead of h). `trans`: packed as W_hhᵀ (forward) or W_hh (backward).
 * Returns the byte offset of the n block's packing within the region (Cho form).
 */
function packedNOffset(T: i32, H: i32, trans: bool): u64 {
  // A split forward packs W_hhᵀ gate block by gate block (sequence.ts, packGateBlocks).
  return align16(trans ? max(packedRecurrentWeightBytes(T, 2 * H, H), packedGateBlocksBytes(T, 2, H)) : packedRecurrentWeightBytes(T, H, 2 * H));
}

function packedBytes(T: i32, H: i32, trans: bool): u64 {
  const whole = align16(trans ? max(packedRecurrentWeightBytes(T, 3 * H, H), packedGateBlocksBytes(T, 3, H)) : packedRecurrentWeightBytes(T, H, 3 * H));
  return max(whole, packedNOffset(T, H, trans) + align16(packedRecurrentWeightBytes(T, H, H)));
}

// Forward scratch: packed W_hhᵀ | gi [T·B, 3H] (inference only: training projects into ws gates and
// activates in place) | h, two slots [B, H] that the steps alternate between | gh [B, 3H] | hprev, extra [B, H] each (inference stand-ins for
// the ws rows) | bias [4H] = b_ir+b_hr | b_iz+b_hz | b_in (+b_hn for Cho) | b_hn (PyTorch) | GEMM.
const FW_PACKED = 0;
const FW_GI = 1;
const FW_H = 2;
const FW_GH = 3;
const FW_HPREV = 4;
const FW_EXTRA = 5;
const FW_BIAS = 6;
const FW_GEMM = 7;
const FW_END = 8;

function forwardScratchRegion(region: i32, T: i32, B: i32, I: i32, H: i32): u64 {
  const state = align16(<u64>B * <u64>H * 4);
  let off: u64 = 0;
  if (region == FW_PACKED) return off;
  off += packedBytes(T, H, true);
  if (region == FW_GI) return off;
  off += align16(<u64>T * <u64>B * <u64>H * 12);
  if (region == FW_H) return off;
  off += 2 * state;
  if (region == FW_GH) return off;
  off += align16(<u64>B * <u64>H * 12);
  if (region == FW_HPREV) return off;
  off += state;
  if (region == FW_EXTRA) return off;
  off += state;
  if (region == FW_BIAS) return off;
  off += align16(<u64>H * 16);
  if (region == FW_GEMM) return off;
  // The Cho form's two step products are narrower than the PyTorch form's one.
  return off + align16(max(forwardGemmWorkspaceBytes(T, B, I, H, 3 * H), stepProductWorkspaceBytes(T, B, 2 * H, H)));
}

/** Bytes of `work` the forward needs (either form, either twin, training or inference). */
export function gruForwardScratchBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 3) ? clampBytes(forwardScratchRegion(FW_END, T, B, I, H)) : clampBytes(U64.MAX_VALUE);
}

// Backward scratch: packed W_hh | dG [T·B, 3H] (hidden side) | dâ_n [T·B, H] (input-side n part,
// PyTorch form only) | dh [B, H] | d(r⊙h) [B, H] | zeros [H] (a stand-in dout row) | column sums
// [3H] | GEMM.
const BW_PACKED = 0;
const BW_DG = 1;
const BW_DAN = 2;
const BW_DH = 3;
const BW_DRH = 4;
const BW_ZEROS = 5;
const BW_SUMS = 6;
const BW_GEMM = 7;
const BW_END = 8;

function backwardScratchRegion(region: i32, T: i32, B: i32, I: i32, H: i32): u64 {
  const M = <u64>T * <u64>B;
  const state = align16(<u64>B * <u64>H * 4);
  let off: u64 = 0;
  if (region == BW_PACKED) return off;
  off += packedBytes(T, H, false);
  if (region == BW_DG) return off;
  off += align16(M * <u64>H * 12);
  if (region == BW_DAN) return off;
  off += align16(M * <u64>H * 4);
  if (region == BW_DH) return off;
  off += state;
  if (region == BW_DRH) return off;
  off += state;
  if (region == BW_ZEROS) return off;
  off += align16(<u64>H * 4);
  if (region == BW_SUMS) return off;
  off += align16(<u64>H * 12);
  if (region == BW_GEMM) return off;
  // Besides the shared products: the Cho form's split step products and dW_hh blocks.
  let gemm = backwardGemmWorkspaceBytes(T, B, I, H, 3 * H);
  gemm = max(gemm, stepProductWorkspaceBytes(T, B, H, 2 * H));
  gemm = max(gemm, <u64>sgemmWorkspaceBytes(2 * H, H, T * B));
  return off + align16(gemm);
}

/** Bytes of `work` the backward needs (either form, either twin). */
export function gruBackwardScratchBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return sizesFit(T, B, I, H, 3) ? clampBytes(backwardScratchRegion(BW_END, T, B, I, H)) : clampBytes(U64.MAX_VALUE);
}

// ---------------------------------------------------------------------------------------------
// Fused elementwise passes, one column group (V = v128: four columns, f32: one) at byte offset o.
// @inline: each is the body of its row loop, instantiated once per lane type.

/** PyTorch form: gates, state update and the saved rows, from gi (in place) and gh = h·W_hhᵀ. */
// @ts-ignore: decorator
@inline
function forwardColumnPyTorch<V>(o: usize, h4: usize, g: usize, gh: usize, bias: usize,
  h: usize, hNext: usize, hprev: usize, extra: usize, out: usize): void {
  const r = sigmoid<V>(add<V>(add<V>(ld<V>(g + o), ld<V>(gh + o)), ld<V>(bias + o)));
  const z = sigmoid<V>(add<V>(add<V>(ld<V>(g + h4 + o), ld<V>(gh + h4 + o)), ld<V>(bias + h4 + o)));
  const ghn = add<V>(ld<V>(gh + h4 * 2 + o), ld<V>(bias + h4 * 3 + o));
  const n = tanh<V>(add<V>(add<V>(ld<V>(g + h4 * 2 + o), ld<V>(bias + h4 * 2 + o)), mul<V>(r, ghn)));
  const hp = ld<V>(h + o);
  const hn = add<V>(n, mul<V>(z, sub<V>(hp, n)));
  st<V>(g + o, r);
  st<V>(g + h4 + o, z);
  st<V>(g + h4 * 2 + o, n);
  st<V>(hprev + o, hp);
  st<V>(extra + o, ghn);
  st<V>(hNext + o, hn);
  st<V>(out + o, hn);
}

/** Cho form, first pass: r and z from the r|z part of h·W_hhᵀ, and r ⊙ h for the second GEMM. */
// @ts-ignore: decorator
@inline
function forwardColumnChoReset<V>(o: usize, h4: usize, g: usize, gh: usize, bias: usize, h: usize, rh: usize): void {
  const r = sigmoid<V>(add<V>(add<V>(ld<V>(g + o), ld<V>(gh + o)), ld<V>(bias + o)));
  const z = sigmoid<V>(add<V>(add<V>(ld<V>(g + h4 + o), ld<V>(gh + h4 + o)), ld<V>(bias + h4 + o)));
  st<V>(g + o, r);
  st<V>(g + h4 + o, z);
  st<V>(rh + o, mul<V>(r, ld<V>(h + o)));
}

/** Cho form, second pass: n from W_hn (r ⊙ h) and the state update. */
// @ts-ignore: decorator
@inline
function forwardColumnChoUpdate<V>(o: usize, h4: usize, g: usize, gh: usize, bias: usize,
  h: usize, hNext: usize, hprev: usize, out: usize): void {
  const n = tanh<V>(add<V>(add<V>(ld<V>(g + h4 * 2 + o), ld<V>(gh + h4 * 2 + o)), ld<V>(bias + h4 * 2 + o)));
  const z = ld<V>(g + h4 + o);
  const hp = ld<V>(h + o);
  const hn = add<V>(n, mul<V>(z, sub<V>(hp, n)));
  st<V>(g + h4 * 2 + o, n);
  st<V>(hprev + o, hp);
  st<V>(hNext + o, hn);
  st<V>(out + o, hn);
}

/**
 * PyTorch form, backward of one step: with dh′ = dh + dout,
 *   dn = dh′ ⊙ (1 − z), dz = dh′ ⊙ (h − n), dâ_n = dn ⊙ (1 − n²),
 *   dâ_r = dâ_n ⊙ (W_hn h + b_hn) ⊙ r(1 − r), dâ_z = dz ⊙ z(1 − z);
 * hidden side dG = [dâ_r, dâ_z, dâ_n ⊙ r], input side n part dâ_n; dh ← dh′ ⊙ z (the GEMM adds dG·W_hh).
 */
// @ts-ignore: decorator
@inline
function backwardColumnPyTorch<V>(o: usize, h4: usize, g: usize, hprev: usize, extra: usize,
  dout: usize, dh: usize, dg: usize, dan: usize): void {
  const one = splat<V>(1);
  const d = add<V>(ld<V>(dh + o), ld<V>(dout + o));
  const r = ld<V>(g + o);
  const z = ld<V>(g + h4 + o);
  const n = ld<V>(g + h4 * 2 + o);
  const dN = mul<V>(mul<V>(d, sub<V>(one, z)), sub<V>(one, mul<V>(n, n)));
  const dZ = mul<V>(mul<V>(d, sub<V>(ld<V>(hprev + o), n)), mul<V>(z, sub<V>(one, z)));
  const dR = mul<V>(mul<V>(dN, ld<V>(extra + o)), mul<V>(r, sub<V>(one, r)));
  st<V>(dg + o, dR);
  st<V>(dg + h4 + o, dZ);
  st<V>(dg + h4 * 2 + o, mul<V>(dN, r));
  st<V>(dan + o, dN);
  st<V>(dh + o, mul<V>(d, z));
}

/** Cho form, backward first pass: dâ_z, dâ_n (input and hidden side alike) and dh ← dh′ ⊙ z. */
// @ts-ignore: decorator
@inline
function backwardColumnChoUpdate<V>(o: usize, h4: usize, g: usize, hprev: usize, dout: usize, dh: usize, dg: usize): void {
  const one = splat<V>(1);
  const d = add<V>(ld<V>(dh + o), ld<V>(dout + o));
  const z = ld<V>(g + h4 + o);
  const n = ld<V>(g + h4 * 2 + o);
  st<V>(dg + h4 + o, mul<V>(mul<V>(d, sub<V>(ld<V>(hprev + o), n)), mul<V>(z, sub<V>(one, z))));
  st<V>(dg + h4 * 2 + o, mul<V>(mul<V>(d, sub<V>(one, z)), sub<V>(one, mul<V>(n, n))));
  st<V>(dh + o, mul<V>(d, z));
}

/** Cho form, second pass, with d(r⊙h) = dâ_n·W_hn: dâ_r = d(r⊙h) ⊙ h ⊙ r(1 − r), dh += d(r⊙h) ⊙ r. */
// @ts-ignore: decorator
@inline
function backwardColumnChoReset<V>(o: usize, g: usize, hprev: usize, drh: usize, dh: usize, dg: usize): void {
  const r = ld<V>(g + o);
  const d = ld<V>(drh + o);
  st<V>(dg + o, mul<V>(mul<V>(d, ld<V>(hprev + o)), mul<V>(r, sub<V>(splat<V>(1), r))));
  st<V>(dh + o, add<V>(ld<V>(dh + o), mul<V>(d, r)));
}

// Row drivers over hidden units j0 … j1 − 1 (a thread's share, threads/team.ts; j0 a multiple of
// 8, j1 one too or H): the SIMD body over groups of four columns, then the scalar tail (all of it in
// the scalar twin) — the groups and the tail of the whole row, whatever the share. H need not be a
// multiple of 4; unaligned v128 access is allowed.

function forwardRowPyTorch(simd: bool, H: i32, j0: i32, j1: i32, g: usize, gh: usize, bias: usize, h: usize, hNext: usize, hprev: usize, extra: usize, out: usize): void {
  const h4 = f32s(H);
  let j = j0;
  if (simd) for (; j + lanes<v128>() <= j1; j += lanes<v128>()) forwardColumnPyTorch<v128>(f32s(j), h4, g, gh, bias, h, hNext, hprev, extra, out);
  for (; j < j1; j++) forwardColumnPyTorch<f32>(f32s(j), h4, g, gh, bias, h, hNext, hprev, extra, out);
}

function forwardRowChoReset(simd: bool, H: i32, j0: i32, j1: i32, g: usize, gh: usize, bias: usize, h: usize, rh: usize): void {
  const h4 = f32s(H);
  let j = j0;
  if (simd) for (; j + lanes<v128>() <= j1; j += lanes<v128>()) forwardColumnChoReset<v128>(f32s(j), h4, g, gh, bias, h, rh);
  for (; j < j1; j++) forwardColumnChoReset<f32>(f32s(j), h4, g, gh, bias, h, rh);
}

function forwardRowChoUpdate(simd: bool, H: i32, j0: i32, j1: i32, g: usize, gh: usize, bias: usize, h: usize, hNext: usize, hprev: usize, out: usize): void {
  const h4 = f32s(H);
  let j = j0;
  if (simd) for (; j + lanes<v128>() <= j1; j += lanes<v128>()) forwardColumnChoUpdate<v128>(f32s(j), h4, g, gh, bias, h, hNext, hprev, out);
  for (; j < j1; j++) forwardColumnChoUpdate<f32>(f32s(j), h4, g, gh, bias, h, hNext, hprev, out);
}

function backwardRowPyTorch(simd: bool, H: i32, j0: i32, j1: i32, g: usize, hprev: usize, extra: usize, dout: usize, dh: usize, dg: usize, dan: usize): void {
  const h4 = f32s(H);
  let j = j0;
  if (simd) for (; j + lanes<v128>() <= j1; j += lanes<v128>()) backwardColumnPyTorch<v128>(f32s(j), h4, g, hprev, extra, dout, dh, dg, dan);
  for (; j < j1; j++) backwardColumnPyTorch<f32>(f32s(j), h4, g, hprev, extra, dout, dh, dg, dan);
}

function backwardRowChoUpdate(simd: bool, H: i32, j0: i32, j1: i32, g: usize, hprev: usize, dout: usize, dh: usize, dg: usize): void {
  const h4 = f32s(H);
  let j = j0;
  if (simd) for (; j + lanes<v128>() <= j1; j += lanes<v128>()) backwardColumnChoUpdate<v128>(f32s(j), h4, g, hprev, dout, dh, dg);
  for (; j < j1; j++) backwardColumnChoUpdate<f32>(f32s(j), h4, g, hprev, dout, dh, dg);
}

function backwardRowChoReset(simd: bool, j0: i32, j1: i32, g: usize, hprev: usize, drh: usize, dh: usize, dg: usize): void {
  let j = j0;
  if (simd) for (; j + lanes<v128>() <= j1; j += lanes<v128>()) backwardColumnChoReset<v128>(f32s(j), g, hprev, drh, dh, dg);
  for (; j < j1; j++) backwardColumnChoReset<f32>(f32s(j), g, hprev, drh, dh, dg);
}

/** A padding step of element b, units j0 … j1 − 1: output zero, state held (and saved as hprev), extra zero. */
function padRow(j0: i32, j1: i32, h: usize, hNext: usize, hprev: usize, extra: usize, out: usize): void {
  const from = f32s(j0);
  const span = f32s(j1 - j0);
  memory.copy(hprev + from, h + from, span);
  if (hNext != h) memory.copy(hNext + from, h + from, span);
  memory.fill(extra + from, 0, span);
  memory.fill(out + from, 0, span);
}

// ---------------------------------------------------------------------------------------------

/** The forward over the whole sequence (see the file header and exports-gru.ts for the ABI). */
export function gruForward(
  simd: bool, T: i32, B: i32, I: i32, H: i32, reverse: bool, resetBefore: bool,
  x: usize, wIh: usize, wHh: usize, bIh: usize, bHh: usize, lengths: usize, h0: usize,
  out: usize, ldo: i32, hT: usize, ws: usize, work: usize,
): void {
  const M = T * B;
  const h4 = f32s(H);
  const g4 = h4 * 3;
  const save = ws != 0;
  const h = work + <usize>forwardScratchRegion(FW_H, T, B, I, H);
  const gh = work + <usize>forwardScratchRegion(FW_GH, T, B, I, H);
  const bias = work + <usize>forwardScratchRegion(FW_BIAS, T, B, I, H);
  const gemmWork = work + <usize>forwardScratchRegion(FW_GEMM, T, B, I, H);
  const gi = save ? ws : work + <usize>forwardScratchRegion(FW_GI, T, B, I, H);
  const hprevWork = work + <usize>forwardScratchRegion(FW_HPREV, T, B, I, H);
  const extraWork = work + <usize>forwardScratchRegion(FW_EXTRA, T, B, I, H);
  const wsHprev = ws + <usize>M * g4;
  const wsExtra = wsHprev + <usize>M * h4;
  const wHn = wHh + <usize>H * 2 * h4; // the n block of W_hh

  // Both biases are added in the fused pass (no extra pass over gi); r and z need only their sum,
  // and so does n in the Cho form, where b_hn is added outside the reset product.
  const bIn = bIh != 0 ? bIh + h4 * 2 : 0;
  const bHn = bHh != 0 ? bHh + h4 * 2 : 0;
  sumBiases(bias, bIh, bHh, 2 * H);
  sumBiases(bias + h4 * 2, bIn, resetBefore ? bHn : 0, H);
  if (!resetBefore) sumBiases(bias + h4 * 3, 0, bHn, H);
  copyOrZero(h, h0, B * H); // slot 0: the state entering step 0
  if (M == 0) {
    if (hT != 0) memory.copy(hT, h, <usize>B * h4);
    return;
  }

  // The input projection of all T steps: one GEMM, gi = X·W_ihᵀ.
  inputProjection(simd, M, 3 * H, I, x, wIh, gi, 3 * H, gemmWork);
  const size = teamSize(simd, B, H, 3 * H, H);
  const packedAt = work + <usize>forwardScratchRegion(FW_PACKED, T, B, I, H);
  const blocks = resetBefore ? 2 : 3; // the blocks whose product takes h itself
  const packed = size > 1 ? packGateBlocks(T, blocks, H, wHh, packedAt) : packRecurrentWeight(T, true, blocks * H, H, wHh, packedAt);
  const packedN = resetBefore ? packRecurrentWeight(T, true, H, H, wHn, packedAt + <usize>packedNOffset(T, H, true)) : 0;
  const hprevBase = save ? wsHprev : hprevWork;
  const extraBase = save ? wsExtra : extraWork;
  if (size > 1) {
    // The task block (threads/team.ts reads it back in this order).
    setTaskWord(0, GRU_FORWARD); setTaskWord(1, T); setTaskWord(2, B); setTaskWord(3, H);
    setTaskWord(4, reverse ? 1 : 0); setTaskWord(5, lengths); setTaskWord(6, resetBefore ? 1 : 0); setTaskWord(7, save ? 1 : 0);
    setTaskWord(8, gi); setTaskWord(9, h); setTaskWord(10, gh); setTaskWord(11, bias);
    setTaskWord(12, hprevBase); setTaskWord(13, extraBase); setTaskWord(14, packed); setTaskWord(15, packedN);
    setTaskWord(16, wHh); setTaskWord(17, out); setTaskWord(18, ldo);
    runTeam(size, gemmWork);
  } else {
    gruForwardLoop(
      simd, T, B, H, reverse, lengths, resetBefore, save, gi, h, gh, bias, hprevBase, extraBase, packed, packedN, wHh, out, ldo,
      0, 0, 1, gemmWork,
    );
  }
  if (hT != 0) memory.copy(hT, h + <usize>(T & 1) * <usize>B * h4, <usize>B * h4);
}

/**
 * Thread `thread`'s share of the forward time loop on a team of `size` (1: all of it, `packed` then
 * from `packRecurrentWeight`; more: from `packGateBlocks`, team control block `ctrl`): per step its
 * hidden units' columns of every gate block of h·W_hhᵀ and their update, then the team's barrier
 * (the next product reads every unit of h). The Cho form has a second product, W_hn (r ⊙ h), that
 * reads every unit of r ⊙ h: one more barrier before it. The state alternates between two slots of
 * `h` (slot s & 1 enters step s), so a thread never writes what another's product still reads.
 */
export function gruForwardLoop(
  simd: bool, T: i32, B: i32, H: i32, reverse: bool, lengths: usize, resetBefore: bool, save: bool,
  gi: usize, h: usize, gh: usize, bias: usize, hprevBase: usize, extraBase: usize, packed: usize, packedN: usize,
  wHh: usize, out: usize, ldo: i32, ctrl: usize, thread: i32, size: i32, gemmWork: usize,
): void {
  const h4 = f32s(H);
  const stateBytes = <usize>B * h4;
  const j0 = size > 1 ? teamStart(thread, size, H) : 0;
  const j1 = size > 1 ? teamStart(thread + 1, size, H) : H;
  const nj = j1 - j0;
  const blockBytes = packed != 0 ? packedBBytes(H, H) : 0;
  const wHn = wHh + <usize>H * 2 * h4;
  for (let s = 0; s < T; s++) {
    const t = timeOfStep(s, T, reverse);
    const tB = t * B;
    const hIn = h + <usize>(s & 1) * stateBytes;
    const hOut = h + <usize>((s + 1) & 1) * stateBytes;
    // Saved rows go to ws by time index; inference overwrites one stand-in block every step.
    const hprevT = save ? rowAt(hprevBase, tB, H) : hprevBase;
    const extraT = save ? rowAt(extraBase, tB, H) : extraBase;
    // The product of the blocks that take h: r|z|n (PyTorch form) or r|z (Cho form).
    const blocks = resetBefore ? 2 : 3;
    if (size == 1) stepProduct(simd, B, blocks * H, H, hIn, H, packed, true, wHh, 0, gh, 3 * H, gemmWork);
    else {
      for (let q = 0; q < blocks; q++) {
        stepProductColumns(
          simd, B, j0, nj, H, hIn, H, packed != 0 ? packed + <usize>q * blockBytes : 0, true, wHh + <usize>q * <usize>H * h4, H,
          0, gh + <usize>q * h4, 3 * H, gemmWork,
        );
      }
    }
    if (!resetBefore) {
      for (let b = 0; b < B; b++) {
        const outRow = rowAt(out, tB + b, ldo);
        if (!stepIsValid(lengths, b, t)) {
          padRow(j0, j1, rowAt(hIn, b, H), rowAt(hOut, b, H), rowAt(hprevT, b, H), rowAt(extraT, b, H), outRow);
          continue;
        }
        forwardRowPyTorch(simd, H, j0, j1, rowAt(gi, tB + b, 3 * H), rowAt(gh, b, 3 * H), bias, rowAt(hIn, b, H), rowAt(hOut, b, H),
          rowAt(hprevT, b, H), rowAt(extraT, b, H), outRow);
      }
    } else {
      for (let b = 0; b < B; b++) {
        if (!stepIsValid(lengths, b, t)) {
          memory.fill(rowAt(extraT, b, H) + f32s(j0), 0, f32s(nj)); // finite rows for the GEMM and for dW_hn
          continue;
        }
        forwardRowChoReset(simd, H, j0, j1, rowAt(gi, tB + b, 3 * H), rowAt(gh, b, 3 * H), bias, rowAt(hIn, b, H), rowAt(extraT, b, H));
      }
      teamBarrier(ctrl, thread, size);
      if (size == 1) stepProduct(simd, B, H, H, extraT, H, packedN, true, wHn, 0, gh + h4 * 2, 3 * H, gemmWork);
      else stepProductColumns(simd, B, j0, nj, H, extraT, H, packedN, true, wHn, H, 0, gh + h4 * 2, 3 * H, gemmWork);
      for (let b = 0; b < B; b++) {
        const outRow = rowAt(out, tB + b, ldo);
        if (!stepIsValid(lengths, b, t)) {
          padRow(j0, j1, rowAt(hIn, b, H), rowAt(hOut, b, H), rowAt(hprevT, b, H), rowAt(extraT, b, H), outRow);
          continue;
        }
        forwardRowChoUpdate(simd, H, j0, j1, rowAt(gi, tB + b, 3 * H), rowAt(gh, b, 3 * H), bias, rowAt(hIn, b, H), rowAt(hOut, b, H),
          rowAt(hprevT, b, H), outRow);
      }
    }
    if (s + 1 < T) teamBarrier(ctrl, thread, size);
  }
}

/**
 * The BPTT backward over the whole sequence (see the file header and exports-gru.ts for the ABI).
 * dx and dh0 are overwritten; dW_ih, dW_hh, db_ih, db_hh are accumulated (+=); any of them 0 = not
 * wanted.
 */
export function gruBackward(
  simd: bool, T: i32, B: i32, I: i32, H: i32, reverse: bool, resetBefore: bool,
  x: usize, wIh: usize, wHh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize, dx: usize, dh0: usize,
  dwIh: usize, dwHh: usize, dbIh: usize, dbHh: usize, work: usize,
): void {
  const M = T * B;
  const h4 = f32s(H);
  const g4 = h4 * 3;
  const dG = work + <usize>backwardScratchRegion(BW_DG, T, B, I, H);
  const dAn = work + <usize>backwardScratchRegion(BW_DAN, T, B, I, H);
  const dh = work + <usize>backwardScratchRegion(BW_DH, T, B, I, H);
  const dRh = work + <usize>backwardScratchRegion(BW_DRH, T, B, I, H);
  const zeros = work + <usize>backwardScratchRegion(BW_ZEROS, T, B, I, H);
  const sums = work + <usize>backwardScratchRegion(BW_SUMS, T, B, I, H);
  const gemmWork = work + <usize>backwardScratchRegion(BW_GEMM, T, B, I, H);
  const gates = ws;
  const hprev = ws + <usize>M * g4;
  const extra = hprev + <usize>M * h4;
  const wHn = wHh + <usize>H * 2 * h4;

  copyOrZero(dh, dhT, B * H);
  if (M == 0) {
    if (dh0 != 0) memory.copy(dh0, dh, <usize>B * h4);
    return;
  }
  memory.fill(zeros, 0, h4);
  const packedAt = work + <usize>backwardScratchRegion(BW_PACKED, T, B, I, H);
  const packed = resetBefore
    ? packRecurrentWeight(T, false, H, 2 * H, wHh, packedAt)
    : packRecurrentWeight(T, false, H, 3 * H, wHh, packedAt);
  const packedN = resetBefore ? packRecurrentWeight(T, false, H, H, wHn, packedAt + <usize>packedNOffset(T, H, false)) : 0;

  const size = teamSize(simd, B, H, H, 3 * H);
  if (size > 1) {
    // The task block (threads/team.ts reads it back in this order).
    setTaskWord(0, GRU_BACKWARD); setTaskWord(1, T); setTaskWord(2, B); setTaskWord(3, H);
    setTaskWord(4, reverse ? 1 : 0); setTaskWord(5, lengths); setTaskWord(6, resetBefore ? 1 : 0); setTaskWord(7, gates);
    setTaskWord(8, hprev); setTaskWord(9, extra); setTaskWord(10, dout); setTaskWord(11, lddo);
    setTaskWord(12, dh); setTaskWord(13, dG); setTaskWord(14, dAn); setTaskWord(15, dRh);
    setTaskWord(16, zeros); setTaskWord(17, packed); setTaskWord(18, packedN); setTaskWord(19, wHh);
    runTeam(size, gemmWork);
  } else {
    gruBackwardLoop(
      simd, T, B, H, reverse, lengths, resetBefore, gates, hprev, extra, dout, lddo, dh, dG, dAn, dRh, zeros, packed, packedN, wHh,
      0, 0, 1, gemmWork,
    );
  }
  if (dh0 != 0) memory.copy(dh0, dh, <usize>B * h4);

  if (!resetBefore) {
    // Hidden side first (dG holds [dâ_r, dâ_z, dâ_n ⊙ r]), then the input side, whose n block is
    // dâ_n itself: it replaces the hidden one in dG so that one shared pass does dx, dW_ih, db_ih.
    weightGradients(simd, M, I, H, 3 * H, dG, x, wIh, hprev, 0, 0, dwHh, 0, dbHh, sums, gemmWork);
    if (dx == 0 && dwIh == 0 && dbIh == 0) return;
    for (let row = 0; row < M; row++) memory.copy(rowAt(dG, row, 3 * H) + h4 * 2, rowAt(dAn, row, H), h4);
    weightGradients(simd, M, I, H, 3 * H, dG, x, wIh, 0, dx, dwIh, 0, dbIh, 0, sums, gemmWork);
  } else {
    // Both sides share dG = [dâ_r, dâ_z, dâ_n]; only dW_hh's n block multiplies r ⊙ h (saved as extra).
    weightGradients(simd, M, I, H, 3 * H, dG, x, wIh, 0, dx, dwIh, 0, dbIh, dbHh, sums, gemmWork);
    if (dwHh != 0) {
      gemm(simd, true, false, 2 * H, H, M, 1, dG, 3 * H, hprev, H, 1, dwHh, H, gemmWork);
      gemm(simd, true, false, H, H, M, 1, dG + h4 * 2, 3 * H, extra, H, 1, dwHh + <usize>H * 2 * h4, H, gemmWork);
    }
  }
}

/**
 * Thread `thread`'s share of the backward time loop on a team of `size` (1: all of it): per step the
 * gate gradients of its hidden units (from their own dh and saved rows), the team's barrier (the
 * product dh_prev += dG_t·W_hh needs every unit's dG_t), then its units' columns of dh_prev, which
 * only its own next step reads. The Cho form's d(r ⊙ h) = dâ_n·W_hn product sits between two passes:
 * one more barrier per step.
 */
export function gruBackwardLoop(
  simd: bool, T: i32, B: i32, H: i32, reverse: bool, lengths: usize, resetBefore: bool,
  gates: usize, hprev: usize, extra: usize, dout: usize, lddo: i32, dh: usize, dG: usize, dAn: usize, dRh: usize,
  zeros: usize, packed: usize, packedN: usize, wHh: usize, ctrl: usize, thread: i32, size: i32, gemmWork: usize,
): void {
  const h4 = f32s(H);
  const j0 = size > 1 ? teamStart(thread, size, H) : 0;
  const j1 = size > 1 ? teamStart(thread + 1, size, H) : H;
  const nj = j1 - j0;
  const from = f32s(j0);
  const span = f32s(nj);
  const wHn = wHh + <usize>H * 2 * h4;
  for (let s = T - 1; s >= 0; s--) {
    const t = timeOfStep(s, T, reverse);
    const tB = t * B;
    const dGt = rowAt(dG, tB, 3 * H);
    if (!resetBefore) {
      for (let b = 0; b < B; b++) {
        const row = tB + b;
        // Padding: dG = 0 (the GEMMs then add nothing) and dh passes through unchanged.
        if (!stepIsValid(lengths, b, t)) {
          for (let q: usize = 0; q < 3; q++) memory.fill(rowAt(dG, row, 3 * H) + q * h4 + from, 0, span);
          memory.fill(rowAt(dAn, row, H) + from, 0, span);
          continue;
        }
        backwardRowPyTorch(simd, H, j0, j1, rowAt(gates, row, 3 * H), rowAt(hprev, row, H), rowAt(extra, row, H),
          dout != 0 ? rowAt(dout, row, lddo) : zeros, rowAt(dh, b, H), rowAt(dG, row, 3 * H), rowAt(dAn, row, H));
      }
      if (size == 1) stepProduct(simd, B, H, 3 * H, dGt, 3 * H, packed, false, wHh, 1, dh, H, gemmWork);
      else {
        teamBarrier(ctrl, thread, size);
        stepProductColumns(simd, B, j0, nj, 3 * H, dGt, 3 * H, packed, false, wHh, H, 1, dh, H, gemmWork);
      }
    } else {
      for (let b = 0; b < B; b++) {
        const row = tB + b;
        if (!stepIsValid(lengths, b, t)) {
          for (let q: usize = 0; q < 3; q++) memory.fill(rowAt(dG, row, 3 * H) + q * h4 + from, 0, span);
          continue;
        }
        backwardRowChoUpdate(simd, H, j0, j1, rowAt(gates, row, 3 * H), rowAt(hprev, row, H),
          dout != 0 ? rowAt(dout, row, lddo) : zeros, rowAt(dh, b, H), rowAt(dG, row, 3 * H));
      }
      if (size == 1) stepProduct(simd, B, H, H, dGt + h4 * 2, 3 * H, packedN, false, wHn, 0, dRh, H, gemmWork);
      else {
        teamBarrier(ctrl, thread, size);
        stepProductColumns(simd, B, j0, nj, H, dGt + h4 * 2, 3 * H, packedN, false, wHn, H, 0, dRh, H, gemmWork);
      }
      for (let b = 0; b < B; b++) {
        const row = tB + b;
        if (!stepIsValid(lengths, b, t)) continue;
        backwardRowChoReset(simd, j0, j1, rowAt(gates, row, 3 * H), rowAt(hprev, row, H), rowAt(dRh, b, H), rowAt(dh, b, H), rowAt(dG, row, 3 * H));
      }
      if (size == 1) stepProduct(simd, B, H, 2 * H, dGt, 3 * H, packed, false, wHh, 1, dh, H, gemmWork);
      else {
        teamBarrier(ctrl, thread, size);
        stepProductColumns(simd, B, j0, nj, 2 * H, dGt, 3 * H, packed, false, wHh, H, 1, dh, H, gemmWork);
      }
    }
  }
}
