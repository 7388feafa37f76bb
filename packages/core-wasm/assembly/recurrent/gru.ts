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

import { timeOfStep, isValidStep } from "./gru-sequence-helpers";
import { lanes, ld, st, splat, add, sub, mul, sigmoid, tanh } from "./gru-lanes";
import { packB, packedBBytes, sgemm, sgemmPackedB, sgemmPackedBWorkspaceBytes, sgemmWorkspaceBytes } from "../gemm/sgemm";

// @ts-ignore: decorator
@inline
function align64(bytes: usize): usize {
  return (bytes + 63) & ~(<usize>63);
}

// @ts-ignore: decorator
@inline
function maxU(a: usize, b: usize): usize {
  return a > b ? a : b;
}

// @ts-ignore: decorator
@inline
function f32s(n: i32): usize {
  return <usize>n << 2;
}

/** Bytes of ws: 5·T·B·H floats (layout above). */
export function gruWorkspaceBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return <usize>T * <usize>B * <usize>H * 20;
}

/** W_hhᵀ packed for the forward: all 3H columns (PyTorch form) or r|z and n apart (Cho form). */
function forwardPackBytes(H: i32): usize {
  return maxU(align64(packedBBytes(3 * H, H)), align64(packedBBytes(2 * H, H)) + align64(packedBBytes(H, H)));
}

/** W_hh packed for the backward's dG·W_hh: all 3H rows, or the r|z rows and the n rows apart. */
function backwardPackBytes(H: i32): usize {
  return maxU(align64(packedBBytes(H, 3 * H)), align64(packedBBytes(H, 2 * H)) + align64(packedBBytes(H, H)));
}

function forwardGemmBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return align64(maxU(sgemmWorkspaceBytes(T * B, 3 * H, I), sgemmPackedBWorkspaceBytes(B, H)));
}

function backwardGemmBytes(T: i32, B: i32, I: i32, H: i32): usize {
  const M = T * B;
  let w = sgemmPackedBWorkspaceBytes(B, 3 * H);
  w = maxU(w, sgemmPackedBWorkspaceBytes(B, 2 * H));
  w = maxU(w, sgemmPackedBWorkspaceBytes(B, H));
  w = maxU(w, sgemmWorkspaceBytes(M, I, 2 * H)); // dX
  w = maxU(w, sgemmWorkspaceBytes(M, I, H));
  w = maxU(w, sgemmWorkspaceBytes(2 * H, I, M)); // dW_ih
  w = maxU(w, sgemmWorkspaceBytes(H, I, M));
  w = maxU(w, sgemmWorkspaceBytes(3 * H, H, M)); // dW_hh
  w = maxU(w, sgemmWorkspaceBytes(2 * H, H, M));
  w = maxU(w, sgemmWorkspaceBytes(H, H, M));
  return align64(w);
}

// Forward scratch: packed W_hh | gi [T·B, 3H] (inference only: training projects into ws gates and
// activates in place) | h [B, H] | gh [B, 3H] | hprev, extra [B, H] each (inference stand-ins for
// the ws rows) | bias [4H] = b_ir+b_hr | b_iz+b_hz | b_in (+b_hn for Cho) | b_hn (0 for Cho) | GEMM.

/** Bytes of `work` the forward needs. */
export function gruForwardScratchBytes(T: i32, B: i32, I: i32, H: i32): usize {
  return forwardPackBytes(H) + align64(<usize>T * <usize>B * f32s(3 * H)) + align64(f32s(B * H))
    + align64(f32s(3 * B * H)) + <usize>2 * align64(f32s(B * H)) + align64(f32s(4 * H)) + forwardGemmBytes(T, B, I, H);
}

// Backward scratch: packed W_hh | dG [T·B, 3H] (hidden side) | dAn [T·B, H] (input-side n part,
// PyTorch form only) | dh [B, H] | d(r⊙h) [B, H] | zeros [H] | column sums [4H] | GEMM.

/** Bytes of `work` the backward needs. */
export function gruBackwardScratchBytes(T: i32, B: i32, I: i32, H: i32): usize {
  const M = <usize>T * <usize>B;
  return backwardPackBytes(H) + align64(M * f32s(3 * H)) + align64(M * f32s(H)) + <usize>2 * align64(f32s(B * H))
    + align64(f32s(H)) + align64(f32s(4 * H)) + backwardGemmBytes(T, B, I, H);
}

// ---------------------------------------------------------------------------------------------
// Fused elementwise passes, one column group (V = v128: four columns, f32: one) at byte offset o.
// @inline: each is the body of its row loop, instantiated once per lane type.

/** PyTorch form: gates, state update and the saved rows, from gi (in place) and gh = h·W_hhᵀ. */
// @ts-ignore: decorator
@inline
function forwardColumnPyTorch<V>(o: usize, h4: usize, g: usize, gh: usize, bias: usize,
  h: usize, hprev: usize, extra: usize, out: usize): void {
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
  st<V>(h + o, hn);
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
  h: usize, hprev: usize, out: usize): void {
  const n = tanh<V>(add<V>(add<V>(ld<V>(g + h4 * 2 + o), ld<V>(gh + h4 * 2 + o)), ld<V>(bias + h4 * 2 + o)));
  const z = ld<V>(g + h4 + o);
  const hp = ld<V>(h + o);
  const hn = add<V>(n, mul<V>(z, sub<V>(hp, n)));
  st<V>(g + h4 * 2 + o, n);
  st<V>(hprev + o, hp);
  st<V>(h + o, hn);
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

/** acc[j] += a[j] for j < n: the bias-gradient column sums. */
// @ts-ignore: decorator
@inline
function addColumn<V>(o: usize, acc: usize, a: usize): void {
  st<V>(acc + o, add<V>(ld<V>(acc + o), ld<V>(a + o)));
}

// Row drivers: the SIMD body over groups of four columns, then the scalar tail (all of the row
// in the scalar twin). H need not be a multiple of 4; unaligned v128 access is allowed.

function forwardRowPyTorch(simd: bool, H: i32, g: usize, gh: usize, bias: usize, h: usize, hprev: usize, extra: usize, out: usize): void {
  const h4 = f32s(H);
  let j = 0;
  if (simd) for (; j + lanes<v128>() <= H; j += lanes<v128>()) forwardColumnPyTorch<v128>(f32s(j), h4, g, gh, bias, h, hprev, extra, out);
  for (; j < H; j++) forwardColumnPyTorch<f32>(f32s(j), h4, g, gh, bias, h, hprev, extra, out);
}

function forwardRowChoReset(simd: bool, H: i32, g: usize, gh: usize, bias: usize, h: usize, rh: usize): void {
  const h4 = f32s(H);
  let j = 0;
  if (simd) for (; j + lanes<v128>() <= H; j += lanes<v128>()) forwardColumnChoReset<v128>(f32s(j), h4, g, gh, bias, h, rh);
  for (; j < H; j++) forwardColumnChoReset<f32>(f32s(j), h4, g, gh, bias, h, rh);
}

function forwardRowChoUpdate(simd: bool, H: i32, g: usize, gh: usize, bias: usize, h: usize, hprev: usize, out: usize): void {
  const h4 = f32s(H);
  let j = 0;
  if (simd) for (; j + lanes<v128>() <= H; j += lanes<v128>()) forwardColumnChoUpdate<v128>(f32s(j), h4, g, gh, bias, h, hprev, out);
  for (; j < H; j++) forwardColumnChoUpdate<f32>(f32s(j), h4, g, gh, bias, h, hprev, out);
}

function backwardRowPyTorch(simd: bool, H: i32, g: usize, hprev: usize, extra: usize, dout: usize, dh: usize, dg: usize, dan: usize): void {
  const h4 = f32s(H);
  let j = 0;
  if (simd) for (; j + lanes<v128>() <= H; j += lanes<v128>()) backwardColumnPyTorch<v128>(f32s(j), h4, g, hprev, extra, dout, dh, dg, dan);
  for (; j < H; j++) backwardColumnPyTorch<f32>(f32s(j), h4, g, hprev, extra, dout, dh, dg, dan);
}

function backwardRowChoUpdate(simd: bool, H: i32, g: usize, hprev: usize, dout: usize, dh: usize, dg: usize): void {
  const h4 = f32s(H);
  let j = 0;
  if (simd) for (; j + lanes<v128>() <= H; j += lanes<v128>()) backwardColumnChoUpdate<v128>(f32s(j), h4, g, hprev, dout, dh, dg);
  for (; j < H; j++) backwardColumnChoUpdate<f32>(f32s(j), h4, g, hprev, dout, dh, dg);
}

function backwardRowChoReset(simd: bool, H: i32, g: usize, hprev: usize, drh: usize, dh: usize, dg: usize): void {
  let j = 0;
  if (simd) for (; j + lanes<v128>() <= H; j += lanes<v128>()) backwardColumnChoReset<v128>(f32s(j), g, hprev, drh, dh, dg);
  for (; j < H; j++) backwardColumnChoReset<f32>(f32s(j), g, hprev, drh, dh, dg);
}

/** acc[0..n) += Σ_i a[i·lda + ·] over m rows (acc is small and stays in L1). */
function addColumnSums(simd: bool, m: i32, n: i32, a: usize, lda: i32, acc: usize): void {
  for (let i = 0; i < m; i++) {
    const row = a + f32s(i) * <usize>lda;
    let j = 0;
    if (simd) for (; j + lanes<v128>() <= n; j += lanes<v128>()) addColumn<v128>(f32s(j), acc, row);
    for (; j < n; j++) addColumn<f32>(f32s(j), acc, row);
  }
}

/** dst[0..n) += src[0..n). */
function addVector(simd: bool, n: i32, src: usize, dst: usize): void {
  let j = 0;
  if (simd) for (; j + lanes<v128>() <= n; j += lanes<v128>()) addColumn<v128>(f32s(j), dst, src);
  for (; j < n; j++) addColumn<f32>(f32s(j), dst, src);
}

/** A padding step of element b: output row zero, state held (saved as hprev), extra row zero. */
function padRow(H: i32, h: usize, hprev: usize, extra: usize, out: usize): void {
  memory.copy(hprev, h, f32s(H));
  memory.fill(extra, 0, f32s(H));
  memory.fill(out, 0, f32s(H));
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

  let p = work;
  const packed = p; p += forwardPackBytes(H);
  const packedN = packed + align64(packedBBytes(2 * H, H)); // Cho form: W_hnᵀ after W_{hr|hz}ᵀ
  const giWork = p; p += align64(<usize>M * g4);
  const h = p; p += align64(<usize>B * h4);
  const gh = p; p += align64(<usize>B * g4);
  const hprevWork = p; p += align64(<usize>B * h4);
  const extraWork = p; p += align64(<usize>B * h4);
  const bias = p; p += align64(h4 * 4);
  const gemmWork = p;

  const gi = save ? ws : giWork;
  const wsHprev = ws + <usize>M * g4;
  const wsExtra = wsHprev + <usize>M * h4;

  // Both biases are added in the fused pass (no extra pass over gi); r and z need only their sum.
  memory.fill(bias, 0, h4 * 4);
  if (bIh != 0) memory.copy(bias, bIh, g4);
  if (bHh != 0) {
    addVector(simd, 2 * H, bHh, bias);
    if (resetBefore) addVector(simd, H, bHh + h4 * 2, bias + h4 * 2);
    else memory.copy(bias + h4 * 3, bHh + h4 * 2, h4);
  }
  if (h0 != 0) memory.copy(h, h0, <usize>B * h4);
  else memory.fill(h, 0, <usize>B * h4);

  if (M > 0) {
    // The input projection of all T steps: one GEMM, gi = X·W_ihᵀ.
    sgemm(simd, false, true, M, 3 * H, I, 1, x, I, wIh, I, 0, gi, 3 * H, gemmWork);
    if (resetBefore) {
      packB(true, 2 * H, H, wHh, H, packed);
      packB(true, H, H, wHh + <usize>H * 2 * h4, H, packedN);
    } else {
      packB(true, 3 * H, H, wHh, H, packed);
    }
  }

  for (let s = 0; s < T; s++) {
    const t = timeOfStep(s, T, reverse);
    const tB = <usize>t * <usize>B;
    // Saved rows go to ws by time index; inference overwrites one stand-in block every step.
    const hprevT = save ? wsHprev + tB * h4 : hprevWork;
    const extraT = save ? wsExtra + tB * h4 : extraWork;
    if (!resetBefore) {
      sgemmPackedB(simd, false, B, 3 * H, H, 1, h, H, packed, 0, gh, 3 * H, gemmWork);
      for (let b = 0; b < B; b++) {
        const row = tB + <usize>b;
        const outRow = out + row * f32s(ldo);
        const hRow = h + <usize>b * h4;
        if (!isValidStep(lengths, b, t)) {
          padRow(H, hRow, hprevT + <usize>b * h4, extraT + <usize>b * h4, outRow);
          continue;
        }
        forwardRowPyTorch(simd, H, gi + row * g4, gh + <usize>b * g4, bias, hRow,
          hprevT + <usize>b * h4, extraT + <usize>b * h4, outRow);
      }
    } else {
      sgemmPackedB(simd, false, B, 2 * H, H, 1, h, H, packed, 0, gh, 3 * H, gemmWork);
      for (let b = 0; b < B; b++) {
        const row = tB + <usize>b;
        if (!isValidStep(lengths, b, t)) {
          memory.fill(extraT + <usize>b * h4, 0, h4); // finite rows for the GEMM and for dW_hn
          continue;
        }
        forwardRowChoReset(simd, H, gi + row * g4, gh + <usize>b * g4, bias, h + <usize>b * h4, extraT + <usize>b * h4);
      }
      sgemmPackedB(simd, false, B, H, H, 1, extraT, H, packedN, 0, gh + h4 * 2, 3 * H, gemmWork);
      for (let b = 0; b < B; b++) {
        const row = tB + <usize>b;
        const outRow = out + row * f32s(ldo);
        const hRow = h + <usize>b * h4;
        if (!isValidStep(lengths, b, t)) {
          padRow(H, hRow, hprevT + <usize>b * h4, extraT + <usize>b * h4, outRow);
          continue;
        }
        forwardRowChoUpdate(simd, H, gi + row * g4, gh + <usize>b * g4, bias, hRow, hprevT + <usize>b * h4, outRow);
      }
    }
  }
  if (hT != 0) memory.copy(hT, h, <usize>B * h4);
}

/** The BPTT backward over the whole sequence (see the file header and exports-gru.ts for the ABI). */
export function gruBackward(
  simd: bool, T: i32, B: i32, I: i32, H: i32, reverse: bool, resetBefore: bool,
  x: usize, wIh: usize, wHh: usize, lengths: usize, ws: usize,
  dout: usize, lddo: i32, dhT: usize, dx: usize, dh0: usize,
  dWih: usize, dWhh: usize, dbIh: usize, dbHh: usize, work: usize,
): void {
  const M = T * B;
  const h4 = f32s(H);
  const g4 = h4 * 3;

  let p = work;
  const packed = p; p += backwardPackBytes(H);
  const packedN = packed + align64(packedBBytes(H, 2 * H)); // Cho form: W_hn after W_{hr|hz}
  const dG = p; p += align64(<usize>M * g4);
  const dAn = p; p += align64(<usize>M * h4);
  const dh = p; p += align64(<usize>B * h4);
  const dRh = p; p += align64(<usize>B * h4);
  const zeros = p; p += align64(h4);
  const sums = p; p += align64(h4 * 4);
  const gemmWork = p;

  const gates = ws;
  const hprev = ws + <usize>M * g4;
  const extra = hprev + <usize>M * h4;

  if (dhT != 0) memory.copy(dh, dhT, <usize>B * h4);
  else memory.fill(dh, 0, <usize>B * h4);
  memory.fill(zeros, 0, h4);
  if (M > 0) {
    if (resetBefore) {
      packB(false, H, 2 * H, wHh, H, packed);
      packB(false, H, H, wHh + <usize>H * 2 * h4, H, packedN);
    } else {
      packB(false, H, 3 * H, wHh, H, packed);
    }
  }

  for (let s = T - 1; s >= 0; s--) {
    const t = timeOfStep(s, T, reverse);
    const tB = <usize>t * <usize>B;
    const dGt = dG + tB * g4;
    if (!resetBefore) {
      for (let b = 0; b < B; b++) {
        const row = tB + <usize>b;
        // Padding: dG = 0 (the GEMMs then add nothing) and dh passes through unchanged.
        if (!isValidStep(lengths, b, t)) {
          memory.fill(dG + row * g4, 0, g4);
          memory.fill(dAn + row * h4, 0, h4);
          continue;
        }
        backwardRowPyTorch(simd, H, gates + row * g4, hprev + row * h4, extra + row * h4,
          dout != 0 ? dout + row * f32s(lddo) : zeros, dh + <usize>b * h4, dG + row * g4, dAn + row * h4);
      }
      sgemmPackedB(simd, false, B, H, 3 * H, 1, dGt, 3 * H, packed, 1, dh, H, gemmWork);
    } else {
      for (let b = 0; b < B; b++) {
        const row = tB + <usize>b;
        if (!isValidStep(lengths, b, t)) {
          memory.fill(dG + row * g4, 0, g4);
          continue;
        }
        backwardRowChoUpdate(simd, H, gates + row * g4, hprev + row * h4,
          dout != 0 ? dout + row * f32s(lddo) : zeros, dh + <usize>b * h4, dG + row * g4);
      }
      sgemmPackedB(simd, false, B, H, H, 1, dGt + h4 * 2, 3 * H, packedN, 0, dRh, H, gemmWork);
      for (let b = 0; b < B; b++) {
        const row = tB + <usize>b;
        if (!isValidStep(lengths, b, t)) continue;
        backwardRowChoReset(simd, H, gates + row * g4, hprev + row * h4, dRh + <usize>b * h4, dh + <usize>b * h4, dG + row * g4);
      }
      sgemmPackedB(simd, false, B, H, 2 * H, 1, dGt, 3 * H, packed, 1, dh, H, gemmWork);
    }
  }
  if (dh0 != 0) memory.copy(dh0, dh, <usize>B * h4);
  if (M == 0) return;

  // Input-side gradient of the n pre-activation: dâ_n (PyTorch form: its own array, since the
  // hidden side got dâ_n ⊙ r) or the n block of dG (Cho form: both sides alike).
  const dGiN = resetBefore ? dG + h4 * 2 : dAn;
  const ldN = resetBefore ? 3 * H : H;
  const wIhN = wIh + <usize>H * 2 * f32s(I);
  if (dx != 0) {
    sgemm(simd, false, false, M, I, 2 * H, 1, dG, 3 * H, wIh, I, 0, dx, I, gemmWork);
    sgemm(simd, false, false, M, I, H, 1, dGiN, ldN, wIhN, I, 1, dx, I, gemmWork);
  }
  sgemm(simd, true, false, 2 * H, I, M, 1, dG, 3 * H, x, I, 1, dWih, I, gemmWork);
  sgemm(simd, true, false, H, I, M, 1, dGiN, ldN, x, I, 1, dWih + <usize>H * 2 * f32s(I), I, gemmWork);
  if (resetBefore) {
    sgemm(simd, true, false, 2 * H, H, M, 1, dG, 3 * H, hprev, H, 1, dWhh, H, gemmWork);
    sgemm(simd, true, false, H, H, M, 1, dG + h4 * 2, 3 * H, extra, H, 1, dWhh + <usize>H * 2 * h4, H, gemmWork);
  } else {
    sgemm(simd, true, false, 3 * H, H, M, 1, dG, 3 * H, hprev, H, 1, dWhh, H, gemmWork);
  }
  if (dbIh != 0 || dbHh != 0) {
    memory.fill(sums, 0, h4 * 4);
    addColumnSums(simd, M, 3 * H, dG, 3 * H, sums);
    if (!resetBefore) addColumnSums(simd, M, H, dAn, H, sums + g4);
    if (dbHh != 0) addVector(simd, 3 * H, sums, dbHh);
    if (dbIh != 0) {
      addVector(simd, 2 * H, sums, dbIh);
      addVector(simd, H, resetBefore ? sums + h4 * 2 : sums + g4, dbIh + h4 * 2);
    }
  }
}
